"""Issue 14 / QA B1 with a Vietnamese input method (ibus-unikey / fcitx, Telex or VNI) active: Qt
then delivers committed text as QInputMethodEvent, not key events, while keys the input method
does not take (Enter, often digits and punctuation) still come as key events. Real
QInputMethodEvent objects are sent to the real patient window (offscreen) and to a text field:
the wedge filter assembles the scan from commits, keys, or both mixed, and an input method's
pre-edit (the composition) never reaches a text field during a scan. A person composing a word
still gets it.

ibus-unikey / fcitx themselves are not run here (no input-method daemon under Xvfb in the suite):
the events they cause Qt to deliver are what these tests send."""
from __future__ import annotations

import pytest

from drivers.scanner.wedge import WedgeConfig
from kiosk.ui.i18n import Translations
from kiosk.ui.patient.window import PatientWindow
from kiosk.ui.qt import (QApplication, QEvent, QInputMethodEvent, QKeyEvent, QLineEdit, QObject, Qt, QVBoxLayout,
                         QWidget)
from kiosk.ui.sizes import Metrics
from kiosk.ui.wedge_filter import WedgeEventFilter

pytestmark = pytest.mark.ui
BHYT_QR = ("CT4370700000707|c490e1bb96205448e1bb8a205448e1bbac|1940|2|-|37 - 001|01/01/2026|"
           "-|-|-|-|-|-|-|4|-|$")
CCCD_QR = "001090012345||NGUYEN VAN A|01011990|Nam|HA NOI|01012021"


class Clock:
    """The filter's time: every reading moves on `gap` (a scanner's 1-5 ms per event)."""

    def __init__(self, gap: float):
        self.t, self.gap = 1000.0, gap

    def __call__(self) -> float:
        self.t += self.gap
        return self.t


def commit(text: str, preedit: str = "") -> QInputMethodEvent:
    e = QInputMethodEvent(preedit, [])
    e.setCommitString(text)
    return e


def key(ch: str) -> QKeyEvent:
    k = Qt.Key.Key_Return if ch == "\r" else Qt.Key.Key_A
    return QKeyEvent(QEvent.Type.KeyPress, k, Qt.KeyboardModifier.NoModifier, ch)


class Spy(QObject):
    """What really reaches a widget (installed on it: it sees what the application filter passed)."""

    def __init__(self, widget):
        super().__init__(widget)
        self.preedits: list[str] = []
        self.commits: list[str] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.InputMethod:
            if event.preeditString():
                self.preedits.append(event.preeditString())
            if event.commitString():
                self.commits.append(event.commitString())
        return False


def telex_like(payload: str):
    """How an input method delivers a typed QR: letters are composed (pre-edit growing) and
    committed at a word boundary; digits, separators and Enter pass through as keys."""
    events, word = [], ""
    for ch in payload:
        if ch.isalpha():
            word += ch
            events.append(commit("", preedit=word))
            continue
        if word:
            events.append(commit(word))
            word = ""
        events.append(key(ch))
    if word:
        events.append(commit(word))
    events.append(key("\r"))
    return events


@pytest.fixture
def patient_window(qapp, qtbot):
    tr = Translations(qapp)
    w = PatientWindow(lambda e: None, tr, Metrics(96.0), facility_name="Bệnh viện Thử")
    qtbot.addWidget(w)
    w.resize(1024, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    tr.uninstall()


def _scan_into(qtbot, window, target, events, gap=0.003):
    filt = WedgeEventFilter(window, WedgeConfig(max_gap=0.030), clock=Clock(gap))
    scans, dropped = [], []
    filt.scanned.connect(lambda r: scans.append(r.data.decode()))
    filt.dropped.connect(dropped.append)
    try:
        for e in events:
            QApplication.sendEvent(target, e)
        qtbot.waitUntil(lambda: bool(scans) or bool(dropped), timeout=2000)
        qtbot.wait(60)
    finally:
        filt.uninstall()
    return scans, dropped


@pytest.mark.parametrize("payload", [BHYT_QR, CCCD_QR])
@pytest.mark.parametrize("how", ["commits_only", "mixed", "telex_preedit"])
def test_real_window_assembles_scans_delivered_by_an_input_method(qtbot, patient_window, payload, how):
    w = patient_window
    target = QApplication.focusWidget() or w
    if how == "commits_only":                       # every character committed, Enter as a key
        events = [commit(ch) for ch in payload] + [key("\r")]
    elif how == "mixed":                            # commits of a few characters between plain keys
        events = []
        for i in range(0, len(payload), 3):
            chunk = payload[i:i + 3]
            events += [commit(chunk[:2]), *(key(c) for c in chunk[2:])]
        events.append(key("\r"))
    else:
        events = telex_like(payload)
    scans, dropped = _scan_into(qtbot, w, target, events)
    assert scans == [payload] and dropped == []


def test_the_patient_window_takes_no_input_method(patient_window):
    """No widget of the patient window accepts an input method, so an active Telex/VNI input
    method never composes a scanner's keys there: they stay plain key events."""
    takers = [x.objectName() or type(x).__name__ for x in patient_window.findChildren(QWidget)
              if x.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)]
    assert not patient_window.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled) and takers == []


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


