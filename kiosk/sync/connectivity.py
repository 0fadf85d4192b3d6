"""Is the gateway reachable? Learnt from real calls (uploads, card checks), not from pings.

Any answer from the gateway means online; a connection error or timeout before sending means
offline. Listeners hear each change (the worker wakes on "back online" to drain and to re-run
provisional card checks). The worker probes while offline by sending one due item: the real
request works against any gateway, no special endpoint is needed.
"""
from __future__ import annotations

import logging
import threading
from enum import Enum
from typing import Callable

from kiosk.core.clock import Clock, iso

log = logging.getLogger(__name__)


class Link(Enum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"


class Connectivity:
    def __init__(self, clock: Clock):
        self._clock = clock
        self._state = Link.UNKNOWN
        self._since = iso(clock.now())
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Link], None]] = []

    @property
    def state(self) -> Link:
        return self._state

    @property
    def since(self) -> str:
        return self._since

    @property
    def online(self) -> bool:
        return self._state is not Link.OFFLINE

    def subscribe(self, listener: Callable[[Link], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def report(self, reachable: bool) -> bool:
        """Record what a call showed; returns True (and tells listeners) when the state changed."""
        new = Link.ONLINE if reachable else Link.OFFLINE
        with self._lock:
            if new is self._state:
                return False
            old, self._state, self._since = self._state, new, iso(self._clock.now())
            listeners = list(self._listeners)
        log.info("gateway link %s -> %s", old.value, new.value)
        for listener in listeners:
            try:
                listener(new)
            except Exception:  # a listener's bug must not break the caller's upload path
                log.exception("connectivity listener failed")
        return True
