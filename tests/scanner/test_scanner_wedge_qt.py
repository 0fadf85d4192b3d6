"""The Qt event filter (pytest-qt, offscreen): scanner bursts become scans and never reach a
focused QLineEdit; slow typing still does."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from drivers.scanner.wedge import WedgeConfig  # noqa: E402
from kiosk.ui.qt import QLineEdit, Qt, QVBoxLayout, QWidget  # noqa: E402
from kiosk.ui.wedge_filter import WedgeEventFilter  # noqa: E402

pytestmark = pytest.mark.ui
PAYLOAD = "079095001234|Nguyen Van An|01011995|Nam"


class StepClock:
    """Each key the filter sees is 1 ms after the previous one, unless the test moves time on:
    timing-based tests stay deterministic on a loaded machine."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        self.t += 0.001
        return self.t

    def advance(self, seconds):
        self.t += seconds


@pytest.fixture
def clock():
    return StepClock()


@pytest.fixture
def window(qtbot, clock):
    w = QWidget()
    lay = QVBoxLayout(w)
    edit = QLineEdit()
    lay.addWidget(edit)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: edit.hasFocus())
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.05), clock=clock)
    yield w, edit, filt
    filt.uninstall()


def test_fast_burst_is_a_scan_and_stays_out_of_the_line_edit(qtbot, window):
    w, edit, filt = window
    with qtbot.waitSignal(filt.scanned, timeout=2000) as sig:
        qtbot.keyClicks(edit, PAYLOAD)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    read = sig.args[0]
    assert read.data == PAYLOAD.encode() and read.source == "wedge"
    qtbot.wait(150)
    assert edit.text() == ""


def test_slow_typing_reaches_the_line_edit(qtbot, window, clock):
    w, edit, filt = window
    scans = []
    filt.scanned.connect(scans.append)
    for ch in "0912":
        qtbot.keyClick(edit, ch)
        clock.advance(0.2)                       # a person: 200 ms between keys
        qtbot.wait(120)
    qtbot.waitUntil(lambda: edit.text() == "0912", timeout=2000)
    assert scans == []


def test_key_without_text_settles_held_keys_first(qtbot, window, clock):
    w, edit, filt = window
    qtbot.keyClick(edit, "7")
    assert edit.text() == ""                     # held: could still be the start of a scan
    qtbot.keyClick(edit, Qt.Key.Key_Left)        # settles "7" first, then moves the cursor
    clock.advance(0.2)
    qtbot.wait(120)
    qtbot.keyClick(edit, "8")
    qtbot.waitUntil(lambda: edit.text() == "87", timeout=2000)


def test_interrupted_burst_is_dropped_not_typed(qtbot, window, clock):
    w, edit, filt = window
    with qtbot.waitSignal(filt.dropped, timeout=2000):
        qtbot.keyClicks(edit, PAYLOAD[:12])
        clock.advance(0.5)                       # then silence: the scanner stopped mid-way
    qtbot.wait(100)
    assert edit.text() == ""
