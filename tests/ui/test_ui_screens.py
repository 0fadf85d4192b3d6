"""Patient screens over the real check-in service and state machine (port fakes): taps, keypad,
language switch mid-flow, inactivity reset, nothing personal left after it, touch target sizes."""
from __future__ import annotations

import pytest

from kiosk.core import checkin as c
from kiosk.core.views import PrinterFaultKind
from kiosk.ui.qt import QLabel, QAbstractButton, Qt
from tests.ui.ui_fakes import FULL_NUMBER, MASKED

pytestmark = pytest.mark.ui


def wait_state(qtbot, ui, kind, timeout=3000):
    qtbot.waitUntil(lambda: isinstance(ui.window.state, kind), timeout=timeout)
    return ui.window.state


def tap(qtbot, widget):
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def visible_texts(ui):
    screen = ui.window.current_screen()
    return [lab.text() for lab in screen.findChildren(QLabel) if lab.isVisible()] + \
           [b.text() for b in screen.findChildren(QAbstractButton) if b.isVisible()]


def all_texts(ui):
    out = []
    for screen in ui.window.screens.values():
        out += [lab.text() for lab in screen.findChildren(QLabel)]
        out += [b.text() for b in screen.findChildren(QAbstractButton)]
    return out


def scan(ui, payload=b"001085000101|...|QR"):
    ui.service.post(c.QrScanned(payload))


def test_qr_to_ticket_by_taps(qtbot, kiosk_ui, ports):
    ui, service, _ = kiosk_ui
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    confirm = ui.window.screens["confirm"]
    assert confirm.name.text() == MASKED and confirm.number.text() == "*** *** 1234"
    assert confirm.birth.text() == "1986"
    qtbot.waitUntil(lambda: "còn hiệu lực" in confirm.insurance.text())
    tap(qtbot, confirm.yes)
    s = wait_state(qtbot, ui, c.ChooseService)
    service_screen = ui.window.screens["service"]
    tap(qtbot, service_screen.service_buttons[s.services[0].code])
    wait_state(qtbot, ui, c.TicketShown)
    ticket = ui.window.screens["ticket"]
    assert ticket.number.text() == "A1-001"
    assert ticket.room.text() == "Mời ông/bà đến phòng 101"
    assert ticket.qr.payload.startswith("KT1|") and FULL_NUMBER not in ticket.qr.payload
    assert ports["printer"].tickets == ["A1-001"]
    tap(qtbot, ticket.done)
    wait_state(qtbot, ui, c.Idle)


def test_keypad_types_and_submits(qtbot, kiosk_ui, ports):
    ui, service, _ = kiosk_ui
    tap(qtbot, ui.window.screens["idle"].keypad_way.action)
    wait_state(qtbot, ui, c.Keypad)
    pad = ui.window.screens["keypad"]
    for ch in "0790":
        tap(qtbot, pad.keypad.keys[ch])
    qtbot.waitUntil(lambda: pad.entry.text().replace(" ", "") == "0790")
    tap(qtbot, pad.keypad.backspace[0])
    qtbot.waitUntil(lambda: pad.entry.text().replace(" ", "") == "079")
    tap(qtbot, pad.keypad.to_letters)
    tap(qtbot, pad.keypad.keys["D"])
    qtbot.waitUntil(lambda: pad.entry.text().replace(" ", "") == "079D")
    tap(qtbot, pad.ok)
    wait_state(qtbot, ui, c.Confirm)
    assert ports["resolver"].reads[-1][1] == "079D"


def test_language_switch_mid_flow(qtbot, kiosk_ui):
    ui, service, _ = kiosk_ui
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    confirm = ui.window.screens["confirm"]
    assert confirm.yes.text() == "Đúng, tiếp tục"
    tap(qtbot, ui.window.language_button)
    qtbot.waitUntil(lambda: confirm.yes.text() == "Yes, continue")
    assert confirm.no.text() == "This is not me"
    assert "valid" in confirm.insurance.text()
    assert isinstance(ui.window.state, c.Confirm)          # the flow did not move
    tap(qtbot, confirm.yes)
    wait_state(qtbot, ui, c.ChooseService)
    svc = ui.window.screens["service"]
    assert "General internal medicine" in svc.service_buttons["K01"].text()
    tap(qtbot, ui.window.language_button)
    qtbot.waitUntil(lambda: "Khám Nội tổng quát" in svc.service_buttons["K01"].text())


