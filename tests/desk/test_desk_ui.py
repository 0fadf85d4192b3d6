"""pytest-qt flows of the desk window over the real desk services, store, signer and simulator:
override, close-visit (the XML1/XML14 checked field by field), dead-letter fix-and-resend."""
from __future__ import annotations

import base64
import random
from datetime import timedelta

import pytest
from lxml import etree

from kiosk.core.clock import VN_TZ
from kiosk.ui.qt import Qt

from tests.desk.conftest import demo_form, settle, shoot

pytestmark = [pytest.mark.ui, pytest.mark.integration]


@pytest.fixture
def desk_window(qtbot, desk_env, worker):
    from kiosk.ui.desk.window import DeskWindow

    def open_as(username: str):
        w = DeskWindow(desk_env.desk, worker, desk_env.s[username], refresh_ms=0)
        w.resize(1366, 768)
        qtbot.addWidget(w)
        w.show()
        settle(qtbot, worker)
        return w
    return open_as


def fields(xml: bytes) -> dict[str, str]:
    return {c.tag: c.text or "" for c in etree.fromstring(xml)}


def tables(signed: bytes) -> dict[str, bytes]:
    root = etree.fromstring(signed)
    return {f.findtext("LOAIHOSO"): base64.b64decode(f.findtext("NOIDUNGFILE")) for f in root.iter("FILEHOSO")}


def select_visit(qtbot, w, worker, row: int = 0):
    w.visits.table.selectRow(row)
    settle(qtbot, worker)
    assert w.visits.detail is not None


def test_override_flow_needs_a_reason(qtbot, desk_env, desk_window, worker):
    env = desk_env
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("expired_bhyt"))
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    w = desk_window("le.tan")
    qtbot.mouseClick(w.visits.filter_buttons[list(w.visits.filter_buttons)[3]], Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert w.visits.table.rowCount() == 1                         # only the needs-desk visit
    select_visit(qtbot, w, worker)
    assert "010" in w.visits.d_elig.text() and "expired" in w.visits.d_elig.text()
    shoot(w, "desk_visits")
    qtbot.mouseClick(w.visits.buttons["override"], Qt.MouseButton.LeftButton)
    dlg = w.dialog
    assert "010" in dlg.code_label.text() and not dlg.ok.isEnabled()
    dlg.reason.setPlainText("abc")
    assert not dlg.ok.isEnabled()
    dlg.reason.setPlainText("Đã xem thẻ gia hạn bản giấy")
    assert not dlg.accept_card.isChecked() and not dlg.fee.isChecked()     # minor 17: no risky default
    assert not dlg.ok.isEnabled()
    dlg.accept_card.setChecked(True)
    assert dlg.ok.isEnabled()
    shoot(dlg, "desk_override")
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    visit_id = w.visits.detail.visit.id
    assert env.store.visits.get(visit_id).status == "waiting"
    entry = env.store.audit.list(limit=1, action="eligibility.override")[0]
    assert entry.actor == "le.tan" and "Đã xem thẻ" in entry.details
    w.visits.search.setText("TRẦN THỊ")
    qtbot.waitUntil(lambda: w.visits.table.rowCount() == 0)        # still on the needs-desk filter
    w.visits.set_filter(w.visits.filter.__class__.ALL)
    settle(qtbot, worker)
    assert w.visits.table.rowCount() == 1


def test_close_visit_flow_produces_xml1_and_xml14(qtbot, desk_env, desk_window, worker):
    env = desk_env
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    w = desk_window("bac.si")
    assert not w.tabs.isTabVisible(1) and not w.visits.buttons["override"].isVisible()
    select_visit(qtbot, w, worker)
    qtbot.mouseClick(w.visits.buttons["close"], Qt.MouseButton.LeftButton)
    dlg = w.dialog
    with qtbot.waitSignal(dlg.searched, timeout=10000):
        dlg.search.setText("acute upper respiratory")
    assert "J06.9" in [dlg.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dlg.results.count())]
    for i in range(dlg.results.count()):
        if dlg.results.item(i).data(Qt.ItemDataRole.UserRole) == "J06.9":
            dlg.results.setCurrentRow(i)
    qtbot.mouseClick(dlg.set_main, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dlg.searched, timeout=10000):
        dlg.search.setText("I10")
    qtbot.mouseClick(dlg.add_other, Qt.MouseButton.LeftButton)
    dlg.treatment.setPlainText("Kháng sinh 5 ngày")
    dlg.outcome.setCurrentIndex(dlg.outcome.findData(2))
    dlg.doctor.setText("BS-000777")
    dlg.follow_box.setChecked(True)
    follow = (env.clock.now().astimezone(VN_TZ) + timedelta(days=10)).date()
    from kiosk.ui.qt import QDate
    dlg.follow_date.setDate(QDate(follow.year, follow.month, follow.day))
    shoot(dlg, "desk_close_visit")
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    visit = env.store.visits.get(w.visits.detail.visit.id)
    assert visit.status == "closed"
    item = env.store.outbox.find("dossier", visit.ma_lk)
    t = tables(item.payload)
    assert set(t) == {"XML1", "XML14"}
    x1, x14 = fields(t["XML1"]), fields(t["XML14"])
    assert x1["MA_LK"] == x14["MA_LK"] == visit.ma_lk
    assert x1["HO_TEN"] == x14["HO_TEN"] == "NGUYỄN VĂN THỬ"
    assert x1["MA_BENH_CHINH"] == x14["MA_BENH_CHINH"] == "J06.9"
    assert x1["MA_BENH_KT"] == x14["MA_BENH_KT"] == "I10"
    assert x1["PP_DIEU_TRI"] == "Kháng sinh 5 ngày" and x1["KET_QUA_DTRI"] == "2"
    assert x1["NGAY_TAI_KHAM"] == x14["NGAY_HEN_KL"] == follow.strftime("%Y%m%d")
    assert x14["MA_BAC_SI"] == "BS-000777" and x1["MA_THE_BHYT"] == "DN4010100000101"
    assert "Đã đóng" in w.status.text() or "closed" in w.status.text()


