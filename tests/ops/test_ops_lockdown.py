"""The kiosk session swallows the keyboard's ways out, and lets staff out when unlocked."""
import pytest

from kiosk.ui.lockdown import enter_kiosk_mode, is_escape_combination
from kiosk.ui.qt import QEvent, QKeyEvent, QLineEdit, QMainWindow, Qt

M = Qt.KeyboardModifier


@pytest.mark.parametrize("key, mods, blocked", [
    (Qt.Key.Key_F4, M.AltModifier, True),
    (Qt.Key.Key_Q, M.ControlModifier, True),
    (Qt.Key.Key_Tab, M.AltModifier, True),
    (Qt.Key.Key_Super_L, M.NoModifier, True),
    (Qt.Key.Key_Backspace, M.ControlModifier | M.AltModifier, True),
    (Qt.Key.Key_Q, M.NoModifier, False),      # typing a letter is fine
    (Qt.Key.Key_5, M.NoModifier, False),
    (Qt.Key.Key_Return, M.NoModifier, False),
])
def test_escape_combinations(key, mods, blocked):
    assert is_escape_combination(key, mods) is blocked


def test_window_cannot_be_closed_until_unlocked(qtbot, qapp):
    window = QMainWindow()
    edit = QLineEdit()
    window.setCentralWidget(edit)
    qtbot.addWidget(window)
    lock = enter_kiosk_mode(qapp, window)
    try:
        assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
        qtbot.keyClick(edit, Qt.Key.Key_F4, M.AltModifier)
        assert window.close() is False and window.isVisible()
        assert lock.swallowed >= 2
        qtbot.keyClicks(edit, "079")
        assert edit.text() == "079"  # ordinary keys still reach the app
        lock.unlocked = True
        assert window.close() is True
    finally:
        qapp.removeEventFilter(lock)
