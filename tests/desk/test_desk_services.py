"""The desk's service layer against a real SQLCipher store, real staff accounts, the gateway
simulator over HTTP, the real XML builders and XML-DSig signer."""
from __future__ import annotations

import base64
import json
import random
from datetime import date, datetime, timedelta

import pytest
from lxml import etree

from kiosk.core.clock import VN_TZ
from kiosk.security.roles import PermissionDenied
from kiosk.desk.visits import OverrideMode, VisitFilter
from kiosk.desk.checkin import ManualCheckinError
from kiosk.desk.close import CloseForm, ReferralForm
from kiosk.desk.context import DeskError
from kiosk.desk.queue import Corrections
from kiosk.store.outbox import OutboxState

from tests.desk.conftest import demo_form

pytestmark = [pytest.mark.integration]


def audit_actions(env):
    return [(e.actor, e.action) for e in env.store.audit.list(limit=100)][::-1]


def checked_in(env, key="valid_bhyt", service="K01", **kw):
    ticket = env.desk.checkin.check_in(env.s["le.tan"], demo_form(key, service, **kw))
    return ticket, env.store.tickets.get(ticket.ticket_id).visit_id


def test_manual_checkin_issues_the_ticket_in_one_transaction(desk_env):
    env = desk_env
    ticket, visit_id = checked_in(env)
    visit = env.store.visits.get(visit_id)
    assert visit.status == "waiting" and visit.ma_the_bhyt == "DN4010100000101"
    assert env.store.outbox.find("checkin", visit.ma_lk) is not None
    assert ("le.tan", "desk.manual_checkin") in audit_actions(env)
    assert ("kiosk", "ticket.issue") in audit_actions(env)
    rows = env.desk.visits.visits(env.s["le.tan"], VisitFilter.WAITING, search=ticket.number)
    assert [r.visit_id for r in rows] == [visit_id]
    assert env.desk.visits.visits(env.s["le.tan"], VisitFilter.OPEN, search="nguyễn  văn")[0].visit_id == visit_id
    assert env.desk.visits.visits(env.s["le.tan"], VisitFilter.ALL, search="001085000101")[0].visit_id == visit_id
    assert env.desk.visits.visits(env.s["le.tan"], VisitFilter.CLOSED) == []
    assert env.audit.verify().ok


@pytest.mark.parametrize("changes, field", [
    ({"birth_date": "12/04/1986"}, "cccd"),          # CCCD year digits say 1985
    ({"gender": 2}, "cccd"),                          # CCCD gender digit says male
    ({"cccd": "001885000101"}, "cccd"),               # digit 4 = 8: born in the 2300s (TT 07/2016)
    ({"card": "XX4010100000101"}, "card"),           # no such beneficiary group
    ({"birth_date": "31/02/1985"}, "birth_date"),
    ({"full_name": " "}, "full_name"),
    ({"cccd": "", "card": ""}, "cccd"),
])
def test_manual_checkin_applies_the_identity_checks_and_writes_nothing(desk_env, changes, field):
    env = desk_env
    before = (env.store.visits.count_day(env.desk.visits._today()), env.store.audit.count())
    with pytest.raises(ManualCheckinError) as err:
        env.desk.checkin.check_in(env.s["le.tan"], demo_form(**changes))
    assert err.value.field == field
    assert "NGUYỄN" not in str(err.value) and "001085000101" not in str(err.value)
    assert (env.store.visits.count_day(env.desk.visits._today()), env.store.audit.count()) == before


def test_override_needs_a_reason_and_names_the_gateway_code(desk_env):
    env = desk_env
    _, visit_id = checked_in(env, "expired_bhyt")
    detail = env.desk.visits.detail(env.s["le.tan"], visit_id)
    assert detail.visit.status == "needs_desk"
    assert detail.eligibility.code == "010" and "expired" in detail.eligibility.words
    with pytest.raises(DeskError, match="reason"):
        env.desk.visits.override_eligibility(env.s["le.tan"], visit_id, "  ")
    with pytest.raises(PermissionDenied):
        env.desk.visits.override_eligibility(env.s["bac.si"], visit_id, "saw the renewed card")
    visit = env.desk.visits.override_eligibility(env.s["le.tan"], visit_id, "patient pays as fee-paying",
                                                 OverrideMode.FEE_PAYING)
    assert visit.status == "waiting" and visit.ma_the_bhyt is None
    entry = env.store.audit.list(limit=1, action="eligibility.override")[0]
    assert entry.actor == "le.tan" and json.loads(entry.details) == {
        "gateway_code": "010", "mode": "fee_paying", "previous_status": "needs_desk",
        "reason": "patient pays as fee-paying"}


