"""Numbers a busy kiosk holds ahead of its next patient (hub migration 0010).

Online, a ticket number is one atomic allocation from the service's facility series: the series
row's lock and a durable commit, both of which wait for the hub's CPU and disk when the facility is
busy. A kiosk that is busy (its previous ticket for the service was at most `hold_seconds` ago)
therefore asks, with each ticket's request (`hub_claim`), for the series' next number too, and keeps
it here; its next scan has its number before the hub answers, and sends only the claim.

Rules that keep every number unique and in order:
- a hold is claimed or given back by its kiosk only, and only once: `take` removes it from here
  before the claim is sent, so a claim whose answer is lost is never followed by another use of it
  (on an error the hold is put back: a claim that did commit deleted it at the hub, and the hub
  then refuses it and allocates afresh);
- the hub uses a held number only while it is within `hub_hold_reach()` (50) of the series' newest
  number, else it stays a gap: a ticket's number is never far behind the ones issued just before;
- the kiosk gives its holds back when it stops; the series' next allocation takes them first while
  they are within reach; a kiosk killed outright leaves its holds as gaps.
A kiosk that is not busy holds nothing: quiet times number exactly as `hub_allocate` alone does.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)

Key = tuple[str, str]       # (day, service)


class HeldNumbers:
    def __init__(self, hold_seconds: float, clock: Callable[[], float]):
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._held: dict[Key, int] = {}
        self._last: dict[Key, float] = {}
        self._spare: list[tuple[str, str, int]] = []    # to give back (a second hold for one series)
        self._lock = threading.Lock()

    def take(self, day: str, service: str) -> tuple[int | None, bool]:
        """(the kiosk's hold for this series, removed from here, or None; whether the kiosk is busy
        on it: its previous ticket for the series was at most `hold_seconds` ago)."""
        now, key = self._clock(), (day, service)
        with self._lock:
            for other in [k for k in self._held if k[0] != day]:
                del self._held[other]           # another day's series: nobody will call it any more
            got = self._held.pop(key, None)
            busy = now - self._last.get(key, float("-inf")) <= self.hold_seconds
            self._last[key] = now
        return got, busy

    def put(self, day: str, service: str, seq: int) -> None:
        """Keep `seq` for the series' next patient: a new hold from the hub's answer, or one a claim
        did not use (refused, or no answer)."""
        with self._lock:
            if (day, service) in self._held:
                self._spare.append((day, service, seq))
                return
            self._held[(day, service)] = seq

    def holding(self) -> dict[Key, int]:
        with self._lock:
            return dict(self._held)

    def release_all(self) -> list[tuple[str, str, int]]:
        """Every hold, removed from here, to give back (the kiosk stops)."""
        with self._lock:
            out = [(d, s, q) for (d, s), q in self._held.items()] + self._spare
            self._held, self._spare = {}, []
        return out
