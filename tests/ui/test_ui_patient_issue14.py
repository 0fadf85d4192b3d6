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


def _confirm_texts(qapp, kiosk_ui, patient, elig):
    from kiosk.ui.demo.capture import settle
    ui, _, _ = kiosk_ui
    ui.window.show_now(c.Confirm(1, patient, elig))
    settle(qapp)
    return ui.window.screens["confirm"]


def test_a_young_child_is_confirmed_by_the_guardian(qapp, qtbot, kiosk_ui):
    """Minor 6: a 4-year-old is not asked "is this you?"; the guardian's name on the TE card shows
    (masked) and the guidance says the guardian gives their own name; the ticket says it too."""
    from kiosk.core import messages as msg
    from kiosk.core.views import EligibilityView, InsuranceStatus, PatientView, ReadSource, TicketView
    from kiosk.devices.printer import layout_of
    child = PatientView("LÊ M** A", 2022, "** * ** ****** 0303", ReadSource.QR, age=4, gender=2, guardian="LÊ T** M")
    confirm = _confirm_texts(qapp, kiosk_ui, child, EligibilityView(InsuranceStatus.VALID, msg.CHECKING))
    assert confirm.title.text() == "Đây có phải là thông tin của trẻ đi cùng ông/bà?"
    assert confirm.note.isVisibleTo(confirm) and confirm.source.text() == "Người giám hộ trên thẻ: LÊ T** M"
    assert "giám hộ" in confirm.note.text() and confirm.no.text() == "Không phải"
    adult = PatientView("NGUYỄN V** A", 1980, "*** *** 1234", ReadSource.QR, age=46)
    confirm = _confirm_texts(qapp, kiosk_ui, adult, EligibilityView(InsuranceStatus.VALID, msg.CHECKING))
    assert confirm.title.text() == "Ông/bà có phải là người này?" and not confirm.note.isVisibleTo(confirm)
    t = TicketView(1, "B1-U002", "K02", "Khám Nhi", "Paediatrics", "105", None, 3, "q", "2026-11-20 08:30", child=True)
    ui = kiosk_ui[0]
    ui.window.show_now(c.TicketShown(1, t, printed=True))
    assert "người giám hộ" in ui.window.screens["ticket"].note.text()
    assert any("guardian" in line for line in layout_of(__import__("dataclasses").replace(t, language="en")).lines)
    assert any("giám hộ" in line for line in layout_of(t).lines)


def test_bhyt_only_identity_is_masked_as_a_card_not_as_a_cccd():
    """Minor 6: a BHYT-only person (no CCCD) sees the card masked in the card's own grouping."""
    from datetime import date
    from kiosk.checkin.resolver import patient_view
    from kiosk.core.views import ReadSource
    from kiosk.demo.people import by_key
    from kiosk.identity.mask import mask_card
    ident = by_key("year_only").identity
    assert ident.cccd is None and ident.bhyt is not None
    view = patient_view(ident, ReadSource.QR, date(2026, 11, 20), returning=False)
    assert view.masked_number == "** * ** ****** 0707"
    assert mask_card("4006000606") == "****** 0606" and mask_card("") == ""
    child = patient_view(by_key("child_te").identity, ReadSource.QR, date(2026, 11, 20), returning=False)
    assert child.age is not None and child.age < 6 and child.guardian == "LÊ T** M"


def test_keys_never_move_at_any_size_or_text_size(qapp, qtbot, kiosk_ui):
    """M7: while a 12-digit CCCD or a 15-character BHYT code is typed, no key moves (every size)."""
    from kiosk.ui.demo.capture import settle
    ui, _, _ = kiosk_ui
    ui.window.show()
    screen = ui.window.screens["keypad"]
    for size in ((1024, 768), (1366, 768), (768, 1366), (1080, 1920)):
        ui.window.resize(*size)
        for large in (False, True):
            ui.window.apply_accessibility(large, False)
            places = set()
            for text in ("", "0", "079085000001", "DN4797932123456"):
                ui.window.show_now(c.Keypad(1, text))
                settle(qapp)
                key = screen.keypad.keys["1"]
                places.add((key.mapTo(ui.window, key.rect().topLeft()).toTuple(), key.size().toTuple()))
            assert len(places) == 1, (size, large, places)
