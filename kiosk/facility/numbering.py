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
`begin` sends the request and returns at once (kiosk.facility.sent_query, on the caller's own
thread): the issuer signs the check-in record meanwhile and only then reads the number, so the
round trip to the hub overlaps the kiosk's own work instead of adding to it.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable

import psycopg

from kiosk.facility.holds import HeldNumbers
from kiosk.facility.sent_query import SentQuery

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
                 retry_after: float = 10.0, clock: Callable[[], float] = time.monotonic, hold_seconds: float = 0.0,
                 claim_wait: float = 0.0):
        self._dsn = dsn
        self.facility, self.kiosk = facility, kiosk
        self.timeout, self.retry_after = timeout, retry_after
        self._clock = clock
        self._conn = None
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.online_count = 0
        self.offline_count = 0
        self._outstanding: PendingNumber | None = None
        self.claimed_count = 0
        self.claim_wait = claim_wait
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
        """Send one request and return at once; `PendingNumber.result()` gives what `number` would."""
        ask = _Ask(service, letter, day, ma_lk, priority, list(patient_keys))
        if self._outstanding is not None:       # an earlier answer not read yet
            self._outstanding.drain()
        if not self.online:         # nothing to overlap: answer now
            with self._lock:
                self.offline_count += 1
            return PendingNumber(self, ask, None, answered=True)
        ask.seq, ask.busy = self.holds.take(day, service) if self.holds else (None, False)
        sent = None
        with self._lock:
            reused = self._conn is not None and not self._conn.closed
            try:
                conn = self._conn if reused and self._conn is not None else self._connect()
                self._conn = conn
                sent = SentQuery(conn, *self._query(ask))
            except psycopg.Error as exc:
                self._close()       # a kept connection: result() asks again on a fresh one
                if not reused:
                    self._away(exc, ask)
                    return PendingNumber(self, ask, None, answered=True)
        pending = PendingNumber(self, ask, sent)
        self._outstanding = pending
        return pending

    def _query(self, a: "_Ask") -> tuple[bytes, tuple]:
        kinds, numbers = [k for k, _ in a.keys], [n for _, n in a.keys]
        if a.seq is None:
            return ALLOCATE_SQL, (self.facility, a.day, a.service, a.letter, a.ma_lk, self.kiosk, a.priority, kinds, numbers)
        return CLAIM_SQL, (self.facility, a.day, a.service, a.letter, a.seq, a.ma_lk, self.kiosk, a.priority, kinds,
                           numbers)

    def _answer(self, ask: "_Ask", row: list) -> str:
        """The number from a row of hub_allocate / hub_claim (text values)."""
        number, already, held = (row[0] or b"").decode(), row[1] == b"t", row[2] == b"t"
        if already:
            if ask.seq is not None and self.holds is not None:
                self.holds.put_back(ask.day, ask.service, ask.seq)      # refused before the hold was touched
            raise HubAlreadyIssued(number)
        with self._lock:
            self.online_count += 1
            self.claimed_count += int(held)
        return number

    def _refill(self, ask: "_Ask") -> None:
        if self.holds is not None and (ask.busy or ask.seq is not None):
            self.holds.refill(ask.day, ask.service)      # the next patient's number, in the background

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
                self._away(exc, _Ask(service, letter, day, ma_lk, priority, keys, seq))
                return None
            self.online_count += 1
        return number

    def _away(self, exc: Exception, ask: "_Ask") -> None:
        """The hub did not answer: the kiosk's own series for `retry_after` seconds. (Call under the lock.)"""
        log.warning("hub numbering unavailable (%s): kiosk series for %.0f s", type(exc).__name__, self.retry_after)
        if ask.seq is not None and self.holds is not None:
            # not used here (the kiosk's own series is): a claim that did commit deleted the hold,
            # so a later claim of it is refused by the hub and allocates afresh
            self.holds.put_back(ask.day, ask.service, ask.seq)
        self.mark_down()
        self.offline_count += 1

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
        if self._outstanding is not None:
            self._outstanding.drain()
        if self.holds is not None:
            self.holds.close()
        with self._lock:
            self._close()


