"""Issue 14 / QA B1: a US-layout keyboard-wedge scanner sends Shift (and AltGr, CapsLock...) as key
events of their own, 1-5 ms before the character. The filter must treat those bare modifier
presses as part of the burst: every CCCD and BHYT QR holds `|`, every BHYT QR `$` and capitals."""
import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from drivers.scanner.wedge import WedgeAssembler, WedgeConfig, WedgeKind  # noqa: E402
from kiosk.ui.qt import QApplication, QEvent, QKeyEvent, QLineEdit, Qt, QVBoxLayout, QWidget  # noqa: E402
from kiosk.ui.wedge_filter import WedgeEventFilter  # noqa: E402

pytestmark = pytest.mark.ui
BHYT_QR = ("CT4370700000707|c490e1bb96205448e1bb8a205448e1bbac|1940|2|-|37 - 001|01/01/2026|"
           "-|-|-|-|-|-|-|4|-|$")
CCCD_QR = "001090012345||NGUYEN VAN A|01011990|Nam|HA NOI|01012021"
SHIFTED = set('|$~!@#%^&*()_+{}:"<>?')
MODS = {"shift": Qt.Key.Key_Shift, "ctrl": Qt.Key.Key_Control, "alt": Qt.Key.Key_Alt,
        "meta": Qt.Key.Key_Meta, "capslock": Qt.Key.Key_CapsLock, "altgr": Qt.Key.Key_AltGr}


class ScannerClock:
    """The time the filter reads: `gap` between successive key events (press or modifier)."""

    def __init__(self, gap):
        self.t, self.gap = 1000.0, gap

    def __call__(self):
        self.t += self.gap
        return self.t


@pytest.fixture
def field(qtbot):
    w = QWidget()
    edit = QLineEdit()
    QVBoxLayout(w).addWidget(edit)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    return w, edit


def _press(edit, key, text="", mods=Qt.KeyboardModifier.NoModifier):
    QApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyPress, key, mods, text))


def _release(edit, key, text="", mods=Qt.KeyboardModifier.NoModifier):
    QApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyRelease, key, mods, text))


def type_like_x11(edit, payload, modifier=Qt.Key.Key_Shift):
    """What X11 delivers for a wedge scanner on a US layout: a separate modifier press before
    each shifted character, the character (press + release), then the modifier release."""
    for ch in payload:
        shifted = ch.isupper() or ch in SHIFTED
        mods = Qt.KeyboardModifier.ShiftModifier if shifted else Qt.KeyboardModifier.NoModifier
        if shifted:
            _press(edit, modifier, "", Qt.KeyboardModifier.ShiftModifier)
        _press(edit, Qt.Key.Key_A, ch, mods)
        _release(edit, Qt.Key.Key_A, ch, mods)
        if shifted:
            _release(edit, modifier, "")
    _press(edit, Qt.Key.Key_Return, "\r")
    _release(edit, Qt.Key.Key_Return, "\r")


@pytest.mark.parametrize("payload", [BHYT_QR, CCCD_QR, "ABCDEFGHIJ1234567890XYZ"])
@pytest.mark.parametrize("gap_ms", [1, 3, 5])
def test_shift_key_events_inside_a_burst_are_part_of_the_scan(qtbot, field, payload, gap_ms):
    w, edit = field
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=ScannerClock(gap_ms / 1000))
    scans, dropped = [], []
    filt.scanned.connect(lambda r: scans.append(r.data.decode()))
    filt.dropped.connect(dropped.append)
    try:
        type_like_x11(edit, payload)
        qtbot.waitUntil(lambda: bool(scans), timeout=2000)
        qtbot.wait(60)
        assert scans == [payload] and dropped == []
        assert edit.text() == ""                 # no fragment leaked into the focused field
    finally:
        filt.uninstall()


@pytest.mark.parametrize("name", sorted(MODS))
def test_every_bare_modifier_inside_a_burst_is_swallowed(qtbot, field, name):
    w, edit = field
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=ScannerClock(0.002))
    scans = []
    filt.scanned.connect(lambda r: scans.append(r.data.decode()))
    try:
        type_like_x11(edit, "DN4010100000101", modifier=MODS[name])
        qtbot.waitUntil(lambda: bool(scans), timeout=2000)
        assert scans == ["DN4010100000101"] and edit.text() == ""
    finally:
        filt.uninstall()


def test_a_person_typing_a_capital_still_reaches_the_field(qtbot, field):
    w, edit = field
    clock = ScannerClock(0.01)    # each reading moves on 10 ms: held keys settle soon
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=clock)
    try:
        for ch in "Ab":
            clock.t += 0.3                       # a person: 300 ms between keys
            if ch.isupper():
                _press(edit, Qt.Key.Key_Shift, "", Qt.KeyboardModifier.ShiftModifier)
                clock.t += 0.1
            mods = Qt.KeyboardModifier.ShiftModifier if ch.isupper() else Qt.KeyboardModifier.NoModifier
            _press(edit, Qt.Key.Key_A, ch, mods)
            _release(edit, Qt.Key.Key_A, ch, mods)
            if ch.isupper():
                _release(edit, Qt.Key.Key_Shift)
            qtbot.wait(80)
        qtbot.waitUntil(lambda: edit.text() == "Ab", timeout=2000)
    finally:
        filt.uninstall()


def test_unassembled_burst_logs_the_reason_for_staff(qtbot, field, caplog):
    w, edit = field
    clock = ScannerClock(0.002)
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=clock)
    reasons = []
    filt.unreadable.connect(reasons.append)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.ui.wedge_filter"):
            for ch in "079095001234":            # the scanner stopped: no terminator
                _press(edit, Qt.Key.Key_1, ch)
            clock.t += 0.5
            qtbot.waitUntil(lambda: bool(reasons), timeout=2000)
        assert "HID POS" in reasons[0] and "HID POS" in caplog.text
        assert "079095001234" not in caplog.text   # never the payload
        assert edit.text() == ""
    finally:
        filt.uninstall()


def test_assembler_modifier_keeps_the_run_alive():
    asm = WedgeAssembler(WedgeConfig(max_gap=0.010))
    out, t = [], 0.0
    for ch in "AB|$":
        t += 0.004
        out += asm.modifier(t)                   # Shift 4 ms after the previous key
        t += 0.004
        out += asm.key(ch, t)
    out += asm.key("\r", t + 0.004)
    assert [(e.kind, e.text) for e in out] == [(WedgeKind.SCAN, "AB|$")]


def test_assembler_modifier_outside_a_run_is_nothing():
    asm = WedgeAssembler(WedgeConfig())
    assert asm.modifier(1.0) == [] and not asm.holding
