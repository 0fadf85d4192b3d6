#!/usr/bin/env bash
# Issue 14 M1: `kiosk demo --headless --checkins 9 --chip` (plus the forged-card scenario, laid
# right after the ninth check-in's card) N times in a row (default 10); prints one line per run
# and exits non-zero if any run failed. Needs pcscd + vsmartcard-vpcd (root); hold the shared
# lock when others use the virtual reader:  flock /tmp/kiosk-pcsc.lock scripts/chip_demo_repeat.sh
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
py="${PYTHON:-.venv/bin/python}"
out="$(mktemp -d -t kiosk-chip-repeat-XXXX)"
failed=0
for i in $(seq 1 "$runs"); do
  if QT_QPA_PLATFORM=offscreen "$py" -m kiosk demo --headless --checkins 9 --chip --scenario forged_chip \
      --out "$out/run$i" >"$out/run$i.log" 2>&1; then
    echo "run $i: ok ($(grep -c '^check-in' "$out/run$i.log") check-ins; $(grep 'forged_chip' "$out/run$i.log" | sed 's/.*: //'))"
  else
    failed=$((failed + 1))
    echo "run $i: FAILED"; grep -E '^check-in.*FAILED|Error' "$out/run$i.log" | head -5
  fi
done
echo "$((runs - failed))/$runs runs passed (logs: $out)"
[ "$failed" -eq 0 ]
