"""Push what a kiosk records to the hub: patients, visits, tickets, outbox items and receipts.

In local id order, in batches; each batch is one hub transaction, and the local cursor moves only
after the hub committed it. A crash (kill -9) between the two re-sends the batch, which the hub
ignores (`ON CONFLICT (ma_lk) DO NOTHING`, `(kind, ma_lk)` for uploads): idempotent, in order,
resumable (the link writes its cursors late, kiosk.facility.cursors: it re-sends a little more).
A batch is one round trip (the hub function `hub_ingest`). The hub flags the same patient ticketed
for the same service and day at two kiosks:
both visits are kept, `conflict` is set on both and a `conflicts` row waits for the desk.
"""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field

from psycopg.types.json import Jsonb

from kiosk.facility.cursors import LinkCursors
from kiosk.store.facility_feed import FacilityFeedRepo

log = logging.getLogger(__name__)

@dataclass
class PushReport:
    visits: int = 0
    new_visits: int = 0
    conflicts: int = 0
    outbox: int = 0
    receipts: int = 0
    queue_facts: int = 0          # waiting entries whose booking an appointments import changed
    batches: int = 0
    conflict_ma_lks: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.visits + self.outbox + self.receipts


class Pusher:
    def __init__(self, store, facility_code: str, kiosk_id: str, *, batch: int = 200, persist_every: float = 0.0):
        self.feed = FacilityFeedRepo(store.conn, store.clock)
        self.cursors = LinkCursors(store, persist_every=persist_every)     # written late by the link
        self.store = store
        self.facility_code, self.kiosk_id, self.batch = facility_code, kiosk_id, batch
        self.owner = f"kiosk:{kiosk_id}"

    def push(self, conn, *, max_batches: int = 1000, crash_after_hub_commit: bool = False) -> PushReport:
        """Push everything recorded so far over `conn` (a psycopg connection; on an autocommit one a
        batch is a single round trip, the function call being its own transaction)."""
        report = PushReport()
        for _ in range(max_batches):
            moved = self._batch(conn, report, crash_after_hub_commit)
            got = self._receipts(conn, report)
            if not moved and not got:
                break
            report.batches += 1
            if moved < self.batch and got < self.batch:     # both feeds read to their end
                break
        self._queue_facts(conn, report)
        return report

    def _queue_facts(self, conn, report: PushReport) -> None:
        """After an appointments import gave waiting patients their bookings (the version in
        settings moved), send today's bookings of pushed visits (`hub_queue_facts`, hub 0008);
        the version is marked sent only after the hub committed, so a failure sends them again."""
        from kiosk.core.clock import local_day
        version, sent = self.feed.cursor("queue_facts"), self.cursors.get("push.queue_facts")
        if version <= sent:
            return
        facts = self.feed.queue_facts(local_day(self.store.clock.now()), self.cursors.get("push.visits"))
        if facts:
            sql, args = "SELECT hub_queue_facts(%s, %s)", (self.kiosk_id, Jsonb(facts))
            if conn.autocommit:
                row = conn.execute(sql, args).fetchone()
            else:
                with conn.transaction():
                    row = conn.execute(sql, args).fetchone()
            report.queue_facts += int(row[0])
        self.cursors.move({"push.queue_facts": version})

    def _batch(self, conn, report: PushReport, crash: bool) -> int:
        """Visits and uploads after their cursors: one hub transaction, then the cursors move."""
        visits = self.feed.visits_after(self.cursors.get("push.visits"), self.batch)
        uploads = self.feed.outbox_after(self.cursors.get("push.outbox"), self.batch)
        if not visits and not uploads:
            return 0
        if conn.autocommit:
            self._send(conn.cursor(), visits, uploads, report)
        else:
            with conn.transaction():
                self._send(conn.cursor(), visits, uploads, report)
        if crash:     # tests: the hub committed, the kiosk dies before moving its cursors
            raise SystemExit("crash after hub commit")
        self.cursors.move(({"push.visits": visits[-1]["id"]} if visits else {})
                          | ({"push.outbox": uploads[-1]["id"]} if uploads else {}))
        report.visits += len(visits)
        report.outbox += len(uploads)
        return max(len(visits), len(uploads))

    def _send(self, cur, visits: list[dict], uploads: list[dict], report: PushReport) -> None:
        """The whole batch in one round trip: `hub_ingest` (migrations/hub/0003, 0008) does per visit
        what the hub needs (patient by document, visit with its queue priority, appointment time and
        follow-up flag, conflict flags) and inserts the uploads."""
        vdoc = [{k: r[k] for k in ("ma_lk", "kiosk_id", "visit_day", "service_code", "room", "priority", "status",
                                   "checked_in_at", "ticket_number", "full_name", "birth_date", "gender",
                                   "queue_priority", "appointment_at")}
                | {"follow_up": bool(r["follow_up"]), "documents": [list(d) for d in r["documents"]]}
                for r in visits]
        odoc = [{"kind": r["kind"], "ma_lk": r["ma_lk"], "payload": base64.b64encode(bytes(r["payload"])).decode(),
                 "payload_sha256": r["payload_sha256"], "acked": r["state"] == "acked",
                 "receipt_ma_giao_dich": r["receipt_ma_giao_dich"], "receipt_time": r["receipt_time"]}
                for r in uploads]
        # the report's facts (how each patient was identified; migrations/hub/0007) in the same statement
        facts = [{"ma_lk": r["ma_lk"], "kiosk_id": r["kiosk_id"], "id_method": r.get("id_method"),
                  "checked_provisional": bool(r.get("checked_provisional"))} for r in visits]
        new, conflicts, _ = cur.execute(
            "SELECT new_visits, conflict_ma_lks, hub_report_facts(%s, %s) FROM hub_ingest(%s, %s, %s, %s)",
            (self.kiosk_id, Jsonb(facts), self.kiosk_id, self.facility_code, Jsonb(vdoc), Jsonb(odoc))).fetchone()
        report.new_visits += new
        report.conflicts += len(conflicts)
        report.conflict_ma_lks.extend(conflicts)

    def _receipts(self, conn, report: PushReport) -> int:
        cursor = self.cursors.get("push.receipts")
        pushed_outbox = self.cursors.get("push.outbox")
        acked, upto = self.feed.receipts_after(cursor, self.batch)
        acked = [r for r in acked if r["id"] <= pushed_outbox]
        upto = min(upto, pushed_outbox)
        if upto <= cursor:
            return 0
        with conn.transaction():
            cur = conn.cursor()
            for r in acked:
                if r["last_code"] == "handed_over" and not r["receipt_ma_giao_dich"]:
                    continue
                cur.execute("UPDATE outbox SET state = 'acked', acked_by = %s, receipt_ma_giao_dich = %s, "
                            "receipt_time = %s WHERE kind = %s AND ma_lk = %s AND state <> 'acked' AND owner = %s",
                            (self.owner, r["receipt_ma_giao_dich"], r["receipt_time"], r["kind"], r["ma_lk"],
                             self.owner))
        self.cursors.move({"push.receipts": upto})
        report.receipts += len(acked)
        return upto - cursor
