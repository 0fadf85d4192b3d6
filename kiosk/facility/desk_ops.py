"""Desk commands on the hub: visit transitions and conflict resolution, compare-and-set on `version`,
server time only, every change an event. A desk without the hub refuses (HubUnavailable)."""
from __future__ import annotations

import json

from kiosk.facility.listen import HubUnavailable

TRANSITIONS = {
    "waiting": {"in_progress", "cancelled", "needs_desk"},
    "provisional": {"waiting", "cancelled", "needs_desk"},
    "needs_desk": {"waiting", "cancelled"},
    "in_progress": {"closed", "waiting"},
    "closed": set(),
    "cancelled": set(),
}


class StaleVisit(Exception):
    """Someone else changed the visit first: reload and decide again."""


class BadTransition(ValueError):
    pass


def set_status(conn, ma_lk: str, expected_version: int, status: str, staff: str) -> int:
    """Move a visit to `status` if it still has `expected_version`; returns the new version."""
    if conn is None or conn.closed:
        raise HubUnavailable()
    with conn.transaction():
        row = conn.execute("SELECT status, version FROM visits WHERE ma_lk = %s", (ma_lk,)).fetchone()
        if row is None:
            raise KeyError("no such visit at the hub")
        if row[1] != expected_version:
            raise StaleVisit(ma_lk)
        if status not in TRANSITIONS.get(row[0], set()):
            raise BadTransition(f"a {row[0]} visit cannot become {status}")
        done = conn.execute("UPDATE visits SET status = %s, version = version + 1 WHERE ma_lk = %s AND version = %s "
                            "RETURNING version", (status, ma_lk, expected_version)).fetchone()
        if done is None:
            raise StaleVisit(ma_lk)
        conn.execute("INSERT INTO events (kind, ma_lk, body) VALUES ('visit.desk', %s, %s::jsonb)",
                     (ma_lk, json.dumps({"staff": staff, "from": row[0], "to": status})))
    return done[0]


def resolve_conflict(conn, conflict_id: int, keep_ma_lk: str, staff: str) -> str:
    """Keep one of the two visits, cancel the other (compare-and-set), close the conflict."""
    if conn is None or conn.closed:
        raise HubUnavailable()
    with conn.transaction():
        row = conn.execute("SELECT ma_lk_a, ma_lk_b FROM conflicts WHERE id = %s AND resolved_at IS NULL FOR UPDATE",
                           (conflict_id,)).fetchone()
        if row is None:
            raise KeyError("no open conflict with this id")
        if keep_ma_lk not in row:
            raise ValueError("keep one of the conflict's two visits")
        drop = row[1] if keep_ma_lk == row[0] else row[0]
        version = conn.execute("SELECT version FROM visits WHERE ma_lk = %s", (drop,)).fetchone()[0]
        set_status(conn, drop, version, "cancelled", staff)
        conn.execute("UPDATE visits SET conflict = false WHERE ma_lk IN (%s, %s)", (keep_ma_lk, drop))
        conn.execute("UPDATE conflicts SET resolved_at = now(), resolved_by = %s WHERE id = %s", (staff, conflict_id))
    return drop
