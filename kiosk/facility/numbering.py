"""Facility-wide ticket numbers from the hub, and the kiosk's own series when the hub is away.

Online: one atomic allocation per ticket from the hub's series for (facility, day, service), in the
hub function `hub_allocate`:
`INSERT ... ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last` takes the series row's lock,
so concurrent kiosks get consecutive, distinct numbers (never count+1 or max+1); the number and
its MA_LK are recorded in the same transaction (`ticket_allocations`, unique per series and seq).
Hub numbers read `A012` (`AU012` for priority); the kiosk's own numbers read `A1-012` (its
`ticket_format` must keep the '-' and {kiosk}), so the two namespaces never collide.
Offline (no answer within `timeout`), `number` returns None and the caller uses its own series;
the hub is then left alone for `retry_after` seconds so scans stay fast.
A busy kiosk claims a number it holds (kiosk.facility.holds, `hub_claim`) instead of allocating
one at the scan: no series lock, no wait for the hub's WAL flush (`hold_seconds` 0: never).
`begin` starts the allocation on the numbering's own thread and returns at once: the issuer signs
the check-in record meanwhile and only then waits for the number, so the round trip to the hub
overlaps the kiosk's own work instead of adding to it.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable, Iterable

import psycopg

from kiosk.facility.holds import HeldNumbers

log = logging.getLogger(__name__)

PRIORITY_MARK = "U"


class HubAlreadyIssued(Exception):
    def __init__(self, number: str):
        super().__init__("patient already holds an active ticket for this service today")
        self.number = number


def hub_number(letter: str, seq: int, priority: bool) -> str:
    return f"{letter}{PRIORITY_MARK if priority else ''}{seq:03d}"


def check_namespaces(ticket_format: str) -> None:
    if "-" not in ticket_format or "{kiosk" not in ticket_format:
        raise ValueError("with a hub, ticket_format must keep '{kiosk}' and a '-' (e.g. {letter}{kiosk}-{seq:03d}) "
                         "so offline numbers can never equal the hub's numbers")


def is_hub_number(number: str) -> bool:
    return "-" not in number


def allocate(conn, *, facility: str, day: str, service: str, letter: str, ma_lk: str, kiosk: str,
             priority: bool, patient_keys: Iterable[tuple[str, str]] = ()) -> str:
    """One allocation (`hub_allocate`, migrations/hub): idempotent per MA_LK. On an autocommit
    connection it is a single round trip; otherwise it runs in its own transaction."""
    keys = list(patient_keys)
    args = (facility, day, service, letter, ma_lk, kiosk, priority, [k for k, _ in keys], [n for _, n in keys])
    sql = "SELECT number, already FROM hub_allocate(%s, %s, %s, %s, %s, %s, %s, %s::text[], %s::text[])"
    if conn.autocommit:
        number, already = conn.execute(sql, args).fetchone()
    else:
        with conn.transaction():
            number, already = conn.execute(sql, args).fetchone()
    if already:
        raise HubAlreadyIssued(number)
    return number


def claim(conn, *, facility: str, day: str, service: str, letter: str, seq: int, ma_lk: str, kiosk: str,
          priority: bool, patient_keys: Iterable[tuple[str, str]] = ()) -> tuple[str, bool]:
    """Claim the kiosk's held number `seq` (`hub_claim`, migration 0010): (number, whether the hold was
    used; without it the hub allocated as `allocate` does). Idempotent per MA_LK; autocommit only, so
    the claim's asynchronous commit covers nothing else."""
    keys = list(patient_keys)
    number, already, held = conn.execute(
        "SELECT number, already, held FROM hub_claim(%s, %s, %s, %s, %s, %s, %s, %s, %s::text[], %s::text[])",
        (facility, day, service, letter, seq, ma_lk, kiosk, priority, [k for k, _ in keys],
         [n for _, n in keys])).fetchone()
    if already:
        raise HubAlreadyIssued(number)
    return number, bool(held)


