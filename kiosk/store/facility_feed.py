"""What the facility push reads from the local store, and the hand-over marks it writes.

Reads go in id order after a cursor (kept in `settings`), so a push resumes where the last hub
commit left it. A hand-over first reserves the items here (a 'sending' lease held by 'handover',
so this kiosk's own sync worker cannot take them while the hub commits), then parks them in the
state 'handed_over' (migration 0008) once the hub committed: the local worker leases 'pending'
items only, `sync retry --dead` re-queues 'dead' ones only, so a handed-over item is never sent
from here again; the hub worker owns it and its receipt, pulled back, turns it 'acked'.
"""
from __future__ import annotations

from kiosk.store._base import Repo
from kiosk.store.outbox import HANDOVER_LEASE

HANDED_OVER = "handed_over"
RESERVED = HANDOVER_LEASE             # lease_owner while a hand-over is in flight
UPLOADED_BY_HUB = "uploaded by the hub"

_VISIT_SQL = """
SELECT v.id, v.ma_lk, v.patient_id, v.kiosk_id, v.visit_day, v.service_code, v.room, v.priority, v.status,
       v.checked_in_at, t.number AS ticket_number,
       coalesce(p.full_name, '') AS full_name,  -- nameless: identity to confirm at the desk (migration 0006)
       p.birth_date, p.gender, v.id_method, v.checked_provisional,
       q.priority AS queue_priority, q.appointment_at, q.follow_up  -- the hub's queue orders by them too
FROM visits v JOIN patients p ON p.id = v.patient_id
LEFT JOIN tickets t ON t.id = (SELECT min(id) FROM tickets WHERE visit_id = v.id)
LEFT JOIN queue_entries q ON q.ticket_id = t.id
WHERE v.id > ? ORDER BY v.id LIMIT ?"""


class FacilityFeedRepo(Repo):
    def cursor(self, name: str) -> int:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (f"facility.{name}",)).fetchone()
        return int(row[0]) if row else 0

    def set_cursor(self, name: str, value: int) -> None:
        self.conn.execute("""INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
                             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""",
                          (f"facility.{name}", str(int(value)), self._now()))

    def visits_after(self, cursor: int, limit: int) -> list[dict]:
        rows = [dict(r) for r in self.conn.execute(_VISIT_SQL, (cursor, limit))]
        for r in rows:
            r["documents"] = [(d[0], d[1], d[2]) for d in self.conn.execute(
                "SELECT kind, number, valid_to FROM patient_documents WHERE patient_id = ? ORDER BY id",
                (r["patient_id"],))]
        return rows

    def queue_facts(self, day: str, upto_visit: int) -> list[dict]:
        """Waiting entries of `day` (pushed visits only) with a booking or follow-up flag: what an
        appointments import may have changed after the visit reached the hub."""
        return [{"ma_lk": r[0], "appointment_at": r[1], "follow_up": bool(r[2])} for r in self.conn.execute(
            "SELECT v.ma_lk, q.appointment_at, q.follow_up FROM queue_entries q JOIN visits v ON v.id = q.visit_id "
            "WHERE q.day = ? AND q.state = 'waiting' AND v.id <= ? "
            "AND q.ticket_id = (SELECT min(id) FROM tickets WHERE visit_id = v.id) "
            "AND (q.appointment_at IS NOT NULL OR q.follow_up) ORDER BY q.id", (day, upto_visit))]

    def outbox_after(self, cursor: int, limit: int) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT id, kind, ma_lk, payload, payload_sha256, state, last_code, receipt_ma_giao_dich, receipt_time "
            "FROM outbox WHERE id > ? ORDER BY id LIMIT ?", (cursor, limit))]

    def receipts_after(self, cursor: int, limit: int) -> tuple[list[dict], int]:
        """Acked items after `cursor`, and how far the cursor may move: up to the first item that
        is still undecided (pending or sending), so a later ack is never skipped. Only rows before
        that first undecided item are read (a kiosk whose uploads wait reads nothing, not a page)."""
        first_open = self.conn.execute(
            "SELECT min(id) FROM outbox WHERE id > ? AND state IN ('pending', 'sending')", (cursor,)).fetchone()[0]
        rows = [dict(r) for r in self.conn.execute(
            "SELECT id, kind, ma_lk, state, last_code, receipt_ma_giao_dich, receipt_time FROM outbox "
            "WHERE id > ? AND id < ? ORDER BY id LIMIT ?",
            (cursor, first_open if first_open is not None else 2 ** 62, limit))]
        return [r for r in rows if r["state"] == "acked"], (rows[-1]["id"] if rows else cursor)

    def pending_outbox(self, limit: int, created_before: str | None = None) -> list[dict]:
        if created_before is None:
            rows = self.conn.execute("SELECT id, kind, ma_lk FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?",
                                     (limit,))
        else:
            rows = self.conn.execute("SELECT id, kind, ma_lk FROM outbox WHERE state = 'pending' AND created_at < ? "
                                     "ORDER BY id LIMIT ?", (created_before, limit))
        return [dict(r) for r in rows]

    def reserve_for_handover(self, ids: list[int], hold_seconds: float = 3600.0) -> list[int]:
        """Take pending items out of the local worker's reach before the hub commits their new owner
        (a lease held by 'handover'); returns the ids actually reserved."""
        if not ids:
            return []
        ts = self.clock.now().timestamp() + hold_seconds
        marks = ",".join("?" * len(ids))
        self.conn.execute(f"UPDATE outbox SET state = 'sending', lease_owner = ?, lease_until_ts = ?, updated_at = ? "
                          f"WHERE state = 'pending' AND id IN ({marks})", (RESERVED, ts, self._now(), *ids))
        return [r[0] for r in self.conn.execute(
            f"SELECT id FROM outbox WHERE state = 'sending' AND lease_owner = ? AND id IN ({marks}) ORDER BY id",
            (RESERVED, *ids))]

    def reserved_for_handover(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT id, kind, ma_lk FROM outbox WHERE state = 'sending' AND lease_owner = ? ORDER BY id", (RESERVED,))]

    def release_reservation(self, item_id: int) -> bool:
        """The hub did not take the item: it is this kiosk's again, as it was."""
        return self.conn.execute(
            "UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until_ts = NULL, updated_at = ? "
            "WHERE id = ? AND state = 'sending' AND lease_owner = ?", (self._now(), item_id, RESERVED)).rowcount == 1

    def park_handed_over(self, item_id: int) -> bool:
        """The hub committed the hand-over: this kiosk no longer uploads the item."""
        return self.conn.execute(
            "UPDATE outbox SET state = 'handed_over', last_code = ?, lease_owner = 'hub', lease_until_ts = NULL, "
            "updated_at = ? WHERE id = ? AND (state = 'pending' OR (state = 'sending' AND lease_owner = ?))",
            (HANDED_OVER, self._now(), item_id, RESERVED)).rowcount == 1

    def record_hub_receipt(self, kind: str, ma_lk: str, ma_giao_dich: str, time: str | None) -> bool:
        """The hub worker uploaded a handed-over item: keep its receipt here too."""
        return self.conn.execute(
            "UPDATE outbox SET state = 'acked', acked_at = ?, updated_at = ?, receipt_ma_giao_dich = ?, "
            "receipt_time = ?, receipt_message = ? WHERE kind = ? AND ma_lk = ? AND state = 'handed_over'",
            (self._now(), self._now(), ma_giao_dich, time, UPLOADED_BY_HUB, kind, ma_lk)).rowcount == 1
