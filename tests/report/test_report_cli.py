"""`kiosk report weekly|prepare` on a real encrypted database made by `kiosk db init`."""
from __future__ import annotations

import json
import os

import pytest

from kiosk.cli import main
from kiosk.core.clock import FakeClock
from kiosk.store.keys import FileKeyProvider
from kiosk.store.migrate import open_store

from report_seed import make_specs, seed_store


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("KIOSK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("KIOSK_FACILITY_CODE", "79001")
    monkeypatch.setenv("KIOSK_KIOSK_ID", "K1")


@pytest.fixture
def kiosk(tmp_path, capsysbinary):
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key_file.parent.mkdir(mode=0o700)

    def run(*argv: str) -> tuple[int, bytes, str]:
        capsysbinary.readouterr()
        code = main([*argv[:2], "--data-dir", str(data_dir), "--key-file", str(key_file), *argv[2:]])
        out = capsysbinary.readouterr()
        return code, out.out, out.err.decode()
    run.data_dir, run.key_file = data_dir, key_file
    assert main(["db", "init", "--data-dir", str(data_dir), "--key-file", str(key_file)]) == 0
    specs = make_specs(per_day=8)
    clock = FakeClock()
    with open_store(data_dir, FileKeyProvider(key_file).load(), clock=clock) as s:
        seed_store(s, clock, specs)
    run.specs = specs
    return run


def test_weekly_json_to_stdout_has_the_weeks_receptions(kiosk):
    code, out, err = kiosk("report", "weekly", "--week", "2026-W48", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["period"] == "2026-W48" and doc["facility"] == "79001"
    assert doc["summary"]["receptions"] == sum("2026-11-23" <= s.day <= "2026-11-29" for s in kiosk.specs)


def test_weekly_xlsx_and_pdf_to_files(kiosk, tmp_path):
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        target = tmp_path / f"out.{fmt}"
        code, out, err = kiosk("report", "weekly", "--week", "2026-W48", "--format", fmt, "--out", str(target))
        assert code == 0, err
        assert target.read_bytes().startswith(magic) and str(target) in out.decode()
    code, out, err = kiosk("report", "weekly", "--week", "2026-W48", "--format", "csv", "--out", str(tmp_path))
    assert code == 0 and (tmp_path / "bao-cao-tuan-79001-K1-2026-W48.csv").exists()


def test_a_span_of_days(kiosk):
    code, out, err = kiosk("report", "weekly", "--from", "2026-11-19", "--to", "2026-11-29", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["receptions"] == len(kiosk.specs)


@pytest.mark.parametrize("argv, words", [
    (("--week", "2026-48"), "ISO week like 2026-W48"),
    (("--week", "2026-W54"), "has no week 54"),
    (("--from", "2026-11-30", "--to", "2026-11-01"), "ends before it starts"),
    (("--from", "2026-11-30"), "--from and --to together"),
])
def test_bad_periods_get_a_clear_error(kiosk, argv, words):
    code, out, err = kiosk("report", "weekly", *argv)
    assert code == 2 and words in err and out == b""


def test_prepare_writes_the_configured_formats_once_and_raises_the_flag(kiosk):
    code, out, err = kiosk("report", "prepare", "--week", "2026-W48")
    assert code == 0, err
    reports = kiosk.data_dir / "reports"
    names = sorted(p.name for p in reports.iterdir())
    assert names == [f"bao-cao-tuan-79001-K1-2026-W48.{f}" for f in ("json", "pdf", "xlsx")]
    code, out, _ = kiosk("report", "prepare", "--week", "2026-W48")
    assert code == 0 and b"already prepared" in out
    from kiosk.report.weekly import ready_flag
    with open_store(kiosk.data_dir, FileKeyProvider(kiosk.key_file).load()) as s:
        flag = ready_flag(s)
    assert flag["week"] == "2026-W48" and sorted(flag["files"]) == names
