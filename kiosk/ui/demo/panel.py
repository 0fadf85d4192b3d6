"""The demo's "hands": a small panel (and hot keys F1..F8) that presents each demo citizen's QR to
the simulated scanner, lays the virtual chip card on the reader, and breaks the printer or the
network — everything goes through the same device paths a real kiosk uses."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from kiosk.ui.qt import QEvent, QLabel, QObject, QPushButton, QVBoxLayout, QWidget, Qt, running_application


@dataclass(frozen=True)
class DemoAction:
    key: str            # stable id (tests, the headless script)
    label: str          # shown on the panel (developer-facing, English)
    run: Callable[[], None]


def qr_actions(people, present_qr: Callable[[bytes], None]) -> list[DemoAction]:
    """One action per demo citizen: their CCCD QR, or the BHYT QR when they have no CCCD."""
    out = []
    for p in people:
        payload = p.cccd_qr or p.bhyt_qr
        if not payload:
            continue
        kind = "CCCD QR" if p.cccd_qr else "BHYT QR"
        out.append(DemoAction(f"qr:{p.key}", f"{kind}: {p.key} ({p.note})",
                              functools.partial(present_qr, payload.encode("utf-8"))))
    return out


class DemoPanel(QWidget):
    """A plain developer window beside the kiosk screen (not patient-facing, not translated)."""

    def __init__(self, actions: list[DemoAction], notes: list[str], parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Tool)
        self.setWindowTitle("Kiosk demo — simulated devices")
        self.buttons: dict[str, QPushButton] = {}
        box = QVBoxLayout(self)
        for note in notes:
            lab = QLabel(note, self)
            lab.setWordWrap(True)
            box.addWidget(lab)
        for i, action in enumerate(actions):
            hot = f"F{i + 1}  " if i < 8 else ""
            b = QPushButton(hot + action.label, self)
            b.setStyleSheet("text-align: left; padding: 6px;")
            b.clicked.connect(lambda _=False, run=action.run: run())   # not clicked(bool) into run
            box.addWidget(b)
            self.buttons[action.key] = b
        box.addStretch(1)


class HotKeys(QObject):
    """F1..F8 anywhere in the app run the first eight actions (the demo's QR presenters).

    An application event filter, not QShortcut: the keyboard-wedge filter holds and replays key
    presses, and a replayed press never reaches Qt's shortcut map. Installed after the wedge
    filter, this one sees the key first.
    """

    def __init__(self, actions: list[DemoAction], parent: QObject | None = None):
        super().__init__(parent)
        self._by_key = {getattr(Qt.Key, f"Key_F{i + 1}"): a for i, a in enumerate(actions[:8])}

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress and not event.isAutoRepeat():
            action = self._by_key.get(event.key())
            if action is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                action.run()
                return True
        return False


def install_hotkeys(window: QWidget, actions: list[DemoAction]) -> HotKeys:
    hot = HotKeys(actions, window)
    running_application().installEventFilter(hot)
    return hot