def test_preedit_of_a_scan_never_reaches_a_text_field(qtbot, field):
    w, edit = field
    spy = Spy(edit)
    scans, dropped = _scan_into(qtbot, w, edit, telex_like(BHYT_QR))
    assert scans == [BHYT_QR] and dropped == []
    assert spy.preedits == [] and spy.commits == [] and edit.text() == ""


def test_a_person_composing_with_telex_still_gets_the_word(qtbot, field):
    w, edit = field
    spy = Spy(edit)
    clock = Clock(0.0)
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=clock)
    try:
        for preedit in ("v", "vi", "vie", "viee", "vieej"):   # Telex: vieejt -> việt
            clock.t += 0.25                                   # a person: 250 ms per key
            QApplication.sendEvent(edit, commit("", preedit=preedit))
            clock.t += 0.05
            qtbot.wait(50)
        clock.t += 0.25
        QApplication.sendEvent(edit, commit("việt"))
        clock.t += 0.5
        qtbot.waitUntil(lambda: edit.text() == "việt", timeout=2000)
        assert spy.preedits and spy.preedits[-1] == "vieej"   # the composition was shown (late, not lost)
    finally:
        filt.uninstall()


def test_a_composition_shown_before_a_burst_is_cleared_by_the_scan(qtbot, field):
    """A person had started composing when the scanner fired: the scan is read, and the field is
    not left with a half composition from the burst."""
    w, edit = field
    clock = Clock(0.003)
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=clock)
    scans = []
    filt.scanned.connect(lambda r: scans.append(r.data.decode()))
    spy = Spy(edit)
    try:
        QApplication.sendEvent(edit, commit("", preedit="n"))
        clock.t += 0.2
        qtbot.waitUntil(lambda: bool(spy.preedits), timeout=2000)   # shown: a person composing
        assert spy.preedits == ["n"]
        for e in telex_like("DN4010100000101"):
            QApplication.sendEvent(edit, e)
        qtbot.waitUntil(lambda: bool(scans), timeout=2000)
        assert scans == ["DN4010100000101"] and spy.preedits == ["n"] and edit.text() == ""
        assert edit.inputMethodQuery(Qt.InputMethodQuery.ImSurroundingText) == ""
    finally:
        filt.uninstall()


def test_a_committed_word_then_enter_is_typing_not_a_scan(qtbot, field):
    """Telex commits the word and passes Enter in the same instant: two events, many characters.
    Fast, terminated, but no scanner: the word and the Enter reach the field."""
    w, edit = field
    entered = []
    edit.returnPressed.connect(lambda: entered.append(edit.text()))
    scans, dropped = [], []
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=0.030), clock=Clock(0.001))
    filt.scanned.connect(scans.append)
    filt.dropped.connect(dropped.append)
    try:
        QApplication.sendEvent(edit, commit("Nguyễn"))
        QApplication.sendEvent(edit, key("\r"))
        qtbot.waitUntil(lambda: bool(entered), timeout=2000)
        assert entered == ["Nguyễn"] and scans == [] and dropped == []
    finally:
        filt.uninstall()
