"""The health book on a hub desk: the patient's visits across the whole facility (two kiosks, one
closed at a desk with its summary), the gateway's history, the notes a clinician keeps at the hub;
reading and editing are audited in the hub chain. Against the real hub and gateway simulator."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.status import VisitStatus
from kiosk.demo.people import by_key
from kiosk.desk.close import CloseForm
from kiosk.desk.context import DeskError
from kiosk.security.roles import PermissionDenied
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import hub_rows, node
from tests.facility.test_hub_identity import nameless_checkin


@pytest.fixture
def facility(hub, tmp_path, signer):
    add_accounts(hub)
    clock = FakeClock(datetime.now(timezone.utc))
    kiosks = [node(tmp_path, k, hub, signer, clock) for k in ("1", "2")]
    desks = []

    def desk(**kw):
        s = desk_services(hub, tmp_path, clock, signer, **kw)
        desks.append(s)
        return s
    yield kiosks, desk
    for s in desks:
        s.close()
    for k in kiosks:
        k.close()


def test_the_book_shows_every_kiosks_visits_and_the_gateway_history(hub, facility, gateway):
    kiosks, desk = facility
    person = by_key("valid_bhyt").identity                  # known to the simulator (history, card)
    kiosks[0].checkin(person, "K01")
    kiosks[0].sync()
    kiosks[1].checkin(person, "K02")                        # the same patient at another kiosk
    kiosks[1].sync()
    d = desk(gateway=gateway)
    doctor = d.accounts.sign_in("bac.si", PINS["bac.si"])
    rows = {r.kiosk_id: r for r in d.desk.visits.visits(doctor)}
    assert set(rows) == {"1", "2"}
    d.desk.visits.detail(doctor, rows["1"].ma_lk)
    d.desk.close.close(doctor, rows["1"].ma_lk, CloseForm("J06.9", diagnosis="Viêm họng cấp",
                                                           treatment="Nghỉ ngơi"))
    pid = d.desk.visits.detail(doctor, rows["2"].ma_lk).patient.id
    book = d.desk.book.book(doctor, pid)
    assert book.full_name == person.full_name and book.birth_date == "1985-04-12"
    got = {v.kiosk_id: v for v in book.visits}
    assert set(got) == {"1", "2"} and got["1"].visit_id == rows["1"].ma_lk
    assert (got["1"].status, got["1"].icd_main, got["1"].diagnosis) == (VisitStatus.CLOSED, "J06.9", "Viêm họng cấp")
    assert got["2"].status is VisitStatus.WAITING and got["2"].icd_main is None
    assert got["1"].service_name and got["2"].ticket_number == rows["2"].ticket_number
    assert book.history_error is None                        # the simulator answered (maybe no entries yet)
    assert hub_rows(hub, "SELECT actor, target FROM hub_audit WHERE action = 'healthbook.view'") == \
        [("bac.si", f"patient:{pid}")]
    # notes: a clinician edits them at the hub, reception may only read the book
    d.desk.book.save_notes(doctor, pid, " Penicillin ", "Tăng huyết áp")
    again = d.desk.book.book(doctor, pid, with_history=False)
    assert (again.allergies, again.chronic_conditions) == ("Penicillin", "Tăng huyết áp")
    reception = d.accounts.sign_in("le.tan", PINS["le.tan"])
    with pytest.raises(PermissionDenied):
        d.desk.book.save_notes(reception, pid, "x", "y")
    with pytest.raises(DeskError, match="no patient"):
        d.desk.book.save_notes(doctor, 987654, "x", "y")
    assert hub_rows(hub, "SELECT count(*) FROM hub_audit WHERE action = 'healthbook.edit_notes'") == [(1,)]
    with hub.connect("hub_desk") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE patients SET birth_date = '1900' WHERE id = %s", (pid,))   # notes only


def test_a_nameless_patients_book_says_why_there_is_no_history(hub, facility, gateway):
    kiosks, desk = facility
    ma_lk = nameless_checkin(kiosks[0])
    kiosks[0].sync()
    d = desk(gateway=gateway)
    s = d.accounts.sign_in("bac.si", PINS["bac.si"])
    pid = d.desk.visits.detail(s, ma_lk).patient.id
    book = d.desk.book.book(s, pid)
    assert book.full_name is None and [v.visit_id for v in book.visits] == [ma_lk]
    assert book.history == () and "identity not confirmed" in book.history_error
    with pytest.raises(DeskError, match="no patient"):
        d.desk.book.book(s, 987654)
