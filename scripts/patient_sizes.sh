#!/usr/bin/env bash
# Every patient screen (errors included) at 1024x768, 1280x720, 1366x768, 1920x1080, 768x1366 and
# 1080x1920, Vietnamese (normal text) and English (large text), into docs/screenshots/patient/<size>/.
# It is the layout test itself (tests/ui/test_ui_layout_sizes.py): it fails if any text is clipped,
# cut, overlapping or outside the window.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DEST=docs/screenshots/patient
for size in 1024x768 1280x720 1366x768 1920x1080 768x1366 1080x1920; do rm -rf "${DEST:?}/$size"; done
PATIENT_SCREENSHOTS_DIR="$PWD/$DEST" QT_QPA_PLATFORM=offscreen "$PY" -m pytest -q -p no:randomly \
  tests/ui/test_ui_layout_sizes.py