def test_recheck_runs_the_card_check_again(desk_env):
    env = desk_env
    _, visit_id = checked_in(env, check_card=False)
    assert env.store.visits.get(visit_id).status == "provisional"
    result = env.desk.visits.recheck_card(env.s["le.tan"], visit_id)
    assert result.code == "000"
    visit = env.store.visits.get(visit_id)
    assert visit.status == "waiting"
    assert env.store.eligibility.get(visit.eligibility_id).result_code == "000"


def test_reprint_cancel_priority_and_move(desk_env, tmp_path):
    env = desk_env
    ticket, visit_id = checked_in(env)
    assert env.desk.visits.reprint(env.s["le.tan"], visit_id) == ticket.number
    assert list((tmp_path / "tickets").glob("*.png"))
    assert env.store.tickets.get(ticket.ticket_id).print_count == 2     # the desk check-in's print, then the reprint
    env.desk.visits.change_priority(env.s["le.tan"], visit_id, "elderly", "declared at the desk")
    assert env.store.visits.get(visit_id).priority == "elderly"
    new_number = env.desk.visits.move_service(env.s["le.tan"], visit_id, "K04")
    assert new_number.startswith("D1-U")
    tickets = env.store.tickets.for_visit(visit_id)
    assert [t.status for t in tickets] == ["cancelled", "issued"]
    with pytest.raises(DeskError, match="already at that service"):
        env.desk.visits.move_service(env.s["le.tan"], visit_id, "K04")
    with pytest.raises(DeskError, match="reason"):
        env.desk.visits.cancel(env.s["le.tan"], visit_id, "")
    env.desk.visits.cancel(env.s["le.tan"], visit_id, "patient left")
    assert env.store.visits.get(visit_id).status == "cancelled"
    assert all(t.status == "cancelled" for t in env.store.tickets.for_visit(visit_id))
    actions = [a for _, a in audit_actions(env)]
    for a in ("ticket.reprint", "visit.priority", "visit.move", "visit.cancel"):
        assert a in actions
    assert env.audit.verify().ok


def _fields(xml_bytes: bytes) -> dict[str, str]:
    root = etree.fromstring(xml_bytes)
    return {child.tag: child.text or "" for child in root}


def _tables(signed: bytes) -> dict[str, bytes]:
    root = etree.fromstring(signed)
    return {f.findtext("LOAIHOSO"): base64.b64decode(f.findtext("NOIDUNGFILE"))
            for f in root.iter("FILEHOSO")}


def test_reception_cannot_close_a_visit_even_calling_the_service(desk_env):
    env = desk_env
    _, visit_id = checked_in(env)
    with pytest.raises(PermissionDenied, match="reception"):
        env.desk.close.close(env.s["le.tan"], visit_id, CloseForm("J06.9"))
    assert env.store.visits.get(visit_id).status == "waiting"
    assert env.store.outbox.find("dossier", env.store.visits.get(visit_id).ma_lk) is None


