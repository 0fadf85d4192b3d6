"""The display's live feed on the local store: a separate read connection whose
`PRAGMA data_version` changes whenever another connection commits, checked every poll (a few
microseconds), so a call shows within one poll period (100 ms) without re-reading an idle queue.

The feed owns its connection: if the database goes away (kiosk restarting, file replaced) it
reports `stale` and reopens on a later poll; the screen shows "Đang cập nhật… / Updating…"
instead of old numbers.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.core.clock import Clock, SystemClock, local_day
from kiosk.core.queue.board import Board, build_board
from kiosk.calling.service import CallingSettings

log = logging.getLogger(__name__)
REOPEN_EVERY_S = 1.0
STALE_AFTER_S = 3.0


@dataclass(frozen=True)
class FeedState:
    board: Board | None
    stale: bool
    changed: bool
    new_calls: tuple[dict, ...] = ()


class DisplayFeed:
    def __init__(self, open_store: Callable[[], Any], settings: CallingSettings, services: list[dict], *,
                 clock: Clock | None = None, calls_shown: int = 6):
        self._open = open_store
        self.settings, self.services = settings, services
        self.clock = clock or SystemClock()
        self.calls_shown = calls_shown
        self._store: Any = None
        self._data_version: int | None = None
        self._day: str | None = None
        self._board: Board | None = None
        self._last_ok = self.clock.monotonic()
        self._last_try = -1e9
        self._last_call_id: int | None = None
        self.version = 0
        self._stop = threading.Event()

    def poll(self) -> FeedState:
        now_m = self.clock.monotonic()
        try:
            if self._store is None:
                if now_m - self._last_try < REOPEN_EVERY_S:
                    return self._stale(now_m)
                self._last_try = now_m
                self._store = self._open()
                self._data_version = None
            dv = self._store.queue.data_version()
            day = local_day(self.clock.now())
            if dv == self._data_version and day == self._day and self._board is not None:
                self._last_ok = now_m
                return FeedState(self._board, False, False)
            self._data_version, self._day = dv, day
            new_calls = self._new_calls()
            self._board = self._read(day)
            self._last_ok = now_m
            return FeedState(self._board, False, True, new_calls)
        except Exception as exc:   # the source is gone or broken: reopen later, show "updating"
            log.warning("display feed: %s", type(exc).__name__)
            self._drop()
            return self._stale(now_m)

    def _stale(self, now_m: float) -> FeedState:
        if self._board is not None and now_m - self._last_ok < STALE_AFTER_S:
            return FeedState(self._board, False, False)     # a blink of a restart: keep the board
        return FeedState(None, True, True)

    def _new_calls(self) -> tuple[dict, ...]:
        repo = self._store.queue
        if self._last_call_id is None:          # first read: announce nothing from before we started
            self._last_call_id = repo.last_call_id()
            return ()
        calls = repo.calls_after(self._last_call_id)
        if calls:
            self._last_call_id = calls[-1]["id"]
        return tuple(calls)

    def _read(self, day: str) -> Board:
        repo = self._store.queue
        counters = repo.counters() or list(self.settings.counters)
        entries = repo.entries(day, ("waiting", "called", "in_service"))
        durations = {s["code"]: repo.durations(s["code"]) for s in self.services}
        self.version += 1
        return build_board(entries=entries, calls=repo.recent_calls(day, 4 * self.calls_shown), counters=counters,
                           services=self.services, durations=durations, now=self.clock.now(),
                           policy=self.settings.policy, calls_shown=self.calls_shown, version=self.version)

    def _drop(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except Exception:   # already broken
                pass
        self._store = None

    def close(self) -> None:
        self._stop.set()
        self._drop()

    def wait(self, timeout: float) -> None:
        """Between two polls on the feed's own thread (kiosk.calling.background): the local store
        has no change notification, `PRAGMA data_version` each period is the cheap check."""
        self._stop.wait(timeout)