def test_dead_letter_fix_and_resend_flow(qtbot, desk_env, desk_window, worker, gateway_client, tmp_path):
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.desk.close import CloseForm
    from kiosk.store.migrate import open_connection
    from kiosk.sync.lock import WorkerLock
    from kiosk.sync.worker import SyncSettings, SyncWorker
    env = desk_env
    ticket = env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    visit_id = env.store.tickets.get(ticket.ticket_id).visit_id
    good = env.ctx.sign
    rogue = ensure_dev_identity(tmp_path / "rogue", "79001")
    env.ctx.sign = pkcs12_signer(rogue.p12_path, rogue.password).sign
    closed = env.desk.close.close(env.s["bac.si"], visit_id, CloseForm("J06.9"))
    env.ctx.sign = good
    sync = SyncWorker(lambda: open_connection(env.cfg.data_dir, env.key), gateway_client, facility_code="79001",
                      clock=env.clock, rng=random.Random(2), settings=SyncSettings(batch_size=8, concurrency=1),
                      lock=WorkerLock.for_data_dir(env.cfg.data_dir))
    sync.run_once()
    w = desk_window("le.tan")
    w.tabs.setCurrentIndex(2)
    settle(qtbot, worker)
    q = w.queue
    states = [q.table.item(r, 2).text() for r in range(q.table.rowCount())]
    assert any("refused" in s for s in states)
    q.select(closed.outbox_id)
    assert q.table.item(q.table.currentRow(), 5).text()               # the gateway's message is shown
    shoot(w, "desk_upload_queue")
    qtbot.mouseClick(q.fix_btn, Qt.MouseButton.LeftButton)
    dlg = q.dialog
    dlg.fields["icd_main"].setText("J02.9")
    shoot(dlg, "desk_fix_resend")
    qtbot.mouseClick(dlg.findChild(type(q.fix_btn), "FixOk"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    item = env.store.outbox.get(closed.outbox_id)
    assert item.state.value == "pending"
    assert fields(tables(item.payload)["XML1"])["MA_BENH_CHINH"] == "J02.9"
    sync.run_once()
    q.refresh()
    settle(qtbot, worker)
    _it = env.store.outbox.get(closed.outbox_id)
    assert _it.state.value == "acked", (_it.last_code, _it.last_error)
    receipts = [q.receipts.item(r, 1).text() for r in range(q.receipts.rowCount())]
    assert closed.visit.ma_lk in receipts


def test_sign_in_dialog_and_lockout(qtbot, desk_env, worker):
    from kiosk.ui.desk.signin import SignInDialog
    dlg = SignInDialog(desk_env.accounts, worker)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.user.setText("le.tan")
    for d in "111111":
        qtbot.mouseClick(dlg.keys[d], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dlg.keys["OK"], Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "wrong" in dlg.message.text() and dlg.session is None
    dlg.user.setText("BADGE-0001")                     # a scanned badge + the PIN
    for d in "604918":
        qtbot.mouseClick(dlg.keys[d], Qt.MouseButton.LeftButton)
    shoot(dlg, "desk_sign_in")
    with qtbot.waitSignal(dlg.signed_in, timeout=10000) as got:
        qtbot.mouseClick(dlg.keys["OK"], Qt.MouseButton.LeftButton)
    assert got.args[0].username == "le.tan"


def test_staff_gesture_five_taps_in_the_corner(qtbot, qapp):
    from kiosk.ui.desk.gesture import install_staff_gesture
    from kiosk.ui.qt import QPoint, QWidget
    w = QWidget()
    w.resize(600, 800)
    qtbot.addWidget(w)
    w.show()
    hits = []
    gesture = install_staff_gesture(w, lambda: hits.append(1))
    try:
        for _ in range(4):
            qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=QPoint(300, 400))   # a tap elsewhere resets
        assert hits == []
        for _ in range(5):
            qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
        assert hits == [1]
        qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))    # a 3 s press
        qtbot.waitUntil(lambda: hits == [1, 1], timeout=5000)
        qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    finally:
        qapp.removeEventFilter(gesture)


