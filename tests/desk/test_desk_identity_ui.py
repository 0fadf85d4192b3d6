"""Issue 14 M7, the desk screen: reception confirms a nameless first visit (a number typed on the kiosk
keypad) in the real desk window, over the real store, signer and gateway simulator. The typed number is
shown, never retyped; refused fields are answered inside the dialog; the held check-in (XML0) is queued
exactly once; the button is off for a visit whose patient has a name."""
from __future__ import annotations

import pytest
from lxml import etree

from kiosk.core.status import VisitStatus
from kiosk.demo.people import by_key
from kiosk.desk.visits import UNCONFIRMED_NAME, VisitFilter
from kiosk.ui.qt import Qt

from tests.desk.conftest import demo_form, nameless_visit, settle, shoot

pytestmark = [pytest.mark.ui, pytest.mark.integration]


@pytest.fixture
def open_desk(qtbot, desk_env, worker):
    from kiosk.ui.desk.window import DeskWindow

    def open_as(username: str):
        w = DeskWindow(desk_env.desk, worker, desk_env.s[username], refresh_ms=0)
        w.resize(1366, 768)
        qtbot.addWidget(w)
        w.show()
        settle(qtbot, worker)
        return w
    return open_as


def _show(qtbot, w, worker, flt: VisitFilter) -> None:
    qtbot.mouseClick(w.visits.filter_buttons[flt], Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert w.visits.table.rowCount() == 1
    w.visits.table.selectRow(0)
    settle(qtbot, worker)
    assert w.visits.detail is not None


def _checkins(env, ma_lk: str) -> int:
    return env.store.conn.execute("SELECT count(*) FROM outbox WHERE kind = 'checkin' AND ma_lk = ?",
                                  (ma_lk,)).fetchone()[0]


def _fill(qtbot, dialog, name: str, born: str, sex: int | None) -> None:
    dialog.full_name.setText(name)         # (QTest.keyClicks aborts on characters outside Latin-1)
    dialog.birth_date.setText(born)
    dialog.gender.setCurrentIndex(dialog.gender.findData(sex))


def test_reception_confirms_a_nameless_visit_in_the_desk_window(qtbot, desk_env, open_desk, worker):
    env = desk_env
    person = by_key("valid_bhyt").identity                   # NGUYỄN VĂN THỬ, male, 12/04/1985
    typed = person.cccd.number
    visit_id = nameless_visit(env, typed)
    ma_lk = env.store.visits.get(visit_id).ma_lk
    patient_id = env.store.visits.get(visit_id).patient_id
    w = open_desk("le.tan")
    _show(qtbot, w, worker, VisitFilter.NEEDS_DESK)
    button = w.visits.buttons["identity"]
    assert UNCONFIRMED_NAME in w.visits.d_title.text()
    assert button.isVisible() and button.isEnabled() and not button.toolTip()
    assert "tiếp nhận (XML0)" not in w.visits.d_body.text()     # held: nothing to upload yet
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = w.dialog
    assert dialog is not None and dialog.objectName() == "ConfirmIdentityDialog" and dialog.isVisible()
    assert typed in dialog.number.text() and dialog.number.isReadOnly()   # shown, never retyped
    assert dialog.gender.currentData() is None                             # no default sex

    # the sex is not chosen: answered in the dialog, nothing sent to the desk service
    _fill(qtbot, dialog, "nguyễn văn thử", "12/04/1985", None)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "Giới tính / sex: chưa chọn" in dialog.error.text() and not worker.busy
    # a sex that the typed CCCD's gender digit contradicts: the service refuses, the dialog says why
    _fill(qtbot, dialog, "nguyễn văn thử", "12/04/1985", 2)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert dialog.isVisible()
    assert "chữ số giới tính trong số CCCD không khớp" in dialog.error.text()
    assert "gender digit disagrees" in dialog.error.text()
    assert dialog.ok.isEnabled() and dialog.full_name.text() == "nguyễn văn thử"   # what was typed stays
    # a birth date that is no date
    _fill(qtbot, dialog, "nguyễn văn thử", "31/02/1985", 1)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert dialog.isVisible() and "Ngày sinh / birth date: ngày không hợp lệ" in dialog.error.text()
    assert env.store.patients.get(patient_id).full_name is None and _checkins(env, ma_lk) == 0
    shoot(dialog, "desk_confirm_identity")

    _fill(qtbot, dialog, "  nguyễn   văn thử ", "12/04/1985", 1)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    settle(qtbot, worker)                    # the detail reload the success starts
    assert not dialog.isVisible()
    patient = env.store.patients.get(patient_id)
    assert (patient.full_name, patient.birth_date, patient.gender) == ("NGUYỄN VĂN THỬ", "1985-04-12", 1)
    assert _checkins(env, ma_lk) == 1                          # the held XML0, queued exactly once
    item = env.store.outbox.find("checkin", ma_lk)
    assert etree.fromstring(item.payload).findtext(".//HO_TEN") == "NGUYỄN VĂN THỬ"
    assert env.store.visits.get(visit_id).status is VisitStatus.WAITING    # the card checked at once (000)
    # the window shows the name, the queued check-in and turns the button off
    assert "NGUYỄN VĂN THỬ" in w.visits.d_title.text() and UNCONFIRMED_NAME not in w.visits.d_title.text()
    assert "tiếp nhận (XML0): chờ gửi / pending" in w.visits.d_body.text()
    assert not button.isEnabled() and "already confirmed" in button.toolTip()
    assert "identity confirmed" in w.status.text()
    qtbot.mouseClick(w.visits.filter_buttons[VisitFilter.ALL], Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    names = [w.visits.table.item(r, 1).text() for r in range(w.visits.table.rowCount())]
    assert names == ["NGUYỄN VĂN THỬ"]


def test_the_button_is_off_for_a_named_patient_and_hidden_from_a_clinician(qtbot, desk_env, open_desk, worker):
    env = desk_env
    env.desk.checkin.check_in(env.s["le.tan"], demo_form("expired_bhyt"))    # a normal visit (needs desk: 010)
    w = open_desk("le.tan")
    _show(qtbot, w, worker, VisitFilter.NEEDS_DESK)
    button = w.visits.buttons["identity"]
    assert button.isVisible() and not button.isEnabled()
    assert "đã được xác nhận" in button.toolTip() and "already confirmed" in button.toolTip()
    w.sign_out()
    settle(qtbot, worker)
    nameless_visit(env, "079085000001")
    c = open_desk("bac.si")                    # no manual check-in right: no identity button either
    assert not c.visits.buttons["identity"].isVisible()


def test_the_facility_desk_confirms_only_a_visit_it_has_shown(qtbot, desk_env):
    """The hub desk's identity service (kiosk.facility.hub_identity, tested against the real hub in
    tests/facility/test_hub_identity.py) compare-and-sets on the version it showed: nothing shown,
    nothing decided, and the hub is not even asked."""
    from kiosk.desk.context import DeskError
    from kiosk.facility.hub_desk import HubDesk, HubDeskContext
    ctx = HubDeskContext(None, desk_env.accounts, desk_env.audit, desk_env.clock, desk_env.ctx.settings, None)
    with pytest.raises(DeskError, match="load the visit before changing it"):
        HubDesk(ctx).identity.confirm(desk_env.s["le.tan"], "MA_LK", "NGUYỄN VĂN A", "1985", 1)
