"""Keyboard-wedge scanners inside the kiosk window: a Qt event filter that feeds key presses to the
Qt-free `WedgeAssembler`, holds them until it knows whether a scanner or a person typed them,
emits scans as `ScanRead`s, and replays human keys to the widget they were meant for. A scanner
burst therefore never lands in a text field, and typing still works (delayed by `max_gap`)."""
from __future__ import annotations

import time
from typing import Callable

from drivers.scanner.base import ScanRead
from drivers.scanner.wedge import WedgeAssembler, WedgeConfig, WedgeEvent, WedgeKind
from kiosk.ui.qt import QApplication, QEvent, QKeyEvent, QObject, Qt, QTimer, QWidget, Signal, running_application

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | \
    Qt.KeyboardModifier.MetaModifier


class WedgeEventFilter(QObject):
    """Install once per kiosk window: `WedgeEventFilter(window, config)`; connect `scanned`."""

    scanned = Signal(object)      # ScanRead
    dropped = Signal(int)         # number of keys of an interrupted burst that were discarded

    def __init__(self, window: QWidget, config: WedgeConfig | None = None, source: str = "wedge",
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None):
        super().__init__(parent or window)
        self._window = window
        self._asm = WedgeAssembler(config)
        self._source = source
        self._clock = clock
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        running_application().installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    # -- Qt hook
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        etype = event.type()
        if self._replaying or etype not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if not obj.isWidgetType() or obj.window() is not self._window:
            return False
        target = QApplication.focusWidget() or self._window
        if obj is not target:
            return False           # a parent seeing a propagated copy: already handled
        if etype == QEvent.Type.KeyRelease:
            return self._asm.holding
        now = self._clock()
        text = event.text()
        key = event.key()
        ch = "\r" if key in _ENTER_KEYS else text
        plain = ch and not (event.modifiers() & _CHORD) and (ch.isprintable() or ch in
                                                             self._asm.config.terminators)
        if plain:
            copy = QKeyEvent(QEvent.Type.KeyPress, key, event.modifiers(), text,
                             event.isAutoRepeat(), event.count())
            self._handle(self._asm.key(ch, now, (obj, copy), auto_repeat=event.isAutoRepeat()))
            self._arm(now)
            return True
        # A key without text (arrows, Backspace, shortcuts): never from a scanner. Settle what is
        # held first, so the person's keys arrive in order, then let this one through.
        self._handle(self._asm.special(now, None))
        self._arm(now)
        return False

    # -- internals
    def _on_timer(self) -> None:
        now = self._clock()
        self._handle(self._asm.tick(now))
        self._arm(now)

    def _arm(self, now: float) -> None:
        deadline = self._asm.deadline()
        if deadline is None:
            self._timer.stop()
        else:
            self._timer.start(max(1, int((deadline - now) * 1000) + 2))

    def _handle(self, events: list[WedgeEvent]) -> None:
        for ev in events:
            if ev.kind is WedgeKind.SCAN:
                self.scanned.emit(ScanRead(self._source, ev.text.encode("utf-8"), time.time(), "wedge"))
            elif ev.kind is WedgeKind.DROPPED:
                self.dropped.emit(len(ev.keys))
            else:
                self._replay(ev.keys)

    def _replay(self, tokens) -> None:
        self._replaying = True
        try:
            for token in tokens:
                if token is None:
                    continue
                obj, copy = token
                try:
                    QApplication.sendEvent(obj, copy)
                except RuntimeError:      # the widget was deleted meanwhile
                    pass
        finally:
            self._replaying = False
