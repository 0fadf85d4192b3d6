"""The whole check-in on real parts: identity parser, SQLCipher store, the gateway simulator over
HTTP, the signer, the demo printer writing PNGs; only the clock of the store is fixed."""
from __future__ import annotations


import pytest
from PIL import Image

from kiosk.config import load
from kiosk.core import checkin as c
from kiosk.core.views import InsuranceStatus, PriorityCategory, ProblemKind
from kiosk.demo.people import by_key
from kiosk.checkin.build import build_checkin_service

from tests.core.core_helpers import state_waiter


@pytest.fixture
def kiosk(tmp_path, store, gateway, sim, signer, clock):
    from datetime import date
    from kiosk.demo.sim_cards import demo_cards
    for card in demo_cards(date(2026, 11, 20)):
        sim.state.cards.add(card)
    cfg = load(path=None, env={}, overrides={"data_dir": str(tmp_path / "data"), "facility_code": "79001",
                                             "facility_name": "Bệnh viện Thử", "printer": "sim",
                                             "eligibility_deadline": 3.0})
    svc = build_checkin_service(cfg, store, gateway_client=gateway, sign=signer.sign, clock=clock)
    wait = state_waiter(svc)
    yield svc, wait, tmp_path / "data" / "tickets"
    svc.close()


def answered(s):
    return isinstance(s, c.Confirm) and s.eligibility.status is not InsuranceStatus.CHECKING


def test_cccd_qr_to_printed_ticket(kiosk, store):
    svc, wait, tickets = kiosk
    person = by_key("valid_bhyt")
    svc.post(c.QrScanned(person.cccd_qr.encode("utf-8")))
    st = wait(answered)
    assert st.patient.masked_name == "NGUYỄN V** T" and st.patient.birth_year == 1985
    assert st.patient.masked_number == "*** *** 0101" and st.eligibility.status is InsuranceStatus.VALID
    svc.post(c.ConfirmYes())
    st = wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K01"))
    st = wait(lambda s: isinstance(s, c.TicketShown))
    assert st.printed and st.ticket.number == "A1-001"
    png = tickets / "20261120-A1-001.png"
    assert png.exists() and Image.open(png).width == 576
    row = store.conn.execute("SELECT v.status, o.state, t.status FROM visits v JOIN outbox o ON o.visit_id = v.id "
                             "JOIN tickets t ON t.visit_id = v.id").fetchone()
    assert tuple(row) == ("waiting", "pending", "printed")
    svc.post(c.Dismiss())
    assert isinstance(svc.state, c.Idle) and svc.open_sessions() == 0


def test_returning_patient_types_a_number(kiosk, store):
    svc, wait, _ = kiosk
    person = by_key("elderly")
    svc.post(c.QrScanned(person.cccd_qr.encode("utf-8")))
    wait(answered)
    svc.post(c.ConfirmYes())
    st = wait(lambda s: isinstance(s, c.ChooseService))
    assert st.selected_priority is PriorityCategory.ELDERLY
    svc.post(c.ServiceChosen("K04"))
    st = wait(lambda s: isinstance(s, c.TicketShown))
    assert st.ticket.number == "D1-U001"
    svc.post(c.Dismiss())
    # later the same day: typed CCCD number; the cache knows the name, the card answer is fresh
    svc.post(c.KeypadOpened())
    for ch in person.identity.cccd.number:
        svc.post(c.KeypadKey(ch))
    svc.post(c.KeypadSubmit())
    st = wait(lambda s: isinstance(s, c.Confirm))
    assert st.patient.masked_name == "PHẠM V** M" and st.patient.returning
    assert st.eligibility.from_cache and st.eligibility.status is InsuranceStatus.VALID
    svc.post(c.ConfirmYes())
    wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K04"))
    st = wait(lambda s: isinstance(s, c.Problem))
    assert st.kind is ProblemKind.ALREADY_ISSUED and "D1-U001" in st.message.vi