class HubNumbering:
    """The issuer's numbering port: `number(...)` gives a hub number, or None when offline."""

    def __init__(self, dsn: str | Callable[[], str], facility: str, kiosk: str, *, timeout: float = 1.0,
                 retry_after: float = 10.0, clock: Callable[[], float] = time.monotonic, hold_seconds: float = 0.0):
        self._dsn = dsn
        self.facility, self.kiosk = facility, kiosk
        self.timeout, self.retry_after = timeout, retry_after
        self._clock = clock
        self._conn = None
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.online_count = 0
        self.offline_count = 0
        self._thread: ThreadPoolExecutor | None = None
        self.claimed_count = 0
        self.holds = HeldNumbers(self._connect, facility, kiosk, hold_seconds, clock) if hold_seconds > 0 else None

    def _connect(self):
        dsn = self._dsn() if callable(self._dsn) else self._dsn
        ms = int(self.timeout * 1000)
        return psycopg.connect(dsn, autocommit=True, connect_timeout=max(1, int(self.timeout + 0.999)),
                               options=f"-c statement_timeout={ms} -c lock_timeout={ms}")

    @property
    def online(self) -> bool:
        return self._clock() >= self._down_until

    def mark_down(self) -> None:
        self._down_until = self._clock() + self.retry_after
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def begin(self, *, service: str, letter: str, day: str, ma_lk: str, priority: bool,
              patient_keys: Iterable[tuple[str, str]] = ()) -> "PendingNumber":
        """Start one allocation and return at once; `PendingNumber.result()` gives what `number` would."""
        keys = list(patient_keys)
        if not self.online:         # nothing to overlap: answer now, no thread hop
            with self._lock:
                self.offline_count += 1
            done: Future = Future()
            done.set_result(None)
            return PendingNumber(self, done)
        seq, busy = self.holds.take(day, service) if self.holds else (None, False)
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="hub-numbering")
        future = self._thread.submit(self.number, service=service, letter=letter, day=day, ma_lk=ma_lk,
                                     priority=priority, patient_keys=keys, seq=seq)
        if self.holds is not None and (busy or seq is not None):
            holds = self.holds      # the next patient's number, once this one is answered
            future.add_done_callback(lambda f: holds.refill(day, service)
                                     if not f.cancelled() and f.exception() is None and f.result() else None)
        return PendingNumber(self, future)

    def number(self, *, service: str, letter: str, day: str, ma_lk: str, priority: bool,
               patient_keys: Iterable[tuple[str, str]] = (), seq: int | None = None) -> str | None:
        """A hub number (claiming the held `seq` when given), or None when the hub is away."""
        with self._lock:
            if not self.online:
                self.offline_count += 1
                return None
            keys = list(patient_keys)
            try:
                try:
                    reused = self._conn is not None and not self._conn.closed
                    if not reused:
                        self._conn = self._connect()
                    number = self._ask(day, service, letter, ma_lk, priority, keys, seq)
                except psycopg.OperationalError:
                    if not reused:
                        raise
                    # a kept connection died (hub restart, standby promoted): one fresh try,
                    # harmless because an allocation and a claim are idempotent per MA_LK
                    self._close()
                    self._conn = self._connect()
                    number = self._ask(day, service, letter, ma_lk, priority, keys, seq)
            except HubAlreadyIssued:
                if seq is not None and self.holds is not None:
                    self.holds.put_back(day, service, seq)      # refused before the hold was touched
                raise
            except psycopg.Error as exc:
                log.warning("hub numbering unavailable (%s): kiosk series for %.0f s",
                            type(exc).__name__, self.retry_after)
                if seq is not None and self.holds is not None:
                    # not used here (the kiosk's own series is): a claim that did commit deleted the
                    # hold, so a later claim of it is refused by the hub and allocates afresh
                    self.holds.put_back(day, service, seq)
                self.mark_down()
                self.offline_count += 1
                return None
            self.online_count += 1
            return number

    def _ask(self, day: str, service: str, letter: str, ma_lk: str, priority: bool, keys: list, seq: int | None) -> str:
        if seq is None:
            return allocate(self._conn, facility=self.facility, day=day, service=service, letter=letter, ma_lk=ma_lk,
                            kiosk=self.kiosk, priority=priority, patient_keys=keys)
        number, held = claim(self._conn, facility=self.facility, day=day, service=service, letter=letter, seq=seq,
                             ma_lk=ma_lk, kiosk=self.kiosk, priority=priority, patient_keys=keys)
        if held:
            self.claimed_count += 1
        return number

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
        if self.holds is not None:
            self.holds.close()
        with self._lock:
            self._close()


class PendingNumber:
    """An allocation under way. `result()` never waits past the connect + statement timeouts plus a
    margin: a hub that stops answering mid-call makes the ticket come from the kiosk's own series
    (if the hub did commit, that allocation stays a gap in the facility series, as after any lost reply)."""

    def __init__(self, owner: HubNumbering, future: Future):
        self.owner, self.future = owner, future

    def result(self) -> str | None:
        try:
            return self.future.result(timeout=2 * self.owner.timeout + 2.0)
        except FutureTimeout:
            log.warning("hub numbering did not answer in time: kiosk series for %.0f s", self.owner.retry_after)
            self.owner._down_until = self.owner._clock() + self.owner.retry_after
            return None
