"""Settings at the seams: every declared setting is read by the running app, the layers below the
composition roots never see the `Config`, and the adapters of `kiosk.settings_map` turn a real
settings file into the option objects with the values it holds."""
from __future__ import annotations

import ast
from pathlib import Path

from kiosk import settings_map as sm
from kiosk.config import SETTINGS, load

ROOT = Path(__file__).resolve().parents[2]
# Declared but not read yet, each with the reason; the test fails if one gets a reader (then drop
# it here) or if any other setting loses its last reader.
PENDING: dict[str, str] = {}
TYPED_LAYERS = ("core", "identity", "sync", "gateway", "checkin", "desk")


def _sources():
    for base in ("kiosk", "drivers"):
        for path in sorted((ROOT / base).rglob("*.py")):
            if path not in (ROOT / "kiosk" / "config.py", ROOT / "kiosk" / "settings_table.py"):
                yield path


def _readers() -> dict[str, set[str]]:
    """Setting name -> files that read it: `x.name`, `getattr(x, "name")`, `x.get("name")`."""
    names = {s.name for s in SETTINGS}
    found: dict[str, set[str]] = {}
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in names:
                found.setdefault(node.attr, set()).add(rel)
            elif isinstance(node, ast.Call):
                fn, args = node.func, node.args
                if isinstance(fn, ast.Name) and fn.id == "getattr" and len(args) >= 2:
                    arg = args[1]
                elif isinstance(fn, ast.Attribute) and fn.attr in ("get", "source") and args:
                    arg = args[0]
                else:
                    continue
                if isinstance(arg, ast.Constant) and arg.value in names:
                    found.setdefault(arg.value, set()).add(rel)
    return found


def test_every_setting_is_read_outside_config_py():
    readers = _readers()
    unread = {s.name for s in SETTINGS} - set(readers)
    assert unread == set(PENDING), f"settings nobody reads: {sorted(unread - set(PENDING))}; " \
                                   f"now read, drop from PENDING: {sorted(set(PENDING) - unread)}"


def test_the_four_formerly_unread_settings_reach_the_app():
    readers = _readers()
    assert "kiosk/settings_map.py" in readers["wedge_max_key_gap_ms"]
    assert "kiosk/settings_map.py" in readers["scanner_hold_off"]
    assert "kiosk/settings_map.py" in readers["scanner_serial_baud"]
    app = (ROOT / "kiosk" / "app.py").read_text(encoding="utf-8")
    assert "settings_map.wedge_config(self.cfg)" in app and "settings_map.scanner_options(self.cfg)" in app


def test_lower_layers_never_receive_the_config():
    offenders = []
    for layer in TYPED_LAYERS:
        for path in sorted((ROOT / "kiosk" / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "kiosk.config":
                    offenders.append(f"{path.relative_to(ROOT)} imports kiosk.config")
                if isinstance(node, ast.FunctionDef) and node.name.endswith("from_config"):
                    offenders.append(f"{path.relative_to(ROOT)} defines {node.name}")
    assert offenders == []


def test_adapters_carry_the_values_of_a_settings_file(tmp_path):
    conf = tmp_path / "kiosk.toml"
    conf.write_text("""
facility_code = "79001"
facility_name = "Bệnh viện Thử nghiệm"
kiosk_id = "3"
inactivity_seconds = 45
ticket_format = "{letter}{kiosk}-{seq:04d}"
scanner_prefix = "]Q"
scanner_hold_off = 0.75
wedge_max_key_gap_ms = 12.5
scanner_serial_baud = 115200
camera_decoder = "pyzbar"
sync_batch_size = 8
""", encoding="utf-8")
    cfg = load(conf, env={})
    assert sm.machine_config(cfg).inactivity_s == 45
    assert sm.parse_options(cfg).prefix == "]Q"
    issuing = sm.issuing_settings(cfg)
    assert (issuing.facility_code, issuing.kiosk_id, issuing.ticket_format) == ("79001", "3", "{letter}{kiosk}-{seq:04d}")
    assert [s.code for s in issuing.services] == [s.code for s in sm.machine_config(cfg).services]
    desk = sm.desk_settings(cfg)
    assert (desk.facility_name, desk.elderly_age) == ("Bệnh viện Thử nghiệm", 75)
    assert sm.sync_settings(cfg).batch_size == 8
    opts = sm.scanner_options(cfg)
    assert (opts.prefix, opts.hold_off, opts.baud, opts.decoder) == ("]Q", 0.75, 115200, "pyzbar")
    assert sm.wedge_config(cfg).max_gap == 0.0125
    assert sm.scanner_options(cfg, sim_finite=True).sim_finite is True