def test_invalid_typed_number_try_again_keeps_it_and_garbage(kiosk):
    svc, wait, _ = kiosk
    svc.post(c.KeypadOpened())
    for ch in "001985009999":                              # century digit: born in the future: wrong
        svc.post(c.KeypadKey(ch))
    svc.post(c.KeypadSubmit())
    st = wait(lambda s: isinstance(s, c.Problem))
    assert st.kind is ProblemKind.INVALID_NUMBER and st.retry
    svc.post(c.Dismiss())                                  # "Thử lại": the number is still there
    st = wait(lambda s: isinstance(s, c.Keypad))
    assert st.text == "001985009999"
    keypad_session = st.session
    svc.post(c.QrScanned(b"https://example.org/not-a-card"))
    st = wait(lambda s: isinstance(s, c.Problem) and s.session > keypad_session)
    assert st.kind in (ProblemKind.UNSUPPORTED, ProblemKind.UNREADABLE)


def _type(svc, text):
    svc.post(c.KeypadOpened())
    for ch in text:
        svc.post(c.KeypadKey(ch))
    svc.post(c.KeypadSubmit())


@pytest.mark.parametrize("typed, kind, masked", [
    ("079085000001", "CCCD", "*** *** 0001"),
    ("DN4797932123456", "BHYT card", "** * ** ****** 3456"),
])
def test_first_time_patient_types_an_unknown_number_and_gets_a_ticket_for_the_desk(kiosk, store, typed, kind, masked):
    """Issue 14 M7: a valid number that is simply not cached is no dead end. No name, no birth date:
    no card check (the gateway needs both) and no guessing; a ticket flagged for the desk with the
    typed number, the patient row nameless, the XML0 (HO_TEN required) held, nothing in the outbox."""
    svc, wait, _ = kiosk
    _type(svc, typed)
    st = wait(lambda s: isinstance(s, (c.Confirm, c.Problem)))
    assert isinstance(st, c.Confirm), st
    assert st.patient.unconfirmed and st.patient.masked_name == "" and st.patient.masked_number == masked
    assert st.eligibility.status is InsuranceStatus.NEEDS_DESK and st.eligibility.message.code == "identity_to_confirm"
    svc.post(c.ConfirmYes())
    wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K01"))
    st = wait(lambda s: isinstance(s, c.TicketShown))
    assert st.ticket.identity_check and st.ticket.desk_check and not st.ticket.fee_paying
    [(status, reason, card)] = _needs_desk_rows(store)
    assert status == "needs_desk" and f"{kind} {typed}" in reason and "identity to confirm" in reason
    assert card == (typed if kind == "BHYT card" else None)
    # nameless; a CCCD number's century digits give the birth year, a card code gives nothing
    born = "1985" if kind == "CCCD" else None
    assert store.conn.execute("SELECT full_name, birth_date FROM patients").fetchall()[0][:] == (None, born)
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0      # held for the desk
    assert store.conn.execute("SELECT count(*) FROM eligibility_checks").fetchone()[0] == 0
    held = store.conn.execute("SELECT details FROM audit_log WHERE action = 'ticket.issue'").fetchone()[0]
    assert '"checkin_held":true' in held and typed not in held
    svc.post(c.Dismiss())
    # the same patient, later the same day: still nameless, still not "wrong"; the held service is marked
    _type(svc, typed)
    st = wait(lambda s: isinstance(s, c.Confirm))
    assert st.patient.unconfirmed and st.patient.returning and st.patient.held_services == ("K01",)


def _needs_desk_rows(store):
    return [tuple(r) for r in store.conn.execute(
        "SELECT v.status, v.needs_desk_reason, v.ma_the_bhyt FROM visits v JOIN tickets t ON t.visit_id = v.id")]


def test_expired_card_gets_a_ticket_flagged_for_the_desk(kiosk, store):
    """Issue 14 B3: expired (010) is no dead end: a ticket, and the visit waits under "Needs desk"
    with the gateway's answer."""
    svc, wait, _ = kiosk
    svc.post(c.QrScanned(by_key("expired_bhyt").bhyt_qr.encode("utf-8")))
    st = wait(answered)
    assert st.eligibility.status is InsuranceStatus.NEEDS_DESK
    svc.post(c.ConfirmYes())
    st = wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K01"))
    st = wait(lambda s: isinstance(s, c.TicketShown))
    [(status, reason, card)] = _needs_desk_rows(store)
    assert status == "needs_desk" and "010" in reason and "expired" in reason


