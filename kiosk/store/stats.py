"""Counts for fleet metrics (no personal data): visits and printed tickets."""
from __future__ import annotations


def totals(conn) -> dict[str, int]:
    visits = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    printed = conn.execute("SELECT count(*) FROM tickets WHERE print_count > 0 OR status IN ('printed', 'shown')"
                           ).fetchone()[0]
    return {"visits": visits, "tickets_printed": printed}
