"""The weekly report's figures, aggregated in SQL over a range of facility days (no personal data:
every row is a day, a kiosk, a code and a count or a duration).

Days are the facility's local days (yyyy-mm-dd, Vietnam time), inclusive. Visits carry their
local `visit_day`; card checks are stamped in UTC and shifted by +7 h. Uploads are counted on
their visit's day. Percentiles are nearest-rank (the value at rank ceil(p * n)).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from kiosk.core.clock import VN_TZ, iso
from kiosk.store._base import Repo
from kiosk.store.report_delays import upload_figures

PERIOD = "*"          # the `day` of a row that covers the whole period

_RECEPTIONS = """
SELECT visit_day AS day, kiosk_id, coalesce(id_method, 'unknown') AS id_method, count(*) AS n
FROM visits INDEXED BY visits_report WHERE visit_day BETWEEN ? AND ?
GROUP BY visit_day, kiosk_id, id_method   -- the index's order: no sort
"""

_CHECKS = """
SELECT date(checked_at, '+7 hours') AS day, coalesce(result_code, '') AS result_code, verdict,
       provisional, count(*) AS n
FROM eligibility_checks WHERE checked_at >= ? AND checked_at < ?
GROUP BY 1, 2, 3, 4"""

_PROVISIONAL = """
SELECT v.visit_day AS day, v.kiosk_id,
       CASE WHEN e.provisional = 0 AND e.verdict IN ('valid', 'valid_new_card') THEN 'confirmed'
            WHEN e.provisional = 0 AND e.verdict = 'needs_desk' THEN 'desk'
            WHEN v.status = 'cancelled' THEN 'cancelled'
            ELSE 'pending' END AS outcome,
       count(*) AS n
FROM visits v INDEXED BY visits_report LEFT JOIN eligibility_checks e ON e.id = v.eligibility_id
WHERE v.visit_day BETWEEN ? AND ? AND v.checked_provisional = 1
GROUP BY 1, 2, 3"""

# INDEXED BY: the covering index of migration 0004 (the planner, after ANALYZE, may prefer
# visits_day_status and read every visit row with its summary).
# Every upload of the period's visits in visit-day order (the covering indexes' own order: no sort),
# with, for acked ones, the seconds from the visit's end (the check-in for XML0, the closing for a
# dossier) to the gateway's receipt time (its thoiGianTiepNhan; our ack time when it gave none).
_UPLOAD_ROWS = """
SELECT v.visit_day, v.kiosk_id || '|' || o.kind, o.state, o.last_code,
       CASE WHEN o.state = 'acked' AND (o.kind = 'checkin' OR v.closed_at IS NOT NULL) THEN
         CAST(round((julianday(coalesce(o.receipt_time, o.acked_at)) -
                     julianday(CASE o.kind WHEN 'checkin' THEN v.checked_in_at ELSE v.closed_at END)) * 86400.0)
              AS INTEGER) END AS s
FROM visits v INDEXED BY visits_report CROSS JOIN outbox o ON o.visit_id = v.id
WHERE v.visit_day BETWEEN ? AND ?
ORDER BY v.visit_day"""

_PRIORITY = """
SELECT day, kiosk_id, priority, sum(n) AS n FROM (
  SELECT visit_day AS day, kiosk_id, priority, count(*) AS n
  FROM visits INDEXED BY visits_report
  WHERE visit_day BETWEEN ? AND ? AND priority IS NOT NULL AND status != 'cancelled'
  GROUP BY visit_day, kiosk_id, id_method, status, priority)       -- the index's order: no sort
