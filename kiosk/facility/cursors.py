"""The facility link's positions (push and pull cursors), kept in the local settings, written late.

A cursor moves only after the hub committed (push) or the rows were applied here (pull), so the
written value is never ahead of the truth: after a crash the link re-sends, or re-reads, from it,
which the hub and the pull ignore (both are idempotent). Writing it late costs nothing else, and
writing it at once costs the kiosk's scans: every local write from the link's own store
connection makes SQLite drop the issuing connection's whole page cache (WAL mode has no finer
invalidation), and SQLCipher decrypts and checks every page again on the next scan. Measured with
`tests/bench/bench_facility.py --only-ratio`: a cursor write after each push made the online
kiosk's scan 1.3 ms CPU slower at p50 (ratio p95 1.43 to 1.55); written late, 1.16.
`persist_every` 0 writes at once (the tests' and the desk's `KioskNode.sync`); the link passes
`LINK_PERSIST_SECONDS`, and writes them when it stops.
"""
from __future__ import annotations

import time
from typing import Callable

from kiosk.store.facility_feed import FacilityFeedRepo

LINK_PERSIST_SECONDS = 10.0


class LinkCursors:
    def __init__(self, store, *, persist_every: float = 0.0, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.feed = FacilityFeedRepo(store.conn, store.clock)
        self.persist_every = persist_every
        self._clock = clock
        self._moved: dict[str, int] = {}
        self._written_at = clock()

    def get(self, name: str) -> int:
        return self._moved[name] if name in self._moved else self.feed.cursor(name)

    def move(self, values: dict[str, int], *, now: bool = False) -> None:
        """Each cursor's value is done (the hub committed it, or it is applied here). `now`: write
        them at once (inside a caller's store transaction, with that transaction's rows)."""
        self._moved.update({name: int(v) for name, v in values.items()})
        if now or self.persist_every <= 0 or self._clock() - self._written_at >= self.persist_every:
            self.flush()

    @property
    def unwritten(self) -> int:
        return len(self._moved)

    def flush(self) -> None:
        if self._moved:
            with self.store.transaction():
                for name, value in self._moved.items():
                    self.feed.set_cursor(name, value)
            self._moved.clear()
        self._written_at = self._clock()
