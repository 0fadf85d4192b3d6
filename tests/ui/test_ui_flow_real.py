"""The patient flow through the real application: simulated scans and real taps, the real
state machine, identity parsing, encrypted store, gateway simulator and simulated printer."""
from __future__ import annotations

import pytest

from kiosk.core import checkin as c
from kiosk.demo.people import by_key
from kiosk.ui.qt import QAbstractButton, QLabel, Qt

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def wait_state(qtbot, kiosk, kind, timeout=8000):
    qtbot.waitUntil(lambda: isinstance(kiosk.ui.window.state, kind), timeout=timeout)
    return kiosk.ui.window.state


def tap(qtbot, widget):
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def scan(kiosk, key):
    p = by_key(key)
    kiosk.parts.sim_scanner.inject((p.cccd_qr or p.bhyt_qr).encode("utf-8"))


def confirm_and_choose(qtbot, kiosk, code="K01"):
    wait_state(qtbot, kiosk, c.Confirm)
    confirm = kiosk.ui.window.screens["confirm"]
    qtbot.waitUntil(lambda: kiosk.ui.window.state.eligibility.status.value != "checking", timeout=8000)
    tap(qtbot, confirm.yes)
    wait_state(qtbot, kiosk, c.ChooseService)
    tap(qtbot, kiosk.ui.window.screens["service"].service_buttons[code])


def every_text(kiosk):
    out = []
    for screen in kiosk.ui.window.screens.values():
        out += [w.text() for w in screen.findChildren(QLabel)] + [b.text() for b in screen.findChildren(QAbstractButton)]
    return " ".join(out)


def test_valid_card_qr_to_printed_ticket(qtbot, real_kiosk):
    kiosk, env, _ = real_kiosk
    scan(kiosk, "valid_bhyt")
    wait_state(qtbot, kiosk, c.Confirm)
    confirm = kiosk.ui.window.screens["confirm"]
    assert confirm.name.text() == "NGUYỄN V** T"            # NGUYỄN VĂN THỬ, masked
    assert confirm.number.text() == "*** *** 0101" and confirm.birth.text() == "1985"
    confirm_and_choose(qtbot, kiosk)
    shown = wait_state(qtbot, kiosk, c.TicketShown)
    ticket = kiosk.ui.window.screens["ticket"]
    assert shown.printed and ticket.number.text() == shown.ticket.number
    assert shown.ticket.number.startswith("A1-")             # letter A (K01), kiosk 1
    assert ticket.room.text() == "Mời ông/bà đến phòng 101"
    assert any(p.name.endswith(f"{shown.ticket.number}.png") for p in (env.data_dir / "tickets").iterdir())
    assert kiosk.outbox_stats()["pending"] == 1                # the signed check-in waits in the outbox
    tap(qtbot, ticket.done)
    wait_state(qtbot, kiosk, c.Idle)
    assert "NGUYỄN V** T" not in every_text(kiosk) and shown.ticket.number not in every_text(kiosk)


def test_expired_card_gets_a_ticket_flagged_for_the_desk(qtbot, real_kiosk):
    """Issue 14 B3: no red refusal next to a green "continue" and no dead end: a ticket, and the
    visit waits under "Needs desk" with the gateway's answer."""
    kiosk, env, _ = real_kiosk
    scan(kiosk, "expired_bhyt")
    wait_state(qtbot, kiosk, c.Confirm)
    confirm = kiosk.ui.window.screens["confirm"]
    qtbot.waitUntil(lambda: kiosk.ui.window.state.eligibility.status.value == "needs_desk", timeout=8000)
    assert confirm.insurance.text() == "Thẻ bảo hiểm y tế cần kiểm tra tại quầy. Ông/bà vẫn lấy được số khám."
    assert confirm.insurance.property("role") == "warn"
    confirm_and_choose(qtbot, kiosk)
    shown = wait_state(qtbot, kiosk, c.TicketShown)
    assert shown.ticket.desk_check
    assert "quầy tiếp đón" in kiosk.ui.window.screens["ticket"].note.text()
    tap(qtbot, kiosk.ui.window.screens["ticket"].done)
    wait_state(qtbot, kiosk, c.Idle)


