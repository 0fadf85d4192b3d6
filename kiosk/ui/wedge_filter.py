"""Keyboard-wedge scanners inside the kiosk window: a Qt event filter that feeds key presses to the
Qt-free `WedgeAssembler`, holds them until it knows whether a scanner or a person typed them,
emits scans as `ScanRead`s, and replays human keys to the widget they were meant for. A scanner
burst therefore never lands in a text field, and typing still works (delayed by `max_gap`).

Input methods (ibus/fcitx with Vietnamese Telex or VNI): when the focus widget takes an input
method, Qt delivers committed text as QInputMethodEvent, not key events; keys the input method does
not want (Enter, often digits) still come as key events. A commit's characters go to the assembler
like keys (the scan is assembled from commits, keys, or both mixed). A pre-edit (the input method's
text still being composed) is held back, latest only, until `max_gap` passes with no burst: a scan
never shows its pre-edit in a text field, a person typing sees it 30 ms late. The patient window
itself takes no input method (no text field), so there the keys stay plain key events."""
from __future__ import annotations

import logging
import time
from typing import Callable

from drivers.scanner.base import ScanRead
from drivers.scanner.wedge import WedgeAssembler, WedgeConfig, WedgeEvent, WedgeKind
from kiosk.ui.qt import (QApplication, QEvent, QInputMethodEvent, QKeyEvent, QObject, Qt, QTimer, QWidget, Signal,
                         running_application)

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
_SAME_EVENT = ("same input-method event",)   # the token of a commit's 2nd, 3rd... character
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
        self._preedit: tuple[QObject, QInputMethodEvent, float] | None = None   # held pre-edit
        self._preedit_shown: QObject | None = None   # a widget showing a pre-edit we let through
        self._quick = 0                       # events in a row, each within max_gap of the previous
        self._last_t: float | None = None
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
        if self._replaying or etype not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.InputMethod):
            return False
        if not obj.isWidgetType() or obj.window() is not self._window:
            return False
        target = QApplication.focusWidget() or self._window
        if obj is not target:
            return False           # a parent seeing a propagated copy: already handled
        if etype == QEvent.Type.InputMethod:
            if event.preeditString() and not event.commitString():
                self._count(self._clock())        # a composition growing: one keystroke
            return self._input_method(obj, event)
        if etype == QEvent.Type.KeyRelease:
            return self._asm.holding
        now = self._event_time(event)
        self._count(now)
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

    def _count(self, now: float) -> None:
        """Every key press and every pre-edit update (one keystroke each; a commit, or the clearing
        that follows it, is not) counts towards the current quick run: a scanner's burst is many,
        a person's committed word with its Enter or space one or two."""
        quick = self._last_t is not None and now - self._last_t <= self._asm.config.max_gap
        self._quick = self._quick + 1 if quick else 1
        self._last_t = now

    # -- input methods
    def _input_method(self, obj, event) -> bool:
        now = self._clock()
        commit = event.commitString()
        if not commit:
            if event.preeditString() or self._preedit is not None:
                # composing (or clearing a held composition): held back, only the latest matters
                self._preedit = (obj, _copy_im(event), now)
                self._handle(self._asm.modifier(now))     # inside a burst it keeps the burst alive
                self._arm(now)
                return True
            return False                                   # nothing composed, nothing held
        self._preedit = None                               # a commit replaces any composition
        token = (obj, _copy_im(event))
        for i, ch in enumerate(commit):
            ch = "\r" if ch == "\n" else ch
            if not (ch.isprintable() or ch in self._asm.config.terminators):
                continue
            self._handle(self._asm.key(ch, now, token if i == 0 else _SAME_EVENT))
        self._arm(now)
        return True

    def _settle_preedit(self, now: float, scanned: bool) -> None:
        """A held pre-edit: dropped with a scan (and any composition shown is cleared), else let
        through once `max_gap` passed with no burst (a person composing a word)."""
        if self._preedit is None:
            return
        obj, copy, t = self._preedit
        if scanned:
            self._preedit = None
            return
        if self._asm.holding or now - t <= self._asm.config.max_gap:
            return
        self._preedit = None
        self._preedit_shown = obj if copy.preeditString() else None
        self._send(obj, copy)

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
        self._settle_preedit(now, scanned=False)
        self._arm(now)

    def _arm(self, now: float) -> None:
        deadline = self._asm.deadline()
        if self._preedit is not None:
            due = self._preedit[2] + self._asm.config.max_gap + 0.001
            deadline = due if deadline is None else min(deadline, due)
        if deadline is None:
            self._timer.stop()
        else:
            self._timer.start(max(1, int((deadline - now) * 1000) + 2))

    def _handle(self, events: list[WedgeEvent]) -> None:
        for ev in events:
            few = sum(k is not _SAME_EVENT for k in ev.keys) < self._asm.config.min_length
            if ev.kind is not WedgeKind.RELEASE and few and self._quick < self._asm.config.min_length:
                # a few events carrying many characters: an input method committing a word a person
                # composed (at once, so "fast"), maybe with Enter: typing, never a scanner's burst
                self._replay(ev.keys)
            elif ev.kind is WedgeKind.SCAN:
                self._scan_ended()
                self.scanned.emit(ScanRead(self._source, ev.text.encode("utf-8"), time.time(), "wedge"))
            elif ev.kind is WedgeKind.DROPPED:
                reason = (f"keyboard-wedge burst of {len(ev.keys)} keys could not be assembled "
                          f"(no terminator or wrong prefix/suffix); {STAFF_HINT}")
                self._scan_ended()
                log.warning(reason)          # key count only: the payload may be personal
                self.dropped.emit(len(ev.keys))
                self.unreadable.emit(reason)
            else:
                self._replay(ev.keys)

    def _scan_ended(self) -> None:
        """A burst was a scan (or a broken one): its composition never reaches a field."""
        self._settle_preedit(0.0, scanned=True)
        shown, self._preedit_shown = self._preedit_shown, None
        if shown is not None:
            self._send(shown, QInputMethodEvent("", []))   # clear a composition shown before the burst

    def _replay(self, tokens) -> None:
        for token in tokens:
            if token is not None and token is not _SAME_EVENT:
                self._send(*token)

    def _send(self, obj, event) -> None:
        self._replaying = True
        try:
            QApplication.sendEvent(obj, event)
        except RuntimeError:              # the widget was deleted meanwhile
            pass
        finally:
            self._replaying = False


def _copy_im(event) -> QInputMethodEvent:
    """Qt reuses its event objects: keep a copy to send later."""
    copy = QInputMethodEvent(event.preeditString(), list(event.attributes()))
    copy.setCommitString(event.commitString(), event.replacementStart(), event.replacementLength())
    return copy