GROUP BY 1, 2, 3"""

# the calling wing's table: one row per call of a ticket (first call = end of the wait)
_CALL_TABLES = ("ticket_calls", "queue_calls", "calls")
_CALL_END = ("finished_at", "done_at", "served_at", "ended_at")


def utc_bounds(first_day: str, last_day: str) -> tuple[str, str]:
    """The UTC ISO stamps [start, end) of local days first_day..last_day."""
    start = datetime.combine(date.fromisoformat(first_day), time(0), VN_TZ)
    end = datetime.combine(date.fromisoformat(last_day) + timedelta(days=1), time(0), VN_TZ)
    return iso(start), iso(end)


def _rows(cur) -> list[dict]:
    return [dict(r) for r in cur]


class ReportRepo(Repo):
    def receptions(self, first_day: str, last_day: str) -> list[dict]:
        return _rows(self.conn.execute(_RECEPTIONS, (first_day, last_day)))

    def card_checks(self, first_day: str, last_day: str) -> list[dict]:
        rows = _rows(self.conn.execute(_CHECKS, utc_bounds(first_day, last_day)))
        for r in rows:
            r["provisional"] = bool(r["provisional"])
        return rows

    def provisional_outcomes(self, first_day: str, last_day: str) -> list[dict]:
        return _rows(self.conn.execute(_PROVISIONAL, (first_day, last_day)))

    def uploads(self, first_day: str, last_day: str) -> list[dict]:
        """day, kiosk_id, kind, state, reason (a dead item's code), n."""
        return self.upload_figures(first_day, last_day)[0]

    def upload_figures(self, first_day: str, last_day: str) -> tuple[list[dict], list[dict]]:
        """(uploads, upload_delays) from one pass over the period's uploads."""
        return upload_figures(self.conn, _UPLOAD_ROWS, (first_day, last_day))

    def upload_delays(self, first_day: str, last_day: str) -> list[dict]:
        """Per kiosk and day, ISO week (day = '2026-W48') and whole period (day = PERIOD), and for
        all kiosks together over the whole period (kiosk_id = PERIOD too):
        n, median_s, p95_s, within_1h, within_24h, min_s, max_s.

        SQL's window functions sort every grouping anew (minutes for a year); instead the delays
        stream out of the covering index in day order, and each grouping is summarised as it
        closes: a day's and a week's values are sorted lists, the whole period's a histogram of
        whole seconds. Exact nearest-rank figures, memory of about one week of uploads."""
        return self.upload_figures(first_day, last_day)[1]

    def priority_served(self, first_day: str, last_day: str) -> list[dict]:
        return _rows(self.conn.execute(_PRIORITY, (first_day, last_day)))

    def calling_available(self) -> tuple[str, str | None] | None:
        """(table, end column or None) when the calling wing records calls, else None."""
        for table in _CALL_TABLES:
            cols = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            if {"ticket_id", "called_at"} <= cols:
                return table, next((c for c in _CALL_END if c in cols), None)
        return None

    def waiting_times(self, first_day: str, last_day: str) -> list[dict]:
        """Per day, kiosk and service: tickets called, median/p95 wait (issue to first call) and,
        when calls record their end, median service time (first call to end). [] without calling."""
        found = self.calling_available()
        if found is None:
            return []
        table, end = found      # names from the fixed tuples above, never from input
        service = f"(julianday(c2.{end}) - julianday(c2.called_at)) * 86400.0" if end else "NULL"
        sql = f"""
WITH first AS (
  SELECT t.day, t.kiosk_id, t.service_code,
         (julianday(min(c.called_at)) - julianday(t.issued_at)) * 86400.0 AS wait_s,
         (SELECT {service} FROM {table} c2 WHERE c2.ticket_id = t.id ORDER BY c2.called_at LIMIT 1) AS service_s
  FROM tickets t JOIN {table} c ON c.ticket_id = t.id
  WHERE t.day BETWEEN ? AND ? GROUP BY t.id
), r AS (
  SELECT *, row_number() OVER (PARTITION BY day, kiosk_id, service_code ORDER BY wait_s) AS rn,
         count(*) OVER (PARTITION BY day, kiosk_id, service_code) AS n,
         row_number() OVER (PARTITION BY day, kiosk_id, service_code ORDER BY service_s IS NULL, service_s) AS srn,
         count(service_s) OVER (PARTITION BY day, kiosk_id, service_code) AS sn
  FROM first)
SELECT day, kiosk_id, service_code, max(n) AS called,
       max(CASE WHEN rn = (n + 1) / 2 THEN round(wait_s) END) AS wait_median_s,
       max(CASE WHEN rn = (95 * n + 99) / 100 THEN round(wait_s) END) AS wait_p95_s,
       max(CASE WHEN sn > 0 AND srn = (sn + 1) / 2 THEN round(service_s) END) AS service_median_s
FROM r GROUP BY day, kiosk_id, service_code"""
        return _rows(self.conn.execute(sql, (first_day, last_day)))