def test_inactivity_reset_leaves_nothing_personal(qtbot, kiosk_ui):
    ui, service, clock = kiosk_ui
    tap(qtbot, ui.window.language_button)          # the patient switched to English
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    assert MASKED in all_texts(ui)
    clock.advance(service.config.inactivity_s + 1)
    service.poll()
    wait_state(qtbot, ui, c.Idle)
    texts = " ".join(all_texts(ui))
    assert MASKED not in texts and "1234" not in texts and "1986" not in texts
    assert ui.window.translations.language == "vi"   # the next patient starts in the default
    assert service.open_sessions() == 0


def test_touch_activity_rearms_inactivity(qtbot, kiosk_ui):
    ui, service, clock = kiosk_ui
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    clock.advance(service.config.inactivity_s - 5)
    qtbot.mouseClick(ui.window.screens["confirm"].title, Qt.MouseButton.LeftButton)   # a touch anywhere
    clock.advance(10)
    service.poll()
    qtbot.wait(50)
    assert isinstance(ui.window.state, c.Confirm)


def test_printer_out_of_paper_then_reprint(qtbot, kiosk_ui, ports):
    ui, service, _ = kiosk_ui
    ports["printer"].faults.append(PrinterFaultKind.PAPER_OUT)
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    tap(qtbot, ui.window.screens["confirm"].yes)
    wait_state(qtbot, ui, c.ChooseService)
    tap(qtbot, ui.window.screens["service"].service_buttons["K01"])
    wait_state(qtbot, ui, c.PrinterFailed)
    err = ui.window.screens["error"]
    assert err.title.text() == "Máy in hết giấy" and err.ticket.text() == "A1-001"
    tap(qtbot, err.primary)                          # "In lại"
    wait_state(qtbot, ui, c.TicketShown)
    assert ports["printer"].tickets == ["A1-001"] and len(ports["issuer"].issued) == 1


def test_touch_targets_at_least_15_mm(qtbot, kiosk_ui):
    ui, service, _ = kiosk_ui
    min_px = ui.window.ctx.metrics.touch                 # 15 mm at the screen's DPI
    assert min_px == round(15 * 96 / 25.4)
    scan(ui)
    wait_state(qtbot, ui, c.Confirm)
    tap(qtbot, ui.window.screens["confirm"].yes)
    wait_state(qtbot, ui, c.ChooseService)
    for name in ("service", "idle", "keypad", "confirm"):
        ui.window.stack.setCurrentWidget(ui.window.screens[name])
        qtbot.wait(10)
        for b in ui.window.screens[name].findChildren(QAbstractButton):
            if b.isVisible():
                assert min(b.width(), b.height()) >= min_px, (name, b.objectName(), b.size())


def test_large_text_and_high_contrast(qtbot, kiosk_ui):
    ui, service, _ = kiosk_ui
    title = ui.window.screens["idle"].title
    before = title.fontInfo().pixelSize()
    tap(qtbot, ui.window.text_button)
    qtbot.waitUntil(lambda: title.fontInfo().pixelSize() > before * 1.3)
    tap(qtbot, ui.window.contrast_button)
    assert "#000000" in ui.window.styleSheet() and ui.window.ctx.theme.high_contrast


def test_flash_states_are_not_painted_but_lasting_ones_are(qtbot, kiosk_ui, ports):
    """A QR lookup that answers at once never flashes the 'looking up' screen; an insurance check
    that takes a while shows its 'checking' state (after the settle delay)."""
    from kiosk.ui.patient.window import SETTLE_MS
    ui, service, _ = kiosk_ui
    shown = []
    ui.window.rendered.connect(lambda s: shown.append(type(s).__name__ + (
        f":{s.eligibility.status.value}" if isinstance(s, c.Confirm) else "")))
    ports["checker"].hang.set()                        # the gateway does not answer yet
    scan(ui)
    qtbot.waitUntil(lambda: "Confirm:checking" in shown, timeout=3000)
    assert "Reading" not in shown                       # answered within SETTLE_MS: never painted
    ports["checker"].release.set()
    qtbot.waitUntil(lambda: "Confirm:valid" in shown, timeout=3000)
    assert SETTLE_MS <= 200


def test_every_state_class_has_a_screen():
    """The screen map is keyed by the state classes: a new or renamed state fails here, not live."""
    from kiosk.core import checkin as c
    from kiosk.ui.patient.window import screen_of
    mapping = screen_of()
    assert set(mapping) == set(c.ALL_STATES)
    assert all(isinstance(k, type) for k in mapping)
    assert set(mapping.values()) == {"idle", "reading", "keypad", "confirm", "service", "ticket", "error"}
