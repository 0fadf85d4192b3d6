"""Keyboard-wedge scanners inside the kiosk window: a Qt event filter that feeds key presses to the
Qt-free `WedgeAssembler`, holds them until it knows whether a scanner or a person typed them,
emits scans as `ScanRead`s, and replays human keys to the widget they were meant for. A scanner
burst therefore never lands in a text field, and typing still works (delayed by `max_gap`)."""
from __future__ import annotations

import logging
import time
from typing import Callable

from drivers.scanner.base import ScanRead
from drivers.scanner.wedge import WedgeAssembler, WedgeConfig, WedgeEvent, WedgeKind
from kiosk.ui.qt import QApplication, QEvent, QKeyEvent, QObject, Qt, QTimer, QWidget, Signal, running_application

log = logging.getLogger(__name__)

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Bare modifier presses: X11 delivers Shift (and AltGr, CapsLock...) as key events of their own,
# 1-5 ms before the character they change. Inside a scanner burst they are part of the burst.
_MODIFIER_KEYS = frozenset((
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_CapsLock,
    Qt.Key.Key_AltGr, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Hyper_L,
    Qt.Key.Key_Hyper_R, Qt.Key.Key_Mode_switch, Qt.Key.Key_NumLock))
STAFF_HINT = ("switch the scanner to HID POS or USB serial (CDC) mode: keyboard-wedge timing depends "
              "on the keyboard layout, input method and machine load")
_CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | \
    Qt.KeyboardModifier.MetaModifier


class WedgeEventFilter(QObject):
    """Install once per kiosk window: `WedgeEventFilter(window, config)`; connect `scanned`."""

    scanned = Signal(object)      # ScanRead
    dropped = Signal(int)         # number of keys of an interrupted burst that were discarded
    unreadable = Signal(str)      # a burst that could not be assembled: the reason, for staff/logs

    def __init__(self, window: QWidget, config: WedgeConfig | None = None, source: str = "wedge",
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None):
        super().__init__(parent or window)
        self._window = window
        self._asm = WedgeAssembler(config)
        self._source = source
        self._clock = clock
        self._replaying = False
        self._x_base: float | None = None     # event timestamp (ms) -> clock seconds
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
        now = self._event_time(event)
        text = event.text()
        key = event.key()
        if key in _MODIFIER_KEYS:
            # Part of a burst (swallowed: the next key's own event carries the modifier), or a
            # person about to type a capital: nothing to settle either way.
            self._handle(self._asm.modifier(now))
            self._arm(now)
            return self._asm.holding
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
    def _event_time(self, event) -> float:
        """When the key was pressed: the window system's own timestamp (X11 server time) when it
        has one, mapped onto our clock, so a busy kiosk that delivers a scanner's keys late and in
        batches still sees the scanner's real spacing; otherwise the clock at delivery."""
        now = self._clock()
        ts = event.timestamp()
        if not ts:
            return now
        t = ts / 1000.0
        if self._x_base is None or not (-0.05 <= now - (t + self._x_base) <= 0.5):
            self._x_base = now - t               # (re-)anchor: first key, wrap, or a long stall
        return t + self._x_base

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
                reason = (f"keyboard-wedge burst of {len(ev.keys)} keys could not be assembled "
                          f"(no terminator or wrong prefix/suffix); {STAFF_HINT}")
                log.warning(reason)          # key count only: the payload may be personal
                self.dropped.emit(len(ev.keys))
                self.unreadable.emit(reason)
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
