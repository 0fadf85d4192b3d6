"""Runs a display feed on its own thread, so the Qt thread never reads a database or waits on a
network: the feed's `poll()` (read the board when something changed) and `wait(timeout)` (block
until the source may have changed: a LISTEN on the hub, a short sleep on the local store) loop
there; the display's timer calls `poll()` here, which only hands over the newest state.

New calls are collected between two polls of the screen, so an announcement is never lost when
the screen's timer is late; `changed` is sticky until the screen has seen it.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kiosk.calling.feed import FeedState

log = logging.getLogger(__name__)


class BackgroundFeed:
    def __init__(self, feed: Any, *, period_s: float = 0.1, name: str = "display-feed",
                 on_calls: Callable[[tuple[dict, ...]], None] | None = None):
        """With `on_calls` (a speaker without a screen: `kiosk run` announcing calls) new calls go
        there, on the feed's thread, instead of waiting for a screen's poll."""
        self.feed, self.period_s, self.on_calls = feed, period_s, on_calls
        self._lock = threading.Lock()
        self._state = FeedState(None, True, True)
        self._changed = True
        self._calls: list[dict] = []
        self._stop = threading.Event()
        self.also_close: list[Callable[[], None]] = []     # e.g. the speaker's Announcer
        self.reads = 0                       # feed polls done on the worker (tests, benchmarks)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "BackgroundFeed":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                state = self.feed.poll()
            except Exception as exc:   # a feed bug must not kill the screen: show "updating"
                log.warning("display feed failed: %s", type(exc).__name__)
                state = FeedState(None, True, True)
            with self._lock:
                self.reads += 1
                self._state = state
                self._changed = self._changed or state.changed
                if self.on_calls is None:
                    self._calls.extend(state.new_calls)
            if self.on_calls is not None and state.new_calls:
                try:
                    self.on_calls(state.new_calls)
                except Exception as exc:   # the voice must not stop the feed
                    log.warning("announcing calls failed: %s", type(exc).__name__)
            if self._stop.is_set():
                break
            self.feed.wait(self.period_s)
        self.feed.close()          # on this thread: the feed's connection was opened here

    @property
    def ready(self) -> bool:
        """A board has been read (the screen can show it)."""
        with self._lock:
            return self._state.board is not None

    def poll(self) -> FeedState:
        """The newest state (cheap: no I/O); safe to call from the Qt thread."""
        with self._lock:
            s = self._state
            out = FeedState(s.board, s.stale, self._changed, tuple(self._calls))
            self._changed = False
            self._calls.clear()
        return out

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        else:
            self.feed.close()
        for closer in self.also_close:
            closer()
