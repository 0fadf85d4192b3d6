#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what the kiosk needs, then runs it.
#   ./dev.sh demo [ARGS]   set up, then start the kiosk demo (`kiosk demo ARGS`)
#   ./dev.sh test [ARGS]   set up, then run the test suite (pytest ARGS)
#   ./dev.sh setup         set up only
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  # chip card: PC/SC daemon, the virtual reader driver, headers to build pyscard
  pcscd vsmartcard-vpcd libpcsclite-dev swig
  # signing token in tests, independent XML-DSig verifier
  softhsm2 xmlsec1
  # camera QR (pyzbar), USB scanners and printers
  libzbar0 libusb-1.0-0
  # Qt's xcb window and a font with Vietnamese glyphs
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  fonts-noto-core fonts-dejavu-core fontconfig
  # a real X server for screenshots of a real window; systemd-analyze checks the unit file
  xvfb systemd
  # driving the real window in tests the way a keyboard-wedge scanner types (X11 Shift events)
  xdotool
  # the facility hub (private clusters in tests and the demo; no system service is used)
  postgresql
  # offline call announcements: espeak-ng's Vietnamese voice, aplay to play them
  espeak-ng alsa-utils
  # building a virtual environment
  python3-venv python3-dev gcc
)

missing_apt() {
  local p missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

install_apt() {
  local missing
  missing=$(missing_apt)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo ">> apt-get install $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Installing must not start system services (pcscd, a PostgreSQL "main" cluster): the
    # kiosk, its demo and its tests start their own pcscd and private clusters when none runs,
    # and a pcscd started by the package would stop the pcscd restart tests from running.
    # policy-rc.d (exit 101 = "action forbidden") is Debian's switch for that; an existing
    # policy is left alone.
    local policy=/usr/sbin/policy-rc.d own_policy=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && own_policy=1
    fi
    local rc=0
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
    if [ -n "$own_policy" ]; then rm -f "$policy"; fi
    if [ "$rc" != 0 ]; then exit "$rc"; fi
  else
    echo "!! Not root: install the Debian packages first, then run again:" >&2
    echo "   sudo apt-get install -y --no-install-recommends $missing" >&2
    exit 1
  fi
}

PY=${PYTHON:-}
find_python() {
  if [ -z "$PY" ]; then
    for c in python3.11 python3; do
      if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))'; then
        PY=$c; break
      fi
    done
  fi
  [ -n "$PY" ] || { echo "!! Python 3.11 or newer is needed" >&2; exit 1; }
}

install_venv() {
  find_python
  local stamp=.venv/.installed
  if [ ! -x .venv/bin/python ]; then
    echo ">> creating .venv with $PY"
    "$PY" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo ">> installing the kiosk and its dependencies into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]'
    touch "$stamp"
  fi
  .venv/bin/python -m kiosk.ui.translations_build
}

setup() {
  install_apt
  install_venv
}

cmd=${1:-help}
shift || true
case "$cmd" in
  setup) setup ;;
  demo)  setup; exec .venv/bin/kiosk demo "$@" ;;
  test)  setup; exec .venv/bin/python -m pytest "$@" ;;
  *) sed -n '2,6p' "$0"; exit 2 ;;
esac