def test_offline_gateway_gives_a_provisional_ticket(qtbot, real_kiosk):
    kiosk, env, _ = real_kiosk
    env.gateway.set_faults(drop_before_rate=1.0)              # every request: connection dropped
    scan(kiosk, "valid_bhyt")
    wait_state(qtbot, kiosk, c.Confirm)
    qtbot.waitUntil(lambda: kiosk.ui.window.state.eligibility.status.value == "provisional", timeout=8000)
    assert "Ông/bà vẫn được khám" in kiosk.ui.window.screens["confirm"].insurance.text()
    confirm_and_choose(qtbot, kiosk)
    shown = wait_state(qtbot, kiosk, c.TicketShown)
    assert shown.ticket.provisional
    assert "tự động kiểm tra lại" in kiosk.ui.window.screens["ticket"].note.text()
    assert kiosk.outbox_stats()["pending"] == 1


def test_printer_out_of_paper_then_reprint(qtbot, real_kiosk):
    kiosk, env, _ = real_kiosk
    kiosk.parts.printer.set_fault("paper_out")
    scan(kiosk, "elderly")
    confirm_and_choose(qtbot, kiosk, "K02")
    failed = wait_state(qtbot, kiosk, c.PrinterFailed)
    err = kiosk.ui.window.screens["error"]
    assert err.title.text() == "Máy in hết giấy" and err.ticket.text() == failed.ticket.number
    assert "U" in failed.ticket.number                       # 81 years old: a priority ticket
    kiosk.parts.printer.set_fault(None)                      # staff put paper in
    tap(qtbot, err.primary)                                  # "In lại"
    shown = wait_state(qtbot, kiosk, c.TicketShown)
    assert shown.printed and shown.ticket.number == failed.ticket.number
    assert len(list((env.data_dir / "tickets").glob("*.png"))) == 1


def test_language_switch_mid_flow_keeps_the_state(qtbot, real_kiosk):
    kiosk, env, _ = real_kiosk
    scan(kiosk, "valid_bhyt")
    wait_state(qtbot, kiosk, c.Confirm)
    confirm = kiosk.ui.window.screens["confirm"]
    tap(qtbot, kiosk.ui.window.language_button)
    qtbot.waitUntil(lambda: confirm.yes.text() == "Yes, continue")
    assert isinstance(kiosk.ui.window.state, c.Confirm)
    confirm_and_choose(qtbot, kiosk)
    wait_state(qtbot, kiosk, c.TicketShown)
    assert kiosk.ui.window.screens["ticket"].room.text() == "Please go to room 101"


def test_inactivity_resets_to_idle_and_forgets(qtbot, real_kiosk):
    kiosk, env, clock = real_kiosk
    service = kiosk.parts.service
    scan(kiosk, "child_te")
    wait_state(qtbot, kiosk, c.Confirm)
    # the card check's answer changes the screen (and restarts its timer): wait for it first
    qtbot.waitUntil(lambda: kiosk.ui.window.state.eligibility.status.value != "checking", timeout=8000)
    assert "LÊ G** T" in every_text(kiosk)
    clock.advance(service.config.inactivity_s + 1)           # the service's ticker fires Timeout
    wait_state(qtbot, kiosk, c.Idle)
    assert "LÊ G** T" not in every_text(kiosk) and "0303" not in every_text(kiosk)
    assert service.open_sessions() == 0


def test_forged_chip_is_rejected(qtbot, real_kiosk):
    """The reader's verdict on a chip whose passive authentication fails, as the card stack posts it."""
    kiosk, env, _ = real_kiosk
    service = kiosk.parts.service
    service.post(c.ChipPresented())
    wait_state(qtbot, kiosk, c.Reading)
    service.post(c.ChipProgress("SOD", 5, 7))
    qtbot.waitUntil(lambda: "Bước 6/7" == kiosk.ui.window.screens["reading"].count.text())
    service.post(c.ChipReadFailed(rejected=True))
    problem = wait_state(qtbot, kiosk, c.Problem)
    assert problem.kind.value == "rejected" and not problem.retry
    assert kiosk.ui.window.screens["error"].title.text() == "Không xác thực được thẻ"


