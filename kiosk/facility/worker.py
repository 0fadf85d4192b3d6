"""`kiosk hub worker`: uploads the items the hub owns (handed over by kiosks), exactly once.

Leases with `SELECT ... FOR UPDATE SKIP LOCKED` (several workers never take the same item), one
short transaction to lease and one to record the answer; the upload itself runs outside any
transaction. An item whose lease ran out (a worker killed mid-upload) comes back marked
`needs_reconcile`, and the next attempt counts the gateway's "duplicate" answer as the ack, as the
kiosk's own worker does (kiosk.sync.policy). Receipts are kept in the hub whoever uploaded.
Idle, it does not poll: it LISTENs on `hub_outbox` and sleeps until a hand-over or its next due time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.sync import policy
from kiosk.sync.policy import Action

log = logging.getLogger(__name__)

CHANNEL = "hub_outbox"          # NOTIFY'd by a hand-over (kiosk.facility.handover) in its transaction
FALLBACK_SECONDS = 60.0         # longest sleep without a notification

LEASE_SQL = """
WITH due AS (
    SELECT kind, ma_lk FROM outbox
    WHERE owner = 'hub' AND ((state = 'pending' AND next_attempt_at <= now())
                             OR (state = 'sending' AND lease_until < now()))
    ORDER BY next_attempt_at, created_at LIMIT %s FOR UPDATE SKIP LOCKED)
UPDATE outbox o SET state = 'sending', lease_until = now() + make_interval(secs => %s),
       attempts = o.attempts + 1, needs_reconcile = o.needs_reconcile OR o.state = 'sending'
FROM due WHERE o.kind = due.kind AND o.ma_lk = due.ma_lk
RETURNING o.kind, o.ma_lk, o.payload, o.needs_reconcile, o.created_at"""


@dataclass
class WorkerReport:
    acked: int = 0
    retried: int = 0
    dead: int = 0


class HubUploadWorker:
    def __init__(self, conn, client, facility_code: str, *, batch: int = 16, lease_seconds: float = 120.0,
                 grace: float = 5.0):
        self.conn, self.client, self.facility_code = conn, client, facility_code
        self.batch, self.lease_seconds, self.grace = batch, lease_seconds, grace
        self.wakeups = 0

    def run_once(self) -> WorkerReport:
        report = WorkerReport()
        with self.conn.transaction():
            items = self.conn.execute(LEASE_SQL, (self.batch, self.lease_seconds)).fetchall()
        for kind, ma_lk, payload, needs_reconcile, created_at in items:
            d = self._attempt(kind, ma_lk, bytes(payload), needs_reconcile, created_at)
            with self.conn.transaction():
                if d.action is Action.ACK:
                    self.conn.execute(
                        "UPDATE outbox SET state = 'acked', acked_by = 'hub', lease_until = NULL, "
                        "receipt_ma_giao_dich = %s, receipt_time = %s, last_code = %s "
                        "WHERE kind = %s AND ma_lk = %s AND state = 'sending'",
                        (d.receipt.ma_giao_dich if d.receipt else None, d.receipt.time if d.receipt else None,
                         d.code, kind, ma_lk))
                    self.conn.execute("INSERT INTO events (kind, ma_lk, body) VALUES ('outbox.acked', %s, "
                                      "jsonb_build_object('by', 'hub'))", (ma_lk,))
                    report.acked += 1
                elif d.action is Action.DEAD:
                    self.conn.execute("UPDATE outbox SET state = 'dead', lease_until = NULL, last_code = %s "
                                      "WHERE kind = %s AND ma_lk = %s", (d.code, kind, ma_lk))
                    report.dead += 1
                else:
                    delay = max(d.min_delay, 2.0)
                    self.conn.execute(
                        "UPDATE outbox SET state = 'pending', lease_until = NULL, last_code = %s, "
                        "needs_reconcile = %s, next_attempt_at = now() + make_interval(secs => %s) "
                        "WHERE kind = %s AND ma_lk = %s", (d.code, d.needs_reconcile, delay, kind, ma_lk))
                    report.retried += 1
        return report

    def _attempt(self, kind: str, ma_lk: str, payload: bytes, needs_reconcile: bool, created_at):
        """Reconcile first when an earlier attempt may have reached the gateway (a worker died
        holding the lease), then upload; the same rules as the kiosk's worker."""
        from datetime import datetime, timezone

        from kiosk.store.outbox import OutboxKind
        from kiosk.sync.attempt import HubUpload, attempt_upload
        try:
            item = HubUpload(OutboxKind(kind), ma_lk, bytes(payload), created_at.isoformat(), needs_reconcile)
            return attempt_upload(self.client, item, self.facility_code, now=lambda: datetime.now(timezone.utc),
                                  lookup_days=7, grace=self.grace)
        except Exception as exc:
            log.warning("hub upload attempt failed unexpectedly (%s)", type(exc).__name__)
            return policy.crashed(exc, self.grace)

    def next_due_in(self) -> float | None:
        """Seconds until the earliest hub-owned item is due (a retry's backoff or a dead worker's
        lease running out), or None when nothing waits."""
        with self.conn.transaction():
            row = self.conn.execute(
                "SELECT extract(epoch FROM least("
                "(SELECT min(next_attempt_at) FROM outbox WHERE owner = 'hub' AND state = 'pending'), "
                "(SELECT min(lease_until) FROM outbox WHERE owner = 'hub' AND state = 'sending')) - now())::float"
            ).fetchone()
        return None if row is None or row[0] is None else max(0.0, row[0])

    def run_forever(self, stop=lambda: False, idle: float = FALLBACK_SECONDS) -> None:
        """Drain, then sleep until a kiosk hands something over (LISTEN hub_outbox, NOTIFY sent in
        the hand-over's transaction), a retry falls due, or `idle` seconds pass (a fallback for a
        notification lost with a broken connection)."""
        with self.conn.transaction():
            self.conn.execute(f"LISTEN {CHANNEL}")
        while not stop():
            rep = self.run_once()
            if rep.acked or rep.retried or rep.dead:
                continue
            due = self.next_due_in()
            wait = idle if due is None else min(idle, due + 0.05)
            self.wakeups += 1
            for _ in self.conn.notifies(timeout=max(wait, 0.0), stop_after=1):
                break