class _Ask:
    def __init__(self, service: str, letter: str, day: str, ma_lk: str, priority: bool, keys: list,
                 seq: int | None = None):
        self.service, self.letter, self.day, self.ma_lk, self.priority, self.keys = \
            service, letter, day, ma_lk, priority, keys
        self.seq = seq
        self.busy = False


ALLOCATE_SQL = b"SELECT number, already, false FROM hub_allocate($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[])"
CLAIM_SQL = b"SELECT number, already, held FROM hub_claim($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10::text[])"


class PendingNumber:
    """A request under way. `result()` never waits past the statement timeout plus a margin: a hub
    that stops answering mid-call makes the ticket come from the kiosk's own series (if the hub did
    commit, that allocation stays a gap in the facility series, as after any lost reply).
    A claim of a held number waits at most `claim_wait` for its answer: the number is the kiosk's
    already, so a late answer is read before the next request (`drain`); if it says the patient was
    ticketed elsewhere meanwhile, the push makes the hub flag the two visits for the desk, as with
    two offline kiosks. `finish()` (the ticket is out) takes the next patient's number."""

    def __init__(self, owner: HubNumbering, ask: _Ask, sent: SentQuery | None, answered: bool = False):
        self.owner, self.ask, self._sent = owner, ask, sent
        self._deadline = time.monotonic() + 2 * owner.timeout + 2.0
        self._read = answered       # answered already: the hub is away, the kiosk's own series
        self._late = False
        self._number: str | None = None

    def result(self) -> str | None:
        owner, ask = self.owner, self.ask
        if self._read:
            return self._number
        self._read = True
        if self._sent is not None:
            wait = self._deadline if ask.seq is None else min(self._deadline, time.monotonic() + owner.claim_wait)
            try:
                with owner._lock:
                    row = self._sent.row(wait)
                if owner._outstanding is self:
                    owner._outstanding = None
                self._number = owner._answer(ask, row)
                return self._number
            except TimeoutError as exc:
                if ask.seq is not None:             # the number is the kiosk's: the answer is read later
                    self._late = True
                    with owner._lock:
                        owner.online_count += 1
                        owner.claimed_count += 1
                    self._number = hub_number(ask.letter, ask.seq, ask.priority)
                    return self._number
                with owner._lock:
                    owner._away(exc, ask)
                return None
            except psycopg.Error:
                with owner._lock:
                    owner._close()      # a kept connection died (hub restart, standby promoted): once more below
        if owner._outstanding is self:
            owner._outstanding = None
        # asked again on a fresh connection (harmless: an allocation and a claim are idempotent per MA_LK)
        self._number = owner.number(service=ask.service, letter=ask.letter, day=ask.day, ma_lk=ask.ma_lk,
                                    priority=ask.priority, patient_keys=ask.keys, seq=ask.seq)
        return self._number

    def finish(self) -> None:
        """The ticket is out: take the next patient's number in the background (a busy kiosk)."""
        if self._number is not None and is_hub_number(self._number):
            self.owner._refill(self.ask)

    def drain(self) -> None:
        """Before the next request on this connection: an answer never read (its ticket failed) is
        read now; a late claim's answer only if it is there (else the connection is dropped)."""
        owner = self.owner
        owner._outstanding = None
        if not self._read:
            try:
                self.result()
            except HubAlreadyIssued:
                pass
            return
        if not self._late or self._sent is None:
            return
        try:
            with owner._lock:
                row = self._sent.row(time.monotonic())
            if row[1] == b"t":
                log.info("a late claim answer: the patient holds another ticket; the hub flags both visits")
        except (TimeoutError, psycopg.Error):
            with owner._lock:
                owner._close()
