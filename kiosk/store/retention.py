"""Retention SQL: acked outbox receipts older than the receipt retention are pruned."""
from __future__ import annotations


def prune_acked_outbox(conn, acked_before: str) -> int:
    """Delete acked items acked before `acked_before` (ISO); pending, sending and dead stay."""
    cur = conn.execute("DELETE FROM outbox WHERE state = 'acked' AND acked_at IS NOT NULL AND acked_at < ?",
                       (acked_before,))
    return cur.rowcount
