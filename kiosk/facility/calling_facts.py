"""What the facility demo (and an operator) asks the hub about calling: open conflicts to settle
before calling, and the facts of a day's calls (no names)."""
from __future__ import annotations


def open_conflicts(conn) -> list[tuple[int, str]]:
    """(conflict id, the first visit's MA_LK) of every conflict the desk has not settled."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT id, ma_lk_a FROM conflicts WHERE resolved_at IS NULL ORDER BY id")]


def _one(conn, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    assert row is not None  # an aggregate answers one row
    return int(row[0])


def calling_facts(conn) -> dict:
    """Patients called at more than one queue entry, entries still waiting, audited calls."""
    twice = conn.execute(
        "SELECT v.patient_id FROM hub_queue_calls c JOIN hub_queue_entries q ON q.id = c.entry_id "
        "JOIN visits v ON v.ma_lk = q.ma_lk WHERE c.kind = 'call' GROUP BY v.patient_id "
        "HAVING count(DISTINCT q.id) > 1").fetchall()
    return {"patients_called_twice": len(twice),
            "left_waiting": _one(conn, "SELECT count(*) FROM hub_queue_entries WHERE state = 'waiting'"),
            "audited_calls": _one(conn, "SELECT count(*) FROM events WHERE kind = 'queue.call'")}