def test_demo_panel_and_hot_keys_present_the_demo_citizens(qtbot, real_kiosk):
    from kiosk.demo.people import DEMO_PEOPLE
    from kiosk.ui.demo.panel import DemoPanel, install_hotkeys, qr_actions
    kiosk, env, _ = real_kiosk
    actions = qr_actions(DEMO_PEOPLE, kiosk.parts.sim_scanner.inject)
    panel = DemoPanel(actions, ["test"])
    qtbot.addWidget(panel)
    panel.show()
    install_hotkeys(kiosk.ui.window, actions)
    with qtbot.waitActive(kiosk.ui.window):
        kiosk.ui.window.activateWindow()
    qtbot.keyClick(kiosk.ui.window, Qt.Key.Key_F1)             # F1: the first demo citizen's QR
    wait_state(qtbot, kiosk, c.Confirm)
    assert kiosk.ui.window.screens["confirm"].name.text() == "NGUYỄN V** T"
    tap(qtbot, kiosk.ui.window.screens["confirm"].no)          # "Không phải tôi": what to do next
    assert wait_state(qtbot, kiosk, c.Problem).kind.value == "not_me"
    qtbot.mouseClick(panel.buttons["qr:elderly"], Qt.MouseButton.LeftButton)
    wait_state(qtbot, kiosk, c.Confirm)
    assert kiosk.ui.window.screens["confirm"].name.text() == "PHẠM V** M"


@pytest.fixture
def demo_card(real_kiosk):
    """The demo's virtual card on pcscd + vpcd, watched and read by the production ChipWatcher."""
    from kiosk.demo.chip import start_demo_chip
    kiosk, _, _ = real_kiosk
    try:
        card = start_demo_chip(kiosk)
    except Exception as exc:                   # pcscd / vpcd not installed, not root
        pytest.skip(f"pcscd + vpcd unavailable: {exc}")
    yield card
    card.close()


@pytest.mark.parametrize("key,outcome", [("elderly", c.Confirm), ("forged", c.Problem)])
def test_chip_card_read_with_real_steps(qtbot, real_kiosk, demo_card, key, outcome):
    """The virtual CCCD laid on the watched reader: the production ChipWatcher announces it, the
    screen asks for the card's QR (the BAC key), the demo scans it, and the watcher reads the chip
    with the real ICAO reader (BAC, secure messaging, passive authentication against the test CSCA):
    each real step on the reading screen; a chip whose DG13 was altered after signing is rejected."""
    from kiosk.devices.chip_watch import STEPS
    kiosk, env, _ = real_kiosk
    seen = []
    kiosk.ui.window.rendered.connect(lambda s: seen.append(s) if isinstance(s, c.Reading) else None)
    demo_card.present(key)
    state = wait_state(qtbot, kiosk, outcome, timeout=15000)
    assert any(s.needs_qr for s in seen)                       # the chip's key came from its QR
    steps = [s.step for s in seen if s.step]
    assert steps[:2] == ["bac", "EF.COM"] and "DG13" in steps and "passive-auth" in steps
    assert all(s.step_count == len(STEPS) for s in seen if s.step)
    assert len({s.session for s in seen}) == 1                 # one session from the card to the answer
    status = demo_card.watcher.status()
    if outcome is c.Problem:
        assert state.kind.value == "rejected" and not state.retry
        assert kiosk.ui.window.screens["error"].title.text() == "Không xác thực được thẻ"
        assert status.rejected == 1 and status.read_ok == 0
    else:
        assert state.patient.source.value == "chip" and state.patient.masked_name == "PHẠM V** M"
        assert kiosk.ui.window.screens["confirm"].source.text() == "Đọc từ chip thẻ căn cước"
        assert status.read_ok == 1 and status.presented == 1


