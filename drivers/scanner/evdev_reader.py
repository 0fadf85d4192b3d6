"""A keyboard-wedge scanner read directly from /dev/input/event* with `evdev` (Linux, optional).

The device is grabbed, so its keys reach no other application (nor the kiosk window). `evdev`
is not a hard dependency: without it this source reports an error and the Qt wedge filter is
the way in. Key codes are mapped with a US layout, which is what wedge scanners emit.
"""
from __future__ import annotations

import select
import threading

from drivers.scanner.base import ScannerError, Sink, ThreadedScanner
from drivers.scanner.wedge import WedgeAssembler, WedgeConfig, WedgeKind

# Linux input key codes (linux/input-event-codes.h) -> (plain, shifted), US layout.
_ROWS = {
    2: "1!", 3: "2@", 4: "3#", 5: "4$", 6: "5%", 7: "6^", 8: "7&", 9: "8*", 10: "9(", 11: "0)",
    12: "-_", 13: "=+", 16: "qQ", 17: "wW", 18: "eE", 19: "rR", 20: "tT", 21: "yY", 22: "uU",
    23: "iI", 24: "oO", 25: "pP", 26: "[{", 27: "]}", 30: "aA", 31: "sS", 32: "dD", 33: "fF",
    34: "gG", 35: "hH", 36: "jJ", 37: "kK", 38: "lL", 39: ";:", 40: "'\"", 41: "`~", 43: "\\|",
    44: "zZ", 45: "xX", 46: "cC", 47: "vV", 48: "bB", 49: "nN", 50: "mM", 51: ",<", 52: ".>",
    53: "/?", 57: "  ",
    # keypad
    71: "77", 72: "88", 73: "99", 74: "--", 75: "44", 76: "55", 77: "66", 78: "++", 79: "11",
    80: "22", 81: "33", 82: "00", 83: "..", 55: "**", 98: "//",
}
KEY_ENTER, KEY_KPENTER, KEY_TAB = 28, 96, 15
SHIFTS = {42, 54}          # KEY_LEFTSHIFT, KEY_RIGHTSHIFT
EV_KEY = 1


def keycode_to_text(code: int, shift: bool) -> str | None:
    """The character a US-layout key produces, "\\r" for Enter, None for keys without text."""
    if code in (KEY_ENTER, KEY_KPENTER):
        return "\r"
    if code == KEY_TAB:
        return "\t"
    pair = _ROWS.get(code)
    return None if pair is None else pair[1 if shift else 0]


class KeyDecoder:
    """Turns (code, value, time) key events into assembler events; value 1 down, 2 repeat, 0 up."""

    def __init__(self, assembler: WedgeAssembler):
        self.assembler = assembler
        self._shift = 0

    def event(self, code: int, value: int, t: float):
        if code in SHIFTS:
            self._shift += 1 if value == 1 else -1 if value == 0 else 0
            self._shift = max(0, self._shift)
            return []
        if value == 0:
            return self.assembler.tick(t)
        text = keycode_to_text(code, self._shift > 0)
        if text is None:
            return self.assembler.special(t)
        return self.assembler.key(text, t, auto_repeat=value == 2)


class EvdevScanner(ThreadedScanner):
    def __init__(self, path: str, prefix: str = "", suffix: str = "", grab: bool = True,
                 sink: Sink | None = None, source: str | None = None, **kw):
        super().__init__(source or f"evdev:{path}", sink, **kw)
        self.path, self.grab = path, grab
        self._keys = KeyDecoder(WedgeAssembler(WedgeConfig(prefix=prefix, suffix=suffix)))

    def _session(self, stop: threading.Event) -> None:
        try:
            import evdev
        except ImportError:
            raise ScannerError("evdev is not installed (pip install evdev)") from None
        dev = evdev.InputDevice(self.path)
        try:
            if self.grab:
                dev.grab()
            self._connected()
            while not stop.is_set():
                ready, _, _ = select.select([dev.fd], [], [], 0.1)
                events = []
                if ready:
                    for ev in dev.read():
                        if ev.type == EV_KEY:
                            events += self._keys.event(ev.code, ev.value, ev.timestamp())
                else:
                    events += self._keys.assembler.tick(_now())
                for e in events:
                    if e.kind is WedgeKind.SCAN:
                        self._emit(e.text.encode("utf-8"), "wedge")
                    elif e.kind is WedgeKind.DROPPED:
                        self._dropped()
        finally:
            try:
                if self.grab:
                    dev.ungrab()
            except OSError:
                pass
            dev.close()


def _now() -> float:
    import time
    return time.time()      # evdev timestamps are wall-clock (CLOCK_REALTIME) by default
