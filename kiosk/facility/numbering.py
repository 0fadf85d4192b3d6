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
Every request is `hub_claim` (migration 0010): a busy kiosk claims the number it holds (kiosk.facility.
holds) and holds the next; without a hold it is `hub_allocate`'s allocation (`hold_seconds` 0: never hold).
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


def claim(conn, *, facility: str, day: str, service: str, letter: str, seq: int | None, ma_lk: str, kiosk: str,
          priority: bool, patient_keys: Iterable[tuple[str, str]] = (), hold_next: bool = False
          ) -> tuple[str, bool, int | None]:
    """`hub_claim` (migration 0010): (number, whether the held `seq` was used — else the hub allocated
    as `allocate` does —, the next number now held or None). Idempotent per MA_LK; autocommit only,
    so a claim's asynchronous commit covers nothing else."""
    keys = list(patient_keys)
    number, already, held, nxt = conn.execute(
        "SELECT number, already, held, next_seq FROM hub_claim(%s, %s, %s, %s, %s, %s, %s, %s, %s::text[], "
        "%s::text[], %s)", (facility, day, service, letter, seq, ma_lk, kiosk, priority, [k for k, _ in keys],
                            [n for _, n in keys], hold_next)).fetchone()
    if already:
        raise HubAlreadyIssued(number)
    return number, bool(held), nxt


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
        self.holds = HeldNumbers(hold_seconds, clock) if hold_seconds > 0 else None

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
        return CLAIM_SQL, (self.facility, a.day, a.service, a.letter, a.seq, a.ma_lk, self.kiosk, a.priority,
                           [k for k, _ in a.keys], [n for _, n in a.keys], a.busy)

    def _answer(self, ask: "_Ask", row: list, *, late: bool = False) -> str:
        """The number from a row of hub_claim (text values); keeps the next hold it brings."""
        number, already, held = (row[0] or b"").decode(), row[1] == b"t", row[2] == b"t"
        if already:
            if ask.seq is not None and self.holds is not None and not late:
                self.holds.put(ask.day, ask.service, ask.seq)     # refused before the hold was touched
            raise HubAlreadyIssued(number)
        if row[3] is not None and self.holds is not None:
            self.holds.put(ask.day, ask.service, int(row[3]))
        if not late:
            with self._lock:
                self.online_count += 1
                self.claimed_count += int(held)
        return number

    def number(self, *, service: str, letter: str, day: str, ma_lk: str, priority: bool,
               patient_keys: Iterable[tuple[str, str]] = ()) -> str | None:
        """A hub number now (synchronously), or None when the hub is away."""
        ask = _Ask(service, letter, day, ma_lk, priority, list(patient_keys))
        if self.holds is not None:
            ask.seq, ask.busy = self.holds.take(day, service)
        return self._number(ask)

    def _number(self, ask: "_Ask") -> str | None:
        with self._lock:
            if not self.online:
                self.offline_count += 1
                return None
            try:
                try:
                    reused = self._conn is not None and not self._conn.closed
                    if not reused:
                        self._conn = self._connect()
                    got = self._claim(ask)
                except psycopg.OperationalError:
                    if not reused:
                        raise
                    # a kept connection died (hub restart, standby promoted): one fresh try,
                    # harmless because a claim is idempotent per MA_LK
                    self._close()
                    self._conn = self._connect()
                    got = self._claim(ask)
            except HubAlreadyIssued:
                if ask.seq is not None and self.holds is not None:
                    self.holds.put(ask.day, ask.service, ask.seq)   # refused before the hold was touched
                raise
            except psycopg.Error as exc:
                self._away(exc, ask)
                return None
            number, held, nxt = got
            self.online_count += 1
            self.claimed_count += int(held)
        if nxt is not None and self.holds is not None:
            self.holds.put(ask.day, ask.service, int(nxt))
        return number

    def _claim(self, a: "_Ask") -> tuple[str, bool, int | None]:
        return claim(self._conn, facility=self.facility, day=a.day, service=a.service, letter=a.letter, seq=a.seq,
                     ma_lk=a.ma_lk, kiosk=self.kiosk, priority=a.priority, patient_keys=a.keys, hold_next=a.busy)

    def _away(self, exc: Exception, ask: "_Ask") -> None:
        """The hub did not answer: the kiosk's own series for `retry_after` seconds. (Call under the lock.)"""
        log.warning("hub numbering unavailable (%s): kiosk series for %.0f s", type(exc).__name__, self.retry_after)
        if ask.seq is not None and self.holds is not None:
            # not used here (the kiosk's own series is): a claim that did commit deleted the hold,
            # so a later claim of it is refused by the hub and allocates afresh
            self.holds.put(ask.day, ask.service, ask.seq)
        self.mark_down()
        self.offline_count += 1

    def close(self) -> None:
        """Read an answer still due, give the held numbers back (best effort: a hub that does not
        answer keeps them as gaps), close."""
        if self._outstanding is not None:
            self._outstanding.drain()
        with self._lock:
            for day, service, seq in (self.holds.release_all() if self.holds else []):
                try:
                    conn = self._conn if self._conn is not None and not self._conn.closed else self._connect()
                    self._conn = conn
                    conn.execute("SELECT hub_give_back(%s, %s, %s, %s, %s)", (self.facility, day, service, seq, self.kiosk))
                except psycopg.Error as exc:
                    log.info("held number not given back (%s): it stays a gap", type(exc).__name__)
                    self._close()
                    break
            self._close()


class _Ask:
    def __init__(self, service: str, letter: str, day: str, ma_lk: str, priority: bool, keys: list):
        self.service, self.letter, self.day, self.ma_lk, self.priority, self.keys = \
            service, letter, day, ma_lk, priority, keys
        self.seq: int | None = None
        self.busy = False


CLAIM_SQL = (b"SELECT number, already, held, next_seq FROM hub_claim($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], "
             b"$10::text[], $11)")


class PendingNumber:
    """A request under way. `result()` never waits past the statement timeout plus a margin: a hub
    that stops answering mid-call makes the ticket come from the kiosk's own series (if the hub did
    commit, that allocation stays a gap in the facility series, as after any lost reply).
    A claim of a held number waits at most `claim_wait` for its answer: the number is the kiosk's
    already, so a late answer is read before the next request (`drain`); if it says the patient was
    ticketed elsewhere meanwhile, the push makes the hub flag the two visits for the desk, as with
    two offline kiosks."""

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
        # asked again on a fresh connection (harmless: a claim is idempotent per MA_LK)
        self._number = owner._number(ask)
        return self._number

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
            try:
                owner._answer(self.ask, row, late=True)       # keeps the next hold it brings
            except HubAlreadyIssued:
                log.info("a late claim answer: the patient holds another ticket; the hub flags both visits")
        except (TimeoutError, psycopg.Error):
            with owner._lock:
                owner._close()