def test_close_visit_produces_the_signed_dossier_field_by_field(desk_env):
    env = desk_env
    _, visit_id = checked_in(env)
    visit = env.store.visits.get(visit_id)
    follow = (env.clock.now().astimezone(VN_TZ) + timedelta(days=14)).date()
    form = CloseForm("j069", ("I10", "E11.9", "I10"), treatment="Điều trị ngoại trú", outcome=2,
                     doctor_code="BS-000123", follow_up_on=follow, follow_up_service="K01")
    closed = env.desk.close.close(env.s["bac.si"], visit_id, form)
    assert closed.tables == ("XML1", "XML14")
    item = env.store.outbox.get(closed.outbox_id)
    assert item.payload == closed.signed and item.state is OutboxState.PENDING and item.kind.value == "dossier"
    assert env.store.visits.get(visit_id).status == "closed"
    tables = _tables(item.payload)
    x1, x14 = _fields(tables["XML1"]), _fields(tables["XML14"])
    admitted = datetime.fromisoformat(visit.checked_in_at).astimezone(VN_TZ)
    now = env.clock.now().astimezone(VN_TZ)
    assert x1["MA_LK"] == visit.ma_lk == x14["MA_LK"]
    assert x1["MA_BN"] == "001085000101" and x1["SO_CCCD"] == "001085000101"
    assert x1["HO_TEN"] == "NGUYỄN VĂN THỬ" == x14["HO_TEN"]
    assert x1["NGAY_SINH"] == "198504120000" and x1["GIOI_TINH"] == "1"
    assert x1["MA_THE_BHYT"] == "DN4010100000101" and x1["MA_DKBD"] == "01001"
    assert x1["GT_THE_TU"] == "20260101" and x1["GT_THE_DEN"] == "20301231"
    assert x1["MA_BENH_CHINH"] == "J06.9" and x1["MA_BENH_KT"] == "I10;E11.9"
    assert x1["CHAN_DOAN_RV"] == "Nhiễm trùng đường hô hấp trên cấp tính, không xác định"   # the Ministry's title
    assert x1["PP_DIEU_TRI"] == "Điều trị ngoại trú" and x1["KET_QUA_DTRI"] == "2" and x1["MA_LOAI_RV"] == "1"
    assert x1["NGAY_VAO"] == admitted.strftime("%Y%m%d%H%M") and x1["NGAY_RA"] == now.strftime("%Y%m%d%H%M")
    assert x1["NGAY_TAI_KHAM"] == follow.strftime("%Y%m%d") and x1["MA_CSKCB"] == "79001"
    assert x1["MA_KHOA"] == "K01" and x1["MA_TTDV"] == "GD79001"
    assert x14["NGAY_HEN_KL"] == follow.strftime("%Y%m%d") and x14["MA_BAC_SI"] == "BS-000123"
    assert x14["MA_BENH_CHINH"] == "J06.9" and x14["NGAY_CT"] == now.strftime("%Y%m%d")
    assert x14["MA_TTDV"] == "GD79001" and x14["SO_GIAYHEN_KL"] == "HK" + visit.ma_lk
    summary = json.loads(env.store.visits.get(visit_id).summary_json)
    assert summary["icd_main"] == "J06.9" and summary["icd_other"] == ["I10", "E11.9"]
    assert env.store.visits.get(visit_id).follow_up_date == follow.isoformat()
    entry = env.store.audit.list(limit=1, action="visit.close")[0]
    assert entry.actor == "bac.si" and "J06" not in entry.details


def test_close_with_referral_adds_xml13(desk_env):
    env = desk_env
    _, visit_id = checked_in(env)
    form = CloseForm("I10", doctor_code="BS-1", referral=ReferralForm("01002", clinical_signs="HA 180/110"))
    closed = env.desk.close.close(env.s["bac.si"], visit_id, form)
    x13 = _fields(_tables(closed.signed)["XML13"])
    x1 = _fields(_tables(closed.signed)["XML1"])
    # QĐ 3176 (the default revision): MA_CSKCB_DEN is the destination; MA_CSKCB_DI the facility that
    # referred the patient HERE (none: empty), never this facility (conformance review 2.3)
    assert x13["MA_CSKCB_DEN"] == "01002" == x1["MA_NOI_DEN"] and x13["MA_CSKCB_DI"] == "" == x1["MA_NOI_DI"]
    assert "MA_NOI_DI" not in x13 and "TINH_TRANG_CT" in x13
    assert x1["MA_LOAI_RV"] == "2" and x13["GIAY_CHUYEN_TUYEN"] == x1["GIAY_CHUYEN_TUYEN"] != ""
    assert x13["DAU_HIEU_LS"] == "HA 180/110"