def test_manual_checkin_page_and_health_book(qtbot, desk_env, desk_window, worker):
    env = desk_env
    w = desk_window("admin")
    w.tabs.setCurrentIndex(1)
    page = w.checkin
    page.fields["full_name"].setText("Vũ Văn Tái Khám")
    page.fields["birth_date"].setText("11/11/1978")
    page.fields["cccd"].setText("040078000607")          # wrong: the typed gender is female below
    page.gender.setCurrentIndex(page.gender.findData(2))
    page.fields["card"].setText("4006000606")
    qtbot.mouseClick(page.issue_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert page.error.text().startswith("Số CCCD / citizen ID: chữ số giới tính")
    assert w.status.text() == ""             # said once, next to the field, not again in the status line
    page.gender.setCurrentIndex(page.gender.findData(1))
    shoot(w, "desk_manual_checkin")
    with qtbot.waitSignal(page.issued, timeout=10000) as got:
        qtbot.mouseClick(page.issue_btn, Qt.MouseButton.LeftButton)
    ticket = got.args[0]
    assert ticket.number in page.result.text()
    settle(qtbot, worker)
    w.tabs.setCurrentIndex(0)
    select_visit(qtbot, w, worker)
    qtbot.mouseClick(w.visits.buttons["book"], Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    book = w.dialog
    assert book.history.rowCount() == 1 and book.history.item(0, 3).text() == "Viêm dạ dày"
    book.allergies.setText("Penicillin")
    qtbot.mouseClick(book.findChild(type(page.issue_btn), "BookSave"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    patient = env.store.patients.get(w.visits.detail.patient.id)
    assert patient.allergies == "Penicillin"
    shoot(book, "desk_health_book")


def test_live_refresh_does_not_keep_an_idle_session_alive(qtbot, desk_env, desk_window, worker):
    w = desk_window("le.tan")
    for _ in range(2):                       # refreshes every two minutes, nobody touches anything
        desk_env.clock.advance(110)
        w.visits.refresh()
        settle(qtbot, worker)
        assert w.ctl.session is not None
    with qtbot.waitSignal(w.signed_out, timeout=5000):
        desk_env.clock.advance(110)          # 5.5 minutes since the sign-in, the last real action
        w.visits.refresh()
    assert w.ctl.session is None and "sign in again" in w.status.text()


def test_close_dialog_searches_vietnamese_titles_and_refuses_a_category_as_main(qtbot, desk_env, desk_window, worker):
    """M10 in the window: "viem hong" lists the Ministry's titles; J02 (it has sub-codes) cannot be the main code."""
    env = desk_env
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("valid_bhyt"))
    w = desk_window("bac.si")
    select_visit(qtbot, w, worker)
    qtbot.mouseClick(w.visits.buttons["close"], Qt.MouseButton.LeftButton)
    dlg = w.dialog
    with qtbot.waitSignal(dlg.searched, timeout=10000):
        dlg.search.setText("viem hong")
    codes = [dlg.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dlg.results.count())]
    assert codes[0] == "J02" and "J02.9" in codes
    assert "Viêm họng cấp tính" in dlg.results.item(0).text()
    dlg.results.setCurrentRow(0)
    qtbot.mouseClick(dlg.set_main, Qt.MouseButton.LeftButton)
    assert dlg.main_code is None and not dlg.ok.isEnabled() and "J02" in dlg.error.text()
    dlg.results.setCurrentRow(codes.index("J02.9"))
    qtbot.mouseClick(dlg.set_main, Qt.MouseButton.LeftButton)
    assert dlg.main_code == "J02.9" and dlg.ok.isEnabled() and dlg.error.text() == ""
    dlg.reject()


def test_manual_checkin_prints_shows_the_card_answer_and_never_defaults_the_sex(qtbot, desk_env, desk_window, worker):
    """M11: the sex must be chosen; the ticket prints; the gateway's answer (010 expired) is shown; the
    messages name the field in Vietnamese and English."""
    env = desk_env
    w = desk_window("le.tan")
    w.tabs.setCurrentIndex(1)
    page = w.checkin
    assert page.gender.currentData() is None                     # no "Nam / male" default
    from kiosk.demo.people import by_key
    ident = by_key("expired_bhyt").identity
    page.fields["full_name"].setText(ident.full_name)
    page.fields["birth_date"].setText(ident.birth_date.as_date().strftime("%d/%m/%Y"))
    page.fields["cccd"].setText(ident.cccd.number)
    page.fields["card"].setText(ident.bhyt.code15)
    qtbot.mouseClick(page.issue_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert page.error.text().startswith("Giới tính / sex: chưa chọn / choose")
    from kiosk.desk.visits import VisitFilter
    assert env.desk.visits.visits(env.s["le.tan"], VisitFilter.ALL) == []     # nothing issued
    page.gender.setCurrentIndex(page.gender.findData(int(ident.person.gender)))
    printed_before = len(env.printer.printed)
    with qtbot.waitSignal(page.issued, timeout=10000) as got:
        qtbot.mouseClick(page.issue_btn, Qt.MouseButton.LeftButton)
    r = got.args[0]
    assert r.gateway_code == "010" and "010" in page.card.text() and "expired" in page.card.text()
    assert r.printed and len(env.printer.printed) == printed_before + 1 and env.printer.printed[-1].exists()
    assert "Đã in phiếu / ticket printed" == page.printed.text()
    assert page.gender.currentData() is None                     # the next patient chooses again
    # out of paper: the ticket is issued, the page says it did not print, the alert lists the printer
    env.printer.set_fault("paper_out")
    ident = by_key("valid_bhyt").identity
    page.fields["full_name"].setText(ident.full_name)
    page.fields["birth_date"].setText(ident.birth_date.as_date().strftime("%d/%m/%Y"))
    page.fields["cccd"].setText(ident.cccd.number)
    page.gender.setCurrentIndex(page.gender.findData(int(ident.person.gender)))
    with qtbot.waitSignal(page.issued, timeout=10000) as got:
        qtbot.mouseClick(page.issue_btn, Qt.MouseButton.LeftButton)
    assert not got.args[0].printed and "paper_out" in page.printed.text()
    settle(qtbot, worker)
    qtbot.waitUntil(lambda: "printer" in w.alert_keys)


def test_the_local_desk_list_has_no_kiosk_column(qtbot, desk_env, desk_window, worker):
    desk_env.desk.checkin.check_in(desk_env.s["le.tan"], demo_form("valid_bhyt"))
    w = desk_window("le.tan")
    headers = [w.visits.table.horizontalHeaderItem(c).text() for c in range(w.visits.table.columnCount())]
    assert w.visits.table.rowCount() == 1 and "Ki-ốt" not in headers and len(headers) == 7
