"""The outbox repository: signed uploads waiting for the gateway, their leases and receipts.

Never opens or commits a transaction itself. Services call `enqueue` inside THEIR transaction
(the visit change and its upload commit together); the sync worker wraps lease/ack calls in its
own `BEGIN IMMEDIATE` on its own connection.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Iterator

from kiosk.core.clock import Clock, iso
from kiosk.core.status import OutboxState
from kiosk.store.db import StoreError


__all__ = ["OutboxConflict", "OutboxItem", "OutboxKind", "OutboxRepo", "OutboxState", "Receipt"]

LAST_SUCCESS_KEY = "sync_last_success"   # settings row: the last ack, without scanning the outbox


class OutboxKind(str, Enum):
    CHECKIN = "checkin"   # signed XML0, checkInKcbQd4750
    DOSSIER = "dossier"   # signed GIAMDINHHS envelope, guiHoSoXmlQD4750


class OutboxConflict(StoreError):
    """The same upload (kind, MA_LK) was queued again with different bytes."""

    def __init__(self, kind: str, item_id: int):
        super().__init__(f"outbox item {item_id} ({kind}) already holds different signed bytes "
                         "for this MA_LK; a resend must reuse the stored bytes")


@dataclass(frozen=True)
class Receipt:
    ma_giao_dich: str | None
    time: str | None          # ISO-8601 as received (or normalised by the client)
    message: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: OutboxKind
    ma_lk: str
    visit_id: int | None
    payload: bytes
    payload_sha256: str
    state: OutboxState
    attempts: int
    next_attempt_ts: float
    lease_until_ts: float | None
    lease_owner: str | None
    needs_reconcile: bool
    last_code: str | None
    last_error: str | None
    created_at: str
    updated_at: str
    acked_at: str | None
    receipt: Receipt | None


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    sending: int
    acked: int
    dead: int
    oldest_pending_at: str | None
    oldest_pending_age_s: float | None
    last_success_at: str | None
    handed_over: int = 0          # handed to the facility hub: its worker uploads them

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ReceiptRow:
    id: int
    kind: str
    ma_lk: str
    ma_giao_dich: str | None
    time: str | None
    acked_at: str | None


_COLUMNS = ("id, kind, ma_lk, visit_id, payload, payload_sha256, state, attempts, next_attempt_ts, "
            "lease_until_ts, lease_owner, needs_reconcile, last_code, last_error, created_at, "
            "updated_at, acked_at, receipt_ma_giao_dich, receipt_time, receipt_message")


def _item(row) -> OutboxItem:
    receipt = None
    if row["state"] == OutboxState.ACKED.value:
        receipt = Receipt(row["receipt_ma_giao_dich"], row["receipt_time"], row["receipt_message"])
    return OutboxItem(
        id=row["id"], kind=OutboxKind(row["kind"]), ma_lk=row["ma_lk"], visit_id=row["visit_id"],
        payload=bytes(row["payload"]), payload_sha256=row["payload_sha256"],
        state=OutboxState(row["state"]), attempts=row["attempts"],
        next_attempt_ts=row["next_attempt_ts"], lease_until_ts=row["lease_until_ts"],
        lease_owner=row["lease_owner"], needs_reconcile=bool(row["needs_reconcile"]),
        last_code=row["last_code"], last_error=row["last_error"], created_at=row["created_at"],
        updated_at=row["updated_at"], acked_at=row["acked_at"], receipt=receipt)


def _clip(text: str | None, limit: int = 500) -> str | None:
    return None if text is None else str(text)[:limit]


class OutboxRepo:
    def __init__(self, conn, clock: Clock):
        self.conn = conn
        self.clock = clock

    def _now(self) -> tuple[str, float]:
        now: datetime = self.clock.now()
        return iso(now), now.timestamp()

    # --- producers (inside the caller's transaction)

    def enqueue(self, kind: OutboxKind | str, ma_lk: str, payload: bytes,
                visit_id: int | None = None) -> int:
        """Queue signed bytes for upload; returns the item id.

        Idempotent: the same (kind, MA_LK, bytes) again returns the existing item. Different
        bytes for an existing (kind, MA_LK) raise OutboxConflict.
        """
        kind = OutboxKind(kind)
        if not ma_lk:
            raise ValueError("an outbox item needs its MA_LK")
        payload = bytes(payload)
        digest = hashlib.sha256(payload).hexdigest()
        row = self.conn.execute("SELECT id, payload_sha256 FROM outbox WHERE kind = ? AND ma_lk = ?",
                                (kind.value, ma_lk)).fetchone()
        if row is not None:
            if row["payload_sha256"] != digest:
                raise OutboxConflict(kind.value, row["id"])
            return row["id"]
        at, _ = self._now()
        cur = self.conn.execute(
            "INSERT INTO outbox (kind, ma_lk, visit_id, payload, payload_sha256, state, "
            "next_attempt_ts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
            (kind.value, ma_lk, visit_id, payload, digest, at, at))
        return cur.lastrowid

    # --- reads

    def get(self, item_id: int) -> OutboxItem | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return _item(row) if row else None

    def find(self, kind: OutboxKind | str, ma_lk: str) -> OutboxItem | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE kind = ? AND ma_lk = ?",
                                (OutboxKind(kind).value, ma_lk)).fetchone()
        return _item(row) if row else None

    def items(self, state: OutboxState | str | None = None, limit: int = 100) -> list[OutboxItem]:
        if state is None:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY id LIMIT ?", (limit,))
        else:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = ? ORDER BY id LIMIT ?",
                                     (OutboxState(state).value, limit))
        return [_item(r) for r in rows]

    def stats(self) -> OutboxStats:
        counts = {s.value: 0 for s in OutboxState}
        for row in self.conn.execute("SELECT state, count(*) AS n FROM outbox GROUP BY state"):
            counts[row["state"]] = row["n"]
        # Columns after `payload` sit behind its overflow pages: aggregate over the index, then
        # read single rows. The first queued waiting item (lowest id) is the oldest one.
        oldest = self.conn.execute(
            "SELECT created_at AS at FROM outbox WHERE id = (SELECT min(id) FROM outbox "
            "WHERE state IN ('pending', 'sending'))").fetchone()
        oldest = oldest["at"] if oldest else None
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (LAST_SUCCESS_KEY,)).fetchone()
        last = row["value"] if row else self.conn.execute(
            "SELECT max(acked_at) AS at FROM outbox WHERE state = 'acked'").fetchone()["at"]
        age = None
        if oldest:
            age = max(0.0, (self.clock.now() - datetime.fromisoformat(oldest)).total_seconds())
        return OutboxStats(pending=counts[OutboxState.PENDING], sending=counts[OutboxState.SENDING],
                           acked=counts[OutboxState.ACKED], dead=counts[OutboxState.DEAD], oldest_pending_at=oldest, oldest_pending_age_s=age,
                           last_success_at=last, handed_over=counts[OutboxState.HANDED_OVER])

    def next_due_ts(self) -> float | None:
        row = self.conn.execute(
            "SELECT min(next_attempt_ts) AS ts FROM outbox WHERE state = 'pending'").fetchone()
        return row["ts"]

    def earliest_lease_expiry(self) -> float | None:
        row = self.conn.execute(
            "SELECT min(lease_until_ts) AS ts FROM outbox WHERE state = 'sending'").fetchone()
        return row["ts"]

    def handed_over_items(self, limit: int = 50) -> list[OutboxItem]:
        """Items handed to the facility hub: still waiting for the hub's worker, or acked by it
        (their receipt pulled back from the hub)."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state = 'handed_over' "
            "OR (state = 'acked' AND last_code = 'handed_over') ORDER BY id DESC LIMIT ?", (limit,))
        return [_item(r) for r in rows]

    def receipts(self, since: str | None = None) -> Iterator[ReceiptRow]:
        """Acked items with the gateway's receipt; no payload, no personal data."""
        sql = ("SELECT id, kind, ma_lk, receipt_ma_giao_dich, receipt_time, acked_at FROM outbox "
               "WHERE state = 'acked'")
        params: tuple = ()
        if since:
            sql += " AND acked_at >= ?"
            params = (since,)
        for r in self.conn.execute(sql + " ORDER BY acked_at, id", params):
            yield ReceiptRow(r["id"], r["kind"], r["ma_lk"], r["receipt_ma_giao_dich"],
                             r["receipt_time"], r["acked_at"])

    # --- the worker (inside its BEGIN IMMEDIATE)

    def lease_due(self, owner: str, limit: int, lease_seconds: float,
                  max_delay: float | None = None, probe: bool = False) -> list[OutboxItem]:
        """Move up to `limit` due pending items to `sending` under `owner` and return them.

        An item scheduled further ahead than `max_delay` is due too: the wall clock jumped back
        and its schedule can no longer be trusted. `probe` takes the earliest pending item even
        if it is not due (the worker tests a lost link with one real upload), preferring one that
        needs no reconciliation.
        """
        _, now = self._now()
        horizon = now + max_delay if max_delay is not None else float("inf")
        if probe:
            ids = [r["id"] for r in self.conn.execute(
                "SELECT id FROM outbox WHERE state = 'pending' AND needs_reconcile = 0 "
                "ORDER BY next_attempt_ts, id LIMIT ?", (int(limit),))]
            if not ids:
                ids = [r["id"] for r in self.conn.execute(
                    "SELECT id FROM outbox WHERE state = 'pending' ORDER BY next_attempt_ts, id LIMIT ?",
                    (int(limit),))]
        else:
            # two index ranges on outbox_due (state, next_attempt_ts): never a scan over payloads
            ids = [r["id"] for r in self.conn.execute(
                "SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_ts <= ? "
                "ORDER BY next_attempt_ts, id LIMIT ?", (now, int(limit)))]
            if len(ids) < limit and horizon != float("inf"):
                ids += [r["id"] for r in self.conn.execute(
                    "SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_ts > ? "
                    "ORDER BY next_attempt_ts, id LIMIT ?", (horizon, int(limit) - len(ids)))]
        if not ids:
            return []
        at, now = self._now()
        marks = ",".join("?" * len(ids))
        self.conn.execute(
            f"UPDATE outbox SET state = 'sending', lease_owner = ?, lease_until_ts = ?, "
            f"attempts = attempts + 1, updated_at = ? WHERE state = 'pending' AND id IN ({marks})",
            (owner, now + lease_seconds, at, *ids))
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE lease_owner = ? AND state = 'sending' AND id IN ({marks}) "
            "ORDER BY next_attempt_ts, id", (owner, *ids))
        return [_item(r) for r in rows]

    def reclaim_leases(self, *, expired_only: bool = True, retry_after: float = 0.0,
                       except_owner: str | None = None) -> int:
        """Return `sending` items to `pending`, marked needs_reconcile: nobody knows whether the
        lost attempt reached the gateway. expired_only=False takes every lease (at start-up,
        when this worker holds the data dir's single-worker lock, every lease is an orphan)."""
        at, now = self._now()
        sql = ("UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until_ts = NULL, "
               "needs_reconcile = 1, next_attempt_ts = ?, last_code = coalesce(last_code, 'lease-lost'), "
               "updated_at = ? WHERE state = 'sending'")
        params: tuple = (now + retry_after, at)
        if expired_only:
            sql += " AND lease_until_ts < ?"
            params += (now,)
        if except_owner:   # a live worker's own leases end through its own answers
            sql += " AND lease_owner IS NOT ?"
            params += (except_owner,)
        return self.conn.execute(sql, params).rowcount

    def ack(self, item_id: int, receipt: Receipt) -> bool:
        """The gateway holds this upload. Recorded whatever the lease: it is a fact about the
        gateway, not about who asked. The first receipt stays."""
        at, _ = self._now()
        done = self.conn.execute(
            "UPDATE outbox SET state = 'acked', acked_at = ?, updated_at = ?, lease_owner = NULL, "
            "lease_until_ts = NULL, needs_reconcile = 0, last_error = NULL, receipt_ma_giao_dich = ?, "
            "receipt_time = ?, receipt_message = ? WHERE id = ? AND state != 'acked'",
            (at, at, receipt.ma_giao_dich, receipt.time, _clip(receipt.message), item_id)).rowcount == 1
        if done:
            self.conn.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                              (LAST_SUCCESS_KEY, at, at))
        return done

    def schedule_retry(self, item_id: int, owner: str, *, delay: float, code: str | None,
                       error: str | None, needs_reconcile: bool) -> bool:
        at, now = self._now()
        return self.conn.execute(
            "UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until_ts = NULL, "
            "next_attempt_ts = ?, needs_reconcile = ?, last_code = ?, last_error = ?, updated_at = ? "
            "WHERE id = ? AND state = 'sending' AND lease_owner = ?",
            (now + delay, int(needs_reconcile), code, _clip(error), at, item_id, owner)).rowcount == 1

    def mark_dead(self, item_id: int, owner: str, *, code: str | None, message: str | None) -> bool:
        at, _ = self._now()
        return self.conn.execute(
            "UPDATE outbox SET state = 'dead', lease_owner = NULL, lease_until_ts = NULL, "
            "needs_reconcile = 0, last_code = ?, last_error = ?, updated_at = ? "
            "WHERE id = ? AND state = 'sending' AND lease_owner = ?",
            (code, _clip(message), at, item_id, owner)).rowcount == 1

    # --- staff and connectivity

    def requeue(self, item_id: int) -> bool:
        """A dead (or waiting) item goes back to `pending`, due now, with its stored bytes."""
        at, _ = self._now()
        return self.conn.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_ts = 0, attempts = 0, updated_at = ? "
            "WHERE id = ? AND state IN ('dead', 'pending')", (at, item_id)).rowcount == 1

    def replace_dead_payload(self, item_id: int, payload: bytes) -> bool:
        """A dead item's bytes replaced by a corrected, re-signed document and queued again, due now.
        Only a dead item: the gateway refused it, so it holds nothing under this MA_LK. False when
        the item is not (or no longer) dead."""
        payload = bytes(payload)
        at, _ = self._now()
        return self.conn.execute(
            "UPDATE outbox SET payload = ?, payload_sha256 = ?, state = 'pending', attempts = 0, "
            "next_attempt_ts = 0, needs_reconcile = 0, updated_at = ? WHERE id = ? AND state = 'dead'",
            (payload, hashlib.sha256(payload).hexdigest(), at, item_id)).rowcount == 1

    def requeue_dead(self) -> int:
        at, _ = self._now()
        return self.conn.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_ts = 0, attempts = 0, updated_at = ? "
            "WHERE state = 'dead'", (at,)).rowcount

    def make_due_now(self, reconcile_grace: float = 0.0) -> int:
        """The gateway is back: waiting items are due now instead of after their backoff. Items
        that must be reconciled keep at least `reconcile_grace` (a lost request may still be in
        the gateway's hands)."""
        _, now = self._now()
        n = self.conn.execute(
            "UPDATE outbox SET next_attempt_ts = ? WHERE state = 'pending' AND needs_reconcile = 0 "
            "AND next_attempt_ts > ?", (now, now)).rowcount
        return n + self.conn.execute(
            "UPDATE outbox SET next_attempt_ts = ? WHERE state = 'pending' AND needs_reconcile = 1 "
            "AND next_attempt_ts > ?", (now + reconcile_grace, now + reconcile_grace)).rowcount

    def oldest_acked_at(self) -> str | None:
        return self.conn.execute("SELECT min(acked_at) FROM outbox WHERE state = ?",
                                 (OutboxState.ACKED,)).fetchone()[0]

    def prune_acked(self, acked_before: str) -> int:
        """Delete items acked before `acked_before` (ISO); pending, sending and dead stay."""
        return self.conn.execute(
            "DELETE FROM outbox WHERE state = ? AND acked_at IS NOT NULL AND acked_at < ?",
            (OutboxState.ACKED, acked_before)).rowcount
