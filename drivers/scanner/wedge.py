"""Keyboard-wedge scanners: a Qt-free assembler that tells scanner bursts from human typing by
inter-key timing, and a line reader for a terminal (stdin) wedge.

The assembler holds keys until it knows whose they are. A run of keys each within `max_gap` of the
previous one, at least `min_length` long and ended by a terminator, is a scan; anything slower or
shorter is released back as typing. A fast run that ends without its terminator (the scanner was
interrupted) is dropped: it is neither a scan nor typing, and must never land in a text field.
"""
from __future__ import annotations

import enum
import sys
import threading
from dataclasses import dataclass, field
from typing import IO, Callable

from drivers.scanner.base import ThreadedScanner, Sink


class WedgeKind(enum.Enum):
    SCAN = "scan"          # `text` is the payload, prefix/suffix/terminator removed
    RELEASE = "release"    # `keys` are human keystrokes: deliver them to the focused field
    DROPPED = "dropped"    # a fast burst with no terminator, or a wrong prefix: discard


@dataclass(frozen=True)
class WedgeEvent:
    kind: WedgeKind
    text: str = ""
    keys: tuple = ()       # the opaque key tokens passed to `key()`, in order


@dataclass
class WedgeConfig:
    max_gap: float = 0.030          # seconds between keys of a scanner burst
    min_length: int = 4             # shorter runs are typing even when fast
    prefix: str = ""
    suffix: str = ""
    terminators: tuple[str, ...] = ("\r", "\n")   # empty: a burst ends when the keys stop


@dataclass
class _Run:
    chars: list[str] = field(default_factory=list)
    keys: list = field(default_factory=list)
    last: float = 0.0


class WedgeAssembler:
    """Pure state machine. Feed it keys with their times; act on the events it returns.

    `key(text, t, token)` for a printable key or a terminator; `special(t, token)` for a key that
    has no text (arrows, Backspace, a modifier chord): scanners never send those, so it ends any
    run. `modifier(t)` for a bare modifier press (Shift, Ctrl, Alt, Meta, CapsLock, AltGr): a
    US-layout wedge scanner sends Shift as its own key event before every capital, `|` and `$`,
    so inside a run it is part of the burst, never an interruption. `tick(t)` when `deadline()`
    has passed. `token` is whatever the caller needs back to
    replay the key (a Qt event copy); it defaults to the text.
    """

    def __init__(self, config: WedgeConfig | None = None):
        self.config = config or WedgeConfig()
        self._run: _Run | None = None

    @property
    def holding(self) -> bool:
        return self._run is not None

    def deadline(self) -> float | None:
        """When `tick` must be called if no key arrives before then."""
        return None if self._run is None else self._run.last + self.config.max_gap

    def key(self, text: str, t: float, token=None, auto_repeat: bool = False) -> list[WedgeEvent]:
        token = text if token is None else token
        cfg = self.config
        out: list[WedgeEvent] = []
        if self._run is not None and t - self._run.last > cfg.max_gap:
            out += self._end_run()
        if auto_repeat:
            # A held-down key: a person. Whatever was pending is settled first.
            out += self._end_run()
            out.append(WedgeEvent(WedgeKind.RELEASE, keys=(token,)))
            return out
        if text in cfg.terminators:
            if self._run is None:
                return out + [WedgeEvent(WedgeKind.RELEASE, keys=(token,))]
            self._run.keys.append(token)
            return out + self._finish(terminated=True)
        if self._run is None:
            self._run = _Run(last=t)
        self._run.chars.append(text)
        self._run.keys.append(token)
        self._run.last = t
        return out

    def modifier(self, t: float) -> list[WedgeEvent]:
        """A bare modifier key went down. Inside a run (within `max_gap`) it belongs to the burst
        and keeps it alive; the modifier is carried by the next key's own event. Outside a run it
        is nothing to hold: the caller lets it through."""
        if self._run is None:
            return []
        if t - self._run.last > self.config.max_gap:
            return self._end_run()
        self._run.last = t
        return []

    def special(self, t: float, token=None) -> list[WedgeEvent]:
        out = self._end_run()
        return out + [WedgeEvent(WedgeKind.RELEASE, keys=(token,))]

    def tick(self, t: float) -> list[WedgeEvent]:
        if self._run is not None and t - self._run.last > self.config.max_gap:
            return self._end_run()
        return []

    def flush(self) -> list[WedgeEvent]:
        return self._end_run()

    # -- internals
    def _end_run(self) -> list[WedgeEvent]:
        """The keys stopped (timeout) or a human key interrupted: settle the pending run."""
        if self._run is None:
            return []
        if not self.config.terminators:
            return self._finish(terminated=True)
        return self._finish(terminated=False)

    def _finish(self, terminated: bool) -> list[WedgeEvent]:
        run, self._run = self._run, None
        assert run is not None  # only called while a run is pending
        cfg = self.config
        looks_scanned = len(run.chars) >= cfg.min_length
        if not looks_scanned:
            return [WedgeEvent(WedgeKind.RELEASE, keys=tuple(run.keys))]
        if not terminated:
            return [WedgeEvent(WedgeKind.DROPPED, text="".join(run.chars), keys=tuple(run.keys))]
        text = "".join(run.chars)
        if cfg.prefix:
            if not text.startswith(cfg.prefix):
                return [WedgeEvent(WedgeKind.DROPPED, text=text, keys=tuple(run.keys))]
            text = text[len(cfg.prefix):]
        if cfg.suffix:
            if not text.endswith(cfg.suffix):
                return [WedgeEvent(WedgeKind.DROPPED, text=text, keys=tuple(run.keys))]
            text = text[: len(text) - len(cfg.suffix)]
        return [WedgeEvent(WedgeKind.SCAN, text=text, keys=tuple(run.keys))]


class LineWedgeScanner(ThreadedScanner):
    """A wedge seen through a terminal: each line on `stream` (stdin) is one read.

    No timing is available through a line-buffered terminal, so every non-empty line counts;
    this is for technicians checking a scanner with `kiosk scan test --source wedge`.
    """

    def __init__(self, stream: IO[str] | None = None, prefix: str = "", suffix: str = "",
                 sink: Sink | None = None, source: str = "wedge", **kw):
        super().__init__(source, sink, **kw)
        self._stream = stream or sys.stdin
        self._prefix, self._suffix = prefix, suffix

    def _session(self, stop: threading.Event) -> None:
        self._connected()
        for line in self._stream:
            if stop.is_set():
                return
            text = line.rstrip("\r\n")
            if self._prefix and text.startswith(self._prefix):
                text = text[len(self._prefix):]
            if self._suffix and text.endswith(self._suffix):
                text = text[: len(text) - len(self._suffix)]
            if text:
                self._emit(text.encode("utf-8"), "wedge")
        self.finished.set()


def feed_string(assembler: WedgeAssembler, text: str, t0: float, gap: float,
                sink: Callable[[WedgeEvent], None]) -> float:
    """Type `text` into `assembler` one char every `gap` seconds (tests, simulator); returns end time."""
    t = t0
    for ch in text:
        for ev in assembler.key(ch, t):
            sink(ev)
        t += gap
    return t
