"""The issuing transaction against a real SQLCipher store, signed with the demo facility key."""
from __future__ import annotations

import pytest
from lxml import etree

from tests.core.core_helpers import CFG, VALID
from kiosk.core.ports import AlreadyIssued, IssueError, IssueRequest, Resolution
from kiosk.core.views import PrinterFaultKind, PriorityCategory, ReadSource
from kiosk.gateway.results import CardCheckResult, code_info
from kiosk.demo.people import by_key
from kiosk.security.audit_log import AuditLog
from kiosk.checkin.resolver import patient_view
from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer

SETTINGS = IssuingSettings(facility_code="79001", kiosk_id="1", services=CFG.services)


def resolution(key="valid_bhyt"):
    ident = by_key(key).identity
    from datetime import date
    return Resolution(patient_view(ident, ReadSource.QR, date(2026, 11, 20), returning=False), ident)


def answer(code="000", **kw):
    i = code_info(code)
    return CardCheckResult(i.verdict, code, i.message_vi, i.message_en, i.staff_detail, desk_flag=i.desk_flag,
                           alert=i.alert, card_number=kw.pop("card_number", "DN4010100000101"),
                           valid_from="01/01/2026", valid_to="31/12/2030", ma_dkbd="01001", **kw)


def counts(store):
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("patients", "visits", "tickets", "outbox", "audit_log", "eligibility_checks")}


@pytest.fixture
def issuer(store, signer, clock):
    return StoreTicketIssuer(store, SETTINGS, signer.sign, clock)


def test_issue_writes_everything_in_one_transaction(store, issuer):
    t = issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    assert t.number == "A1-001" and t.room == "101" and t.expected_wait_minutes == 0
    assert counts(store) == {"patients": 1, "visits": 1, "tickets": 1, "outbox": 1, "audit_log": 1,
                             "eligibility_checks": 1}
    visit = store.visits.get(store.tickets.get(t.ticket_id).visit_id)
    assert visit.ma_lk == "790011-261120083000-0001" and visit.status == "waiting" and visit.room == "101"
    assert visit.ma_the_bhyt == "DN4010100000101" and visit.visit_day == "2026-11-20"
    assert t.qr_payload == "KT1|79001|2026-11-20|A1-001|790011-261120083000-0001"
    row = store.conn.execute("SELECT kind, ma_lk, visit_id, payload, state FROM outbox").fetchone()
    assert (row["kind"], row["ma_lk"], row["visit_id"], row["state"]) == ("checkin", visit.ma_lk, visit.id, "pending")
    doc = etree.fromstring(bytes(row["payload"]))
    assert doc.findtext(".//MA_LK") == visit.ma_lk and doc.findtext(".//HO_TEN") == "NGUYỄN VĂN THỬ"
    assert doc.findtext(".//MA_THE_BHYT") == "DN4010100000101" and doc.findtext(".//GT_THE_DEN") == "20301231"
    assert doc.findtext(".//NGAY_VAO") == "202611200830"
    assert doc.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue") is not None
    assert AuditLog(store).verify().ok
    audit = store.audit.last()
    assert audit.action == "ticket.issue" and "THỬ" not in (audit.details or "") and "0101" not in (audit.details or "")
    check = store.eligibility.get(visit.eligibility_id)
    assert check.verdict == "valid" and check.card_valid_to == "2030-12-31"


def test_signature_verifies_with_xmlsec1(store, issuer, dev_identity, tmp_path):
    import shutil
    import subprocess
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 not installed")
    issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    payload = bytes(store.conn.execute("SELECT payload FROM outbox").fetchone()[0])
    f = tmp_path / "xml0.xml"
    f.write_bytes(payload)
    r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(dev_identity.cert_path), str(f)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_one_active_ticket_per_patient_service_and_day(store, issuer):
    issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    before = counts(store)
    with pytest.raises(AlreadyIssued) as err:
        issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    assert err.value.number == "A1-001" and counts(store) == before
    other = issuer.issue(IssueRequest(resolution(), "K04", None, False, VALID, answer()))
    assert other.number == "D1-002"


def test_priority_provisional_and_wait(store, issuer):
    issuer.issue(IssueRequest(resolution("valid_bhyt"), "K01", None, False, VALID, answer()))
    t = issuer.issue(IssueRequest(resolution("elderly"), "K01", PriorityCategory.ELDERLY, True))
    assert t.number == "A1-U002" and t.priority is PriorityCategory.ELDERLY and t.provisional
    assert t.expected_wait_minutes == 0       # priority: called before the earlier regular ticket
    visit = store.visits.get(store.tickets.get(t.ticket_id).visit_id)
    assert visit.status == "provisional" and visit.priority == "elderly"
    entry = store.queue.by_ticket(t.ticket_id)          # the ticket is in the calling queue
    assert (entry.number, entry.state.value, entry.priority, entry.room) == ("A1-U002", "waiting", "elderly", "101")
    check = store.eligibility.get(visit.eligibility_id)
    assert check.verdict == "provisional" and check.provisional
    assert check.card_number == by_key("elderly").identity.bhyt.card_number
    assert store.tickets.get(t.ticket_id).priority == 1