def test_close_rejects_unknown_codes_and_is_atomic_with_the_outbox(desk_env):
    env = desk_env
    _, visit_id = checked_in(env)
    with pytest.raises(DeskError, match="X99.9"):
        env.desk.close.close(env.s["bac.si"], visit_id, CloseForm("X99.9"))
    visit = env.store.visits.get(visit_id)
    with env.store.transaction():      # something else already queued a different dossier for this MA_LK
        env.store.outbox.enqueue("dossier", visit.ma_lk, b"<other/>", visit_id)
    audit_before = env.store.audit.count()
    with pytest.raises(Exception, match="different signed bytes"):
        env.desk.close.close(env.s["bac.si"], visit_id, CloseForm("J06.9"))
    assert env.store.visits.get(visit_id).status == "waiting"      # the close rolled back with it
    assert env.store.audit.count() == audit_before


def test_close_refuses_a_category_with_sub_codes_as_main_diagnosis(desk_env):
    """M10: J06 has J06.0/J06.8/J06.9 - the Ministry's list says use the more specific code."""
    env = desk_env
    _, visit_id = checked_in(env)
    with pytest.raises(DeskError, match="J06.9"):
        env.desk.close.close(env.s["bac.si"], visit_id, CloseForm("J06"))
    assert env.store.visits.get(visit_id).status == "waiting"
    assert env.desk.close.close(env.s["bac.si"], visit_id, CloseForm("J06.9")).tables == ("XML1",)


def test_health_book_joins_local_visits_and_gateway_history(desk_env):
    env = desk_env
    _, visit_id = checked_in(env, "returning")
    patient_id = env.store.visits.get(visit_id).patient_id
    with pytest.raises(PermissionDenied):
        env.desk.book.book(env.s["le.tan"], patient_id)
    env.desk.book.save_notes(env.s["bac.si"], patient_id, "Penicillin", "Tăng huyết áp")
    book = env.desk.book.book(env.s["bac.si"], patient_id)
    assert book.allergies == "Penicillin" and book.chronic_conditions == "Tăng huyết áp"
    assert [v.visit_id for v in book.visits] == [visit_id]
    assert book.history_error is None and book.history[0].disease == "Viêm dạ dày"


def test_dead_letter_fix_and_resend_reaches_the_gateway(desk_env, gateway_client, tmp_path):
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.store.migrate import open_connection
    from kiosk.sync.lock import WorkerLock
    from kiosk.sync.worker import SyncSettings, SyncWorker
    env = desk_env
    _, visit_id = checked_in(env)
    good_sign = env.ctx.sign
    rogue = ensure_dev_identity(tmp_path / "rogue", "79001")          # a key the gateway does not know
    env.ctx.sign = pkcs12_signer(rogue.p12_path, rogue.password).sign
    closed = env.desk.close.close(env.s["bac.si"], visit_id, CloseForm("J06.9"))
    worker = SyncWorker(lambda: open_connection(env.cfg.data_dir, env.key), gateway_client, facility_code="79001",
                        clock=env.clock, rng=random.Random(1), settings=SyncSettings(batch_size=8, concurrency=1),
                        lock=WorkerLock.for_data_dir(env.cfg.data_dir))
    worker.run_once()
    queue = env.desk.queue
    dead = queue.items(env.s["le.tan"], "dead")
    assert [r.item_id for r in dead] == [closed.outbox_id]
    assert dead[0].gateway_message                                     # the gateway's words are kept
    with pytest.raises(PermissionDenied):
        queue.fix_and_resend(env.s["bac.si"], closed.outbox_id, Corrections())
    env.ctx.sign = good_sign                                           # the technician installed the right key
    payload = queue.fix_and_resend(env.s["le.tan"], closed.outbox_id, Corrections(icd_main="J02.9"))
    assert _fields(_tables(payload)["XML1"])["MA_BENH_CHINH"] == "J02.9"
    assert env.store.outbox.get(closed.outbox_id).state is OutboxState.PENDING
    worker.run_once()
    item = env.store.outbox.get(closed.outbox_id)
    assert item.state is OutboxState.ACKED and item.receipt.ma_giao_dich
    receipts = queue.receipts(env.s["le.tan"])
    assert closed.outbox_id in [r.id for r in receipts]
    assert ("le.tan", "outbox.fix_resend") in audit_actions(env)
    assert env.audit.verify().ok
