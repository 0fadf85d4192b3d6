"""Issue 14, patient side, over the real check-in service and state machine (port fakes): printer
trouble (M2), a card the desk must check (B3), one question on the confirm screen."""
from __future__ import annotations

import pytest

from kiosk.core import checkin as c
from kiosk.core.views import PrinterFaultKind
from tests.ui.test_ui_screens import scan, tap, wait_state
from tests.ui.ui_fakes import EXPIRED

pytestmark = pytest.mark.ui


def _to_service(qtbot, ui):
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    confirm = ui.window.screens["confirm"]
    qtbot.waitUntil(lambda: confirm.yes.isEnabled())
    tap(qtbot, confirm.yes)
    return wait_state(qtbot, ui, c.ChooseService)


def test_paper_out_on_screen_ticket_stays_until_noted_and_idle_warns(qtbot, kiosk_ui, ports):
    ui, service, _ = kiosk_ui
    idle = ui.window.screens["idle"]
    assert not idle.printer_notice.isVisibleTo(idle)
    ports["printer"].faults = [PrinterFaultKind.PAPER_OUT]
    s = _to_service(qtbot, ui)
    tap(qtbot, ui.window.screens["service"].service_buttons[s.services[0].code])
    wait_state(qtbot, ui, c.PrinterFailed)
    ui.service.post(c.ShowOnScreen())
    wait_state(qtbot, ui, c.TicketShown)
    ticket = ui.window.screens["ticket"]
    assert ticket.done.text() == "Tôi đã ghi nhớ"
    qtbot.mouseClick(ticket.card, __import__("kiosk.ui.qt", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    assert isinstance(ui.window.state, c.TicketShown)        # a stray tap does not end it
    tap(qtbot, ticket.done)
    wait_state(qtbot, ui, c.Idle)
    assert idle.printer_notice.isVisibleTo(idle) and "hết giấy" in idle.printer_notice.text()


def test_expired_card_is_no_red_dead_end(qtbot, kiosk_ui, ports):
    ui, service, _ = kiosk_ui
    ports["checker"].answer = EXPIRED
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    confirm = ui.window.screens["confirm"]
    qtbot.waitUntil(lambda: "quầy" in confirm.insurance.text())
    assert confirm.insurance.property("role") != "bad"        # never red next to a green "continue"
    assert not confirm.question.isVisibleTo(confirm)           # one question: the title's
    tap(qtbot, confirm.yes)
    s = wait_state(qtbot, ui, c.ChooseService)
    tap(qtbot, ui.window.screens["service"].service_buttons[s.services[0].code])
    wait_state(qtbot, ui, c.TicketShown)
    assert ports["issuer"].issued[-1].eligibility.status.value == "needs_desk"


def test_keys_never_move_while_typing(qapp, qtbot, kiosk_ui):
    from kiosk.ui.demo.capture import settle
    ui, service, _ = kiosk_ui
    ui.window.resize(1920, 1080)
    ui.window.show()
    screen = ui.window.screens["keypad"]
    places = []
    for text in ("0", "079085000001", "DN4010100000101", "DN40101000001019999"):
        ui.window.show_now(c.Keypad(1, text))
        settle(qapp)
        key = screen.keypad.keys["1"]
        places.append((key.mapTo(ui.window, key.rect().topLeft()).toTuple(), key.size().toTuple()))
    assert len(set(places)) == 1, places


def test_bhyt_code_grouped_by_its_parts():
    from kiosk.ui.patient.keypad import group_digits
    assert group_digits("DN4010100000101") == "DN 4 01 01000 00101"
    assert group_digits("079085000001") == "079 085 000 001"
    assert group_digits("DN40") == "DN 4 0"


def test_still_there_warning_before_the_inactivity_reset(qtbot, kiosk_ui):
    """Minor 1: a slow patient is asked before being thrown back to idle; a touch keeps them."""
    ui, service, _ = kiosk_ui
    ui.window.inactivity_s = 12.5                      # the warning 10 s before: after 2.5 s
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    warn = ui.window.still_there
    assert not warn.isVisible()
    qtbot.waitUntil(warn.isVisible, timeout=6000)
    assert isinstance(ui.window.state, c.Confirm) and "còn ở đây" in warn.text()
    qtbot.mouseClick(ui.window.screens["confirm"].title, __import__("kiosk.ui.qt", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not warn.isVisible(), timeout=2000)


def test_not_me_gives_guidance(qtbot, kiosk_ui):
    ui, service, _ = kiosk_ui
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    tap(qtbot, ui.window.screens["confirm"].no)
    wait_state(qtbot, ui, c.Problem)
    err = ui.window.screens["error"]
    assert "quầy tiếp đón" in err.detail.text()