def test_cccd_only_patient_is_checked_by_cccd_number(store, issuer):
    t = issuer.issue(IssueRequest(resolution("cccd_only"), "K02", None, True))
    visit = store.visits.get(store.tickets.get(t.ticket_id).visit_id)
    assert visit.ma_the_bhyt is None
    assert store.eligibility.get(visit.eligibility_id).card_number == by_key("cccd_only").identity.cccd.number


def test_failure_before_commit_leaves_nothing(store, signer, clock):
    def broken(_xml):
        raise RuntimeError("token removed")
    issuer = StoreTicketIssuer(store, SETTINGS, broken, clock)
    with pytest.raises(IssueError):
        issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    assert set(counts(store).values()) == {0}
    ok = StoreTicketIssuer(store, SETTINGS, signer.sign, clock)
    assert ok.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer())).number == "A1-001"


def test_unknown_service_is_refused(issuer):
    with pytest.raises(IssueError):
        issuer.issue(IssueRequest(resolution(), "NOPE", None, False))


def test_emergency_visits_send_no_checkin(store, signer, clock):
    import dataclasses
    issuer = StoreTicketIssuer(store, dataclasses.replace(SETTINGS, ma_doituong_kcb="2"), signer.sign, clock)
    issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    assert counts(store)["outbox"] == 0 and counts(store)["visits"] == 1


def test_visit_category_per_priority_group_then_service_then_default(store, signer, clock):
    """MA_DOITUONG_KCB is a code of the list ("1.1" registered facility by default), configurable
    per service and per priority group; the XML0 sent carries it, and NGAY_YL = the order time."""
    import dataclasses
    from lxml import etree
    from kiosk.core.views import PriorityCategory
    st = dataclasses.replace(SETTINGS, category_by_service=(("K02", "1.3"),), category_by_priority=(("merit", "1.4"),))
    issuer = StoreTicketIssuer(store, st, signer.sign, clock)
    t1 = issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    t2 = issuer.issue(IssueRequest(resolution("cccd_only"), "K02", None, False))
    t3 = issuer.issue(IssueRequest(resolution("elderly"), "K02", PriorityCategory.MERIT, False))
    cats = [store.visits.get(store.tickets.get(t.ticket_id).visit_id).ma_doituong_kcb for t in (t1, t2, t3)]
    assert cats == ["1.1", "1.3", "1.4"]
    for item_id, cat in zip((1, 2, 3), cats):
        row = etree.fromstring(store.outbox.get(item_id).payload).find("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
        assert row.findtext("MA_DOITUONG_KCB") == cat and row.findtext("MA_LOAI_KCB") == "01"
        assert row.findtext("NGAY_YL") == row.findtext("NGAY_VAO") != ""


def test_printer_answers_are_recorded(store, issuer):
    t = issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    issuer.mark_print_failed(t.ticket_id, PrinterFaultKind.PAPER_OUT)
    assert store.tickets.get(t.ticket_id).status == "print_failed"
    issuer.mark_printed(t.ticket_id)
    tk = store.tickets.get(t.ticket_id)
    assert tk.status == "printed" and tk.print_count == 1 and tk.printed_at
    t2 = issuer.issue(IssueRequest(resolution(), "K02", None, False, VALID, answer()))
    issuer.mark_shown(t2.ticket_id)
    assert store.tickets.get(t2.ticket_id).status == "shown"
    assert [e.action for e in store.audit.list(10)][:3] == ["ticket.shown", "ticket.issue", "ticket.print_failed"]
    assert AuditLog(store).verify().ok


def test_numbers_restart_each_day_and_ma_lk_stays_unique(store, issuer, clock):
    a = issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    clock.advance(24 * 3600)
    b = issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer()))
    assert a.number == b.number == "A1-001"
    ma = [r[0] for r in store.conn.execute("SELECT ma_lk FROM visits")]
    assert len(set(ma)) == 2


@pytest.mark.parametrize("code", ["001", "002"])
def test_card_managed_by_defence_or_police_proceeds_flagged_for_the_desk(store, issuer, code):
    """reference/gateway-api.md: 001/002 → proceed (a ticket), flag the visit for a desk check."""
    t = issuer.issue(IssueRequest(resolution(), "K01", None, False, VALID, answer(code)))
    assert t.number == "A1-001"
    visit = store.visits.get(store.tickets.get(t.ticket_id).visit_id)
    assert visit.status == "needs_desk" and "desk check" in visit.needs_desk_reason
    plain = issuer.issue(IssueRequest(resolution(), "K02", None, False, VALID, answer("000")))
    assert store.visits.get(store.tickets.get(plain.ticket_id).visit_id).needs_desk_reason is None
