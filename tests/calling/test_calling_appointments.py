"""Appointments from outside systems: the CSV's rows checked one by one (known answers), booked
patients get their appointment on the queue entry (when they check in after the import, and when
they were already waiting), and the calling order calls them at their time."""
from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from calling_helpers import issue
from kiosk.calling.appointments import import_file, parse_csv
from kiosk.cli import main
from kiosk.core.clock import VN_TZ, SystemClock, local_day
from kiosk.store.keys import FileKeyProvider
from kiosk.store.migrate import open_store

SERVICES = {"K01", "K02", "K04"}
HEADER = "time,service,identity_number,follow_up,note\n"


def vn(moment) -> str:
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M")


def test_good_rows_are_read_and_each_bad_row_is_refused_with_its_reason():
    text = ("\ufeffthoi_gian;dich_vu;so_dinh_danh;tai_kham;ghi_chu\n"
            "2026-11-20 08:30;k01;0010 8000 0001;có;tái khám tim\n"
            "2026-11-20 09:00;K02;DN4797912345678;;\n"
            "2026-13-20 09:00;K02;001080000002;0;\n"
            "2026-11-20 09:00;K09;001080000002;0;\n"
            "2026-11-20 09:00;K01;12345;0;\n"
            "2026-11-20 09:00;K01;001080000003;maybe;\n"
            "2026-11-20 10:00;K01;001080000001;1;\n"
            "\n")
    r = parse_csv(text, SERVICES)
    assert [(x.day, x.at.isoformat(), x.service_code, x.id_number, x.follow_up, x.note) for x in r.rows] == [
        ("2026-11-20", "2026-11-20T08:30:00+07:00", "K01", "001080000001", True, "tái khám tim"),
        ("2026-11-20", "2026-11-20T09:00:00+07:00", "K02", "DN4797912345678", False, "")]
    assert r.errors == [
        "row 4: time '2026-13-20 09:00' is not YYYY-MM-DD HH:MM (Vietnam time)",
        "row 5: service 'K09' is not one of this facility's services (K01, K02, K04)",
        "row 6: identity number **345 is not a CCCD (12 digits), old ID (9), BHXH (10) or BHYT card "
        "(2 letters + 13 digits)",
        "row 7: follow_up 'maybe' is not 1/0, yes/no or có/không",
        "row 8: the same person (*********001) and service on 2026-11-20 as row 2"]
    assert not any("001080000002" in e or "001080000003" in e for e in r.errors)   # numbers masked


def test_a_header_without_the_columns_is_refused_whole():
    r = parse_csv("date,patient_name,cccd\n2026-11-20,NGUYỄN VĂN A,001080000001\n", SERVICES)
    assert r.rows == [] and r.errors == [
        "row 1: the header must name the columns time, service, identity_number, follow_up, note "
        "(missing: time, service, identity_number; unknown: date, patient_name, cccd)"]
    assert parse_csv("", SERVICES).errors[0].startswith("the file is empty")


def test_booked_patients_get_their_time_and_are_called_at_it(store, calling, staff, clock, tmp_path):
    now = clock.now()
    csv = tmp_path / "bookings.csv"
    # patient 3 booked now+5 min (due: 10 min early counts), patient 4 a follow-up, patient 5 later today
    csv.write_text(HEADER + f"{vn(now + timedelta(minutes=5))},K01,001080000003,0,\n"
                            f"{vn(now + timedelta(minutes=30))},K01,001080000004,1,\n"
                            f"{vn(now + timedelta(hours=3))},K01,001080000005,0,\n", encoding="utf-8")
    issue(store, 4, clock=clock)                         # 0..3 check in before the import
    result, new, updated = import_file(store, csv, SERVICES, clock.now())
    assert (len(result.rows), new, updated, result.errors) == (3, 3, 1, [])   # patient 3 already waiting
    issue(store, 3, start=4, clock=clock)                # 4..6 check in after it: the trigger
    by_number = {e.number: e for e in store.queue.entries(local_day(clock.now()))}
    booked = {n: (e.appointment_at is not None, e.follow_up) for n, e in by_number.items()}
    assert booked == {"A1-001": (False, False), "A1-002": (False, False), "A1-003": (False, False),
                      "A1-004": (True, False), "A1-005": (True, True), "A1-006": (True, False),
                      "A1-007": (False, False)}
    order = [calling.call_next(staff, "Q1").number for _ in range(1)]
    calling.start(staff, "Q1"), calling.finish(staff, "Q1")
    order += [calling.call_next(staff, "Q2").number]
    # the follow-up first, then the due appointment, then arrival (patient 5's booking is not due)
    assert order == ["A1-005", "A1-004"]
    assert [e.number for e in calling.waiting("Q1")][:2] == ["A1-001", "A1-002"]
    again, new2, _ = import_file(store, csv, SERVICES, clock.now())
    assert (len(again.rows), new2, store.appointments.count()) == (3, 0, 3)      # re-import: no duplicates


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    for name in list(os.environ):
        if name.startswith("KIOSK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    data_dir, key_file = tmp_path / "data", tmp_path / "keys" / "db.key"
    key_file.parent.mkdir(mode=0o700)
    assert main(["db", "init", "--data-dir", str(data_dir), "--key-file", str(key_file)]) == 0

    def run(*argv: str):
        capsys.readouterr()
        code = main(["queue", "appointments", "import", "--data-dir", str(data_dir), "--key-file", str(key_file),
                     *argv])
        out = capsys.readouterr()
        return code, out.out, out.err
    run.store = lambda: open_store(data_dir, FileKeyProvider(key_file).load())
    return run


def test_cli_imports_good_rows_refuses_bad_ones_and_logs_no_names(cli, tmp_path, caplog):
    today = SystemClock().now() + timedelta(hours=1)
    csv = tmp_path / "his-export.csv"
    csv.write_text(HEADER + f"{vn(today)},K01,001080000001,1,Bà NGUYỄN THỊ MẪU tái khám\n"
                            f"{vn(today)},K01,001080000002,2,\n", encoding="utf-8")
    code, out, err = cli(str(csv), "--json")
    assert code == 1                                     # a refused row: the script notices
    doc = json.loads(out)
    assert {k: doc[k] for k in ("imported", "new", "refused")} == {"imported": 1, "new": 1, "refused": 1}
    assert doc["errors"] == ["row 3: follow_up '2' is not 1/0, yes/no or có/không"]
    assert "NGUYỄN" not in caplog.text and "001080000001" not in caplog.text
    with cli.store() as s:
        assert s.appointments.count() == 1
        audit = s.audit.list(1)[0]
        assert audit.action == "queue.appointments_import" and "NGUYỄN" not in json.dumps(audit.details,
                                                                                       ensure_ascii=False)
    code, out, err = cli(str(tmp_path / "missing.csv"))
    assert code == 1 and "no file" in err
    bad = tmp_path / "latin1.csv"
    bad.write_bytes((HEADER + f"{vn(today)},K01,001080000001,có,\n").encode("latin-1"))
    code, out, err = cli(str(bad))
    assert code == 1 and "not UTF-8" in err