def test_chip_cards_swapped_without_lifting_are_each_read(qtbot, real_kiosk, demo_card):
    """QA M1: the forged card laid right after another (no lift in between) is announced and read:
    rejected, not stuck on 'the card was moved away'."""
    kiosk, env, _ = real_kiosk
    demo_card.present("elderly")
    wait_state(qtbot, kiosk, c.Confirm, timeout=15000)
    tap(qtbot, kiosk.ui.window.screens["confirm"].no)          # "Không phải tôi": its guidance screen
    assert wait_state(qtbot, kiosk, c.Problem).kind.value == "not_me"
    demo_card.present("forged")
    qtbot.waitUntil(lambda: isinstance(kiosk.ui.window.state, c.Problem)
                    and kiosk.ui.window.state.kind.value == "rejected", timeout=15000)
    assert demo_card.watcher.status().presented == 2


def test_first_time_patient_types_an_unknown_cccd_and_gets_a_ticket(qtbot, real_kiosk):
    """Issue 14 M7 through the real window: a valid CCCD this kiosk has never seen, typed on the
    on-screen keys, is not "wrong": the confirm screen says the desk confirms the details, the patient
    continues to a ticket that says so, and the visit waits under "Needs desk" with the number."""
    kiosk, env, _ = real_kiosk
    window = kiosk.ui.window
    tap(qtbot, window.screens["idle"].keypad_action)
    wait_state(qtbot, kiosk, c.Keypad)
    keys = window.screens["keypad"].keypad.keys
    for ch in "079085000001":
        tap(qtbot, keys[ch])
    qtbot.waitUntil(lambda: getattr(window.state, "text", "") == "079085000001")
    tap(qtbot, window.screens["keypad"].ok)
    wait_state(qtbot, kiosk, c.Confirm)
    confirm = window.screens["confirm"]
    assert confirm.title.text() == "Lần đầu đến khám? Ông/bà vẫn lấy được số"
    assert not confirm.name.isVisibleTo(confirm) and confirm.number.text() == "*** *** 0001"
    assert "xác nhận thông tin" in confirm.insurance_detail.text()
    assert confirm.yes.text() == "Tiếp tục lấy số" and confirm.no.text() == "Hủy"
    assert "079085000001" not in " ".join(every_text(kiosk))
    tap(qtbot, confirm.yes)
    wait_state(qtbot, kiosk, c.ChooseService)
    tap(qtbot, window.screens["service"].service_buttons["K01"])
    st = wait_state(qtbot, kiosk, c.TicketShown)
    assert st.ticket.identity_check
    assert "xác nhận" in window.screens["ticket"].note.text()
    from kiosk.store import open_store
    from kiosk.store.keys import FileKeyProvider
    store = open_store(env.data_dir, FileKeyProvider(env.key_file, env.data_dir).load())
    try:
        [(status, reason, name)] = store.conn.execute(
            "SELECT v.status, v.needs_desk_reason, p.full_name FROM visits v JOIN patients p ON p.id = v.patient_id")
        assert status == "needs_desk" and "CCCD 079085000001" in reason and name is None
    finally:
        store.close()


def test_try_again_after_a_mistyped_number_keeps_it_grouped(qtbot, real_kiosk):
    """M7: "Thử lại" opens the keypad with the number still there, grouped as the patient typed it."""
    kiosk, env, _ = real_kiosk
    window = kiosk.ui.window
    tap(qtbot, window.screens["idle"].keypad_action)
    wait_state(qtbot, kiosk, c.Keypad)
    for ch in "001985009999":                   # the century digit gives a birth year in the future
        tap(qtbot, window.screens["keypad"].keypad.keys[ch])
    qtbot.waitUntil(lambda: getattr(window.state, "text", "") == "001985009999")
    tap(qtbot, window.screens["keypad"].ok)
    st = wait_state(qtbot, kiosk, c.Problem)
    assert st.kind.value == "invalid_number"
    error = window.screens["error"]
    assert error.primary.text() == "Thử lại"
    tap(qtbot, error.primary)
    st = wait_state(qtbot, kiosk, c.Keypad)
    assert st.text == "001985009999" and window.screens["keypad"].entry.text() == "001 985 009 999"
