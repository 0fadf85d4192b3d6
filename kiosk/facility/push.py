"""Push what a kiosk records to the hub: patients, visits, tickets, outbox items and receipts.

In local id order, in batches; each batch is one hub transaction, and the local cursor moves only
after the hub committed it. A crash (kill -9) between the two re-sends the batch, which the hub
ignores (`ON CONFLICT (ma_lk) DO NOTHING`, `(kind, ma_lk)` for uploads): idempotent, in order,
resumable. The hub flags the same patient ticketed for the same service and day at two kiosks:
both visits are kept, `conflict` is set on both and a `conflicts` row waits for the desk.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kiosk.facility.numbering import is_hub_number
from kiosk.store.facility_feed import FacilityFeedRepo

log = logging.getLogger(__name__)

_MATCH_ORDER = {"cccd": 0, "old_id": 1, "bhxh": 2, "bhyt": 3}


@dataclass
class PushReport:
    visits: int = 0
    new_visits: int = 0
    conflicts: int = 0
    outbox: int = 0
    receipts: int = 0
    batches: int = 0
    conflict_ma_lks: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.visits + self.outbox + self.receipts


def hub_patient(cur, kiosk_id: str, r: dict) -> int:
    """The hub patient of this local patient: found by any document (CCCD first), else created."""
    docs = sorted(r["documents"], key=lambda d: _MATCH_ORDER.get(d[0], 9))
    pid = None
    for kind, number, _ in docs:
        row = cur.execute("SELECT patient_id FROM patient_documents WHERE kind = %s AND number = %s",
                          (kind, number)).fetchone()
        if row:
            pid = row[0]
            break
    if pid is None:
        pid = cur.execute("INSERT INTO patients (full_name, birth_date, gender, first_kiosk) VALUES (%s, %s, %s, %s) "
                          "RETURNING id", (r["full_name"], r["birth_date"], r["gender"] or 3, kiosk_id)).fetchone()[0]
    else:
        cur.execute("UPDATE patients SET last_seen = greatest(last_seen, %s::timestamptz) WHERE id = %s",
                    (r["checked_in_at"], pid))
    for kind, number, valid_to in docs:
        cur.execute("INSERT INTO patient_documents (kind, number, patient_id, valid_to, source) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (kind, number) DO NOTHING",
                    (kind, number, pid, valid_to, f"kiosk:{kiosk_id}"))
    return pid


def _flag_conflicts(cur, ma_lk: str, pid: int, service: str, day: str) -> list[str]:
    others = [row[0] for row in cur.execute(
        "SELECT ma_lk FROM visits WHERE patient_id = %s AND service_code = %s AND visit_day = %s "
        "AND ma_lk <> %s AND status NOT IN ('closed', 'cancelled') ORDER BY checked_in_at",
        (pid, service, day, ma_lk))]
    if not others:
        return []
    cur.execute("UPDATE visits SET conflict = true WHERE ma_lk = ANY(%s) AND NOT conflict", (others + [ma_lk],))
    for other in others:
        cur.execute("INSERT INTO conflicts (ma_lk_a, ma_lk_b, reason) VALUES (%s, %s, 'same patient, service and day') "
                    "ON CONFLICT DO NOTHING", (other, ma_lk))
    return others


class Pusher:
    def __init__(self, store, facility_code: str, kiosk_id: str, *, batch: int = 200):
        self.feed = FacilityFeedRepo(store.conn, store.clock)
        self.store = store
        self.facility_code, self.kiosk_id, self.batch = facility_code, kiosk_id, batch
        self.owner = f"kiosk:{kiosk_id}"

    def push(self, conn, *, max_batches: int = 1000, crash_after_hub_commit: bool = False) -> PushReport:
        """Push everything recorded so far over `conn` (a psycopg connection, autocommit off)."""
        report = PushReport()
        for _ in range(max_batches):
            moved = self._batch(conn, report, crash_after_hub_commit)
            moved += self._receipts(conn, report)
            if not moved:
                break
            report.batches += 1
        return report

    def _local(self, fn):
        with self.store.transaction():
            fn()

    def _batch(self, conn, report: PushReport, crash: bool) -> int:
        """Visits and uploads after their cursors: one hub transaction, then one local one."""
        visits = self.feed.visits_after(self.feed.cursor("push.visits"), self.batch)
        uploads = self.feed.outbox_after(self.feed.cursor("push.outbox"), self.batch)
        if not visits and not uploads:
            return 0
        with conn.transaction():
            cur = conn.cursor()
            if visits:
                self._send_visits(cur, visits, report)
            if uploads:
                self._send_outbox(cur, uploads)
        if crash:     # tests: the hub committed, the kiosk dies before moving its cursors
            raise SystemExit("crash after hub commit")

        def move():
            if visits:
                self.feed.set_cursor("push.visits", visits[-1]["id"])
            if uploads:
                self.feed.set_cursor("push.outbox", uploads[-1]["id"])
        self._local(move)
        report.visits += len(visits)
        report.outbox += len(uploads)
        return len(visits) + len(uploads)

    def _send_visits(self, cur, rows: list[dict], report: PushReport) -> None:
        cur.execute("INSERT INTO hub_kiosks (kiosk_id, facility_code, last_push_at, pushed_until) "
                    "VALUES (%s, %s, now(), %s) ON CONFLICT (kiosk_id) DO UPDATE SET last_push_at = now(), "
                    "pushed_until = greatest(hub_kiosks.pushed_until, excluded.pushed_until)",
                    (self.kiosk_id, self.facility_code, rows[-1]["checked_in_at"]))
        for r in rows:
            pid = hub_patient(cur, self.kiosk_id, r)
            number = r["ticket_number"] or f"?{r['ma_lk']}"
            inserted = cur.execute(
                "INSERT INTO visits (ma_lk, kiosk_id, facility_code, patient_id, visit_day, service_code, room, "
                "priority, status, checked_in_at, ticket_number, numbered_by) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (ma_lk) DO NOTHING "
                "RETURNING ma_lk",
                (r["ma_lk"], r["kiosk_id"], self.facility_code, pid, r["visit_day"], r["service_code"], r["room"],
                 r["priority"], r["status"], r["checked_in_at"], number,
                 "hub" if is_hub_number(number) else "kiosk")).fetchone()
            if inserted:
                report.new_visits += 1
                if _flag_conflicts(cur, r["ma_lk"], pid, r["service_code"], r["visit_day"]):
                    report.conflicts += 1
                    report.conflict_ma_lks.append(r["ma_lk"])

    def _send_outbox(self, cur, rows: list[dict]) -> None:
        for r in rows:
            acked = r["state"] == "acked"
            cur.execute(
                "INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner, state, acked_by, "
                "receipt_ma_giao_dich, receipt_time) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (kind, ma_lk) DO NOTHING",
                (r["kind"], r["ma_lk"], self.kiosk_id, bytes(r["payload"]), r["payload_sha256"], self.owner,
                 "acked" if acked else "pending", self.owner if acked else None,
                 r["receipt_ma_giao_dich"] if acked else None, r["receipt_time"] if acked else None))

    def _receipts(self, conn, report: PushReport) -> int:
        cursor = self.feed.cursor("push.receipts")
        pushed_outbox = self.feed.cursor("push.outbox")
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
        self._local(lambda: self.feed.set_cursor("push.receipts", upto))
        report.receipts += len(acked)
        return upto - cursor
