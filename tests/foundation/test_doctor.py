"""`kiosk doctor`: rows with the fix, JSON for fleets, non-zero when something required is missing."""
import json
import os

from kiosk import cli
from kiosk.config import load
from kiosk.doctor import check_printer


def test_doctor_json_on_a_real_database(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    key = tmp_path / "db.key"
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "db", "init", "--key-file", str(key)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("KIOSK_KEY_FILE", str(key))
    code = cli.main(["--data-dir", str(data), "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    rows = {c["name"]: c for c in report["checks"]}
    assert rows["database"]["status"] == "ok" and rows["schema version"]["status"] == "ok"
    assert rows["Qt platform plugin"]["status"] == "ok"
    assert {"Vietnamese fonts", "PC/SC (pcscd)", "gateway", "clock", "disk space"} <= set(rows)
    assert code == (0 if report["healthy"] else 1)


def test_doctor_fails_with_the_fix_on_a_wrong_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "db", "init", "--key-file", str(tmp_path / "k1")]) == 0
    wrong = tmp_path / "k2"
    wrong.write_bytes(os.urandom(32))
    wrong.chmod(0o600)
    monkeypatch.setenv("KIOSK_KEY_FILE", str(wrong))
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "database key does not match" in out and "fix:" in out


def test_printer_rows(tmp_path):
    cfg = load(None, env={})
    assert check_printer(cfg.replace(printer="sim")).status == "warn"
    device = tmp_path / "lp0"
    assert check_printer(cfg.replace(printer=f"file:{device}")).status == "fail"
    device.write_bytes(b"")
    assert check_printer(cfg.replace(printer=f"file:{device}")).status == "ok"
