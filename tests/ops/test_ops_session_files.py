"""The kiosk-session files the project ships: the udev rules parse the way udev parses them and
cover the supported devices; the systemd unit is one systemd accepts, with the watchdog on."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kiosk.paths import resources_dir

RULES = resources_dir() / "udev" / "70-vn-health-kiosk.rules"
UNIT = resources_dir() / "systemd" / "vn-health-kiosk.service"

# udev(7): KEY[{attr}] OP "value", pairs separated by commas; '#' only at the start of a line
PAIR = re.compile(r'\s*([A-Z_]+)(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')
MATCH_KEYS = {"SUBSYSTEM", "SUBSYSTEMS", "ATTRS", "ATTR", "KERNEL", "ACTION", "ENV", "DRIVERS"}
ASSIGN_KEYS = {"MODE", "GROUP", "OWNER", "SYMLINK", "TAG", "ENV", "RUN"}


def parse_rules(text: str) -> list[list[tuple[str, str | None, str, str]]]:
    rules = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs, pos = [], 0
        while pos < len(line):
            m = PAIR.match(line, pos)
            assert m, f"line {n}: udev cannot parse from column {pos + 1}: {line[pos:pos + 30]!r}"
            key, attr, op, value = m.group(1), m.group(2), m.group(3), m.group(4)
            assert key in MATCH_KEYS | ASSIGN_KEYS, f"line {n}: unknown key {key}"
            pairs.append((key, attr, op, value))
            pos = m.end()
        rules.append(pairs)
    return rules


def test_udev_rules_parse_and_cover_the_supported_devices():
    rules = parse_rules(RULES.read_text())
    assert rules
    vendors = set()
    for pairs in rules:
        ops = {(k, op) for k, _, op, _ in pairs}
        assert any(op == "==" for _, op in ops), "a rule without a match would apply to every device"
        assert ("GROUP", "=") in ops and ("MODE", "=") in ops
        assert dict((k, v) for k, _, _, v in pairs)["GROUP"] == "kiosk"
        assert dict((k, v) for k, _, _, v in pairs)["MODE"] == "0660"     # never world-writable
        vendors |= {v for k, a, _, v in pairs if k == "ATTRS" and a == "{idVendor}"}
    from drivers.scanner.hidpos import HONEYWELL_VID
    assert f"{HONEYWELL_VID:04x}" in vendors           # the HID POS driver's default scanner
    assert "04b8" in vendors                            # Epson ESC/POS printers
    assert any(v == "video4linux" for p in rules for k, _, _, v in p if k == "SUBSYSTEM")


def test_the_rule_parser_rejects_a_trailing_comment():
    with pytest.raises(AssertionError, match="cannot parse"):
        parse_rules('SUBSYSTEM=="usb", MODE="0660", GROUP="kiosk"   # Epson\n')


def test_systemd_unit_is_notify_with_watchdog_and_restart(tmp_path):
    text = UNIT.read_text()
    for line in ("Type=notify", "Restart=on-failure", "NotifyAccess=main"):
        assert line in text.splitlines()
    watchdog = re.search(r"^WatchdogSec=(\d+)$", text, re.M)
    assert watchdog and 5 <= int(watchdog.group(1)) <= 120
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed: the unit's syntax is not checked by systemd")
    unit = tmp_path / UNIT.name     # ExecStart must exist for verify; the rest is checked as shipped
    unit.write_text(re.sub(r"^ExecStart=\S+", "ExecStart=/bin/true", text, flags=re.M))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