def test_cccd_only_citizen_gets_a_fee_paying_ticket(kiosk, store):
    """Issue 14 B3: no insurance card at all (gateway 050 on the CCCD number): "khám dịch vụ"."""
    svc, wait, _ = kiosk
    svc.post(c.QrScanned(by_key("cccd_only").cccd_qr.encode("utf-8")))
    st = wait(answered)
    assert st.eligibility.status is InsuranceStatus.NO_CARD and st.eligibility.result_code == "050"
    svc.post(c.ConfirmYes())
    st = wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K01"))
    st = wait(lambda s: isinstance(s, c.TicketShown))
    [(status, reason, card)] = _needs_desk_rows(store)
    assert status == "needs_desk" and "fee-paying" in reason and "050" in reason and card is None


def test_gateway_down_is_provisional(kiosk, sim, store):
    svc, wait, _ = kiosk
    sim.stop()
    svc.post(c.QrScanned(by_key("valid_bhyt").cccd_qr.encode("utf-8")))
    st = wait(answered)
    assert st.eligibility.status is InsuranceStatus.PROVISIONAL
    svc.post(c.ConfirmYes())
    wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K01"))
    st = wait(lambda s: isinstance(s, c.TicketShown))
    assert st.ticket.provisional
    assert store.conn.execute("SELECT status FROM visits").fetchone()[0] == "provisional"


def test_paper_out_then_reprint_on_the_demo_printer(tmp_path, store, gateway, sim, signer, clock):
    from datetime import date

    from drivers.printer.sim import SimPrinter
    from kiosk.demo.sim_cards import demo_cards
    from kiosk.devices.printer import DriverTicketPrinter
    for card in demo_cards(date(2026, 11, 20)):
        sim.state.cards.add(card)
    cfg = load(path=None, env={}, overrides={"data_dir": str(tmp_path / "d"), "facility_code": "79001"})
    printer = SimPrinter(tmp_path / "tickets")
    svc = build_checkin_service(cfg, store, gateway_client=gateway, sign=signer.sign, clock=clock,
                                printer=DriverTicketPrinter(printer, "1"),
                                runner=lambda lane, fn, args: fn(*args))
    try:
        printer.set_fault("paper_out")
        svc.post(c.QrScanned(by_key("child_te").bhyt_qr.encode("utf-8")))
        st = svc.post(c.ConfirmYes())
        assert st.selected_priority is PriorityCategory.CHILD
        st = svc.post(c.ServiceChosen("K02"))
        assert isinstance(st, c.PrinterFailed) and st.fault.value == "paper_out"
        assert store.tickets.get(st.ticket.ticket_id).status == "print_failed"
        printer.set_fault(None)
        st = svc.post(c.Reprint())
        assert isinstance(st, c.TicketShown) and st.printed and st.ticket.number == "B1-U001"
        assert store.tickets.get(st.ticket.ticket_id).status == "printed"
        assert [p.name for p in printer.printed] == ["20261120-B1-U001.png"]
    finally:
        svc.close()


def test_services_already_held_today_are_marked(kiosk, store):
    """Issue 14 minor 7: the second visit of the day sees which services it already holds."""
    svc, wait, _ = kiosk
    qr = by_key("valid_bhyt").cccd_qr.encode("utf-8")
    svc.post(c.QrScanned(qr))
    wait(answered)
    assert wait(answered).patient.held_services == ()
    svc.post(c.ConfirmYes())
    wait(lambda s: isinstance(s, c.ChooseService))
    svc.post(c.ServiceChosen("K01"))
    wait(lambda s: isinstance(s, c.TicketShown))
    svc.post(c.Dismiss())
    svc.post(c.QrScanned(qr))
    st = wait(lambda s: answered(s) and s.session == 2)
    assert st.patient.held_services == ("K01",)
