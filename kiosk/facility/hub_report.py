"""The facility's weekly report, computed at the hub: every kiosk's and desk's visits, uploads and
calls, as the same tables and formats as a kiosk's own report (kiosk/report), plus a table per kiosk.

`HubSource` is the report's FigureSource over the hub: plain SQL (SELECT only, so the desk role is
enough) returning the same rows a kiosk's store returns, and the same pure code assembles them
(`kiosk.report.figures.build_report`, the upload summariser `kiosk.store.report_delays`, the
nearest-rank percentile). Figures shared with the kiosks' own reports, for the same check-ins:
receptions by identification (migrations/hub/0007 carries each visit's method), uploads queued and
acked, dead reasons, XML0 delays, priority groups served. What the hub does not hold is said so:
card checks stay on each kiosk (the table carries a note and the summary shows no figure); a dossier's
delay is known for visits closed at a hub desk (the kiosk's own closes carry no time to the hub);
provisional outcomes follow the hub's visit status (a desk override counts as the desk's)."""
from __future__ import annotations

import contextlib
import dataclasses
from collections import defaultdict
from datetime import datetime
from typing import Any, Iterator

from kiosk.report.figures import TOTAL, Column, Report, Table, build_report
from kiosk.core.clock import local_day
from kiosk.report.period import Period, iso_week_of, week
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.store.report_delays import from_sorted, summarise_uploads

_VISITS = "FROM visits v WHERE v.visit_day BETWEEN %s AND %s"

_RECEPTIONS = """
SELECT v.visit_day::text AS day, v.kiosk_id,
       coalesce(f.id_method, CASE WHEN f.ma_lk IS NULL AND v.kiosk_id LIKE 'desk-%%' THEN 'desk_manual'
                                  ELSE 'unknown' END) AS id_method, count(*) AS n
FROM visits v LEFT JOIN visit_report_facts f ON f.ma_lk = v.ma_lk
WHERE v.visit_day BETWEEN %s AND %s {facility}
GROUP BY 1, 2, 3"""

# a provisional check's outcome as the hub knows it: the visit's status, and a desk's override
_PROVISIONAL = """
SELECT v.visit_day::text AS day, v.kiosk_id,
       CASE WHEN v.status = 'cancelled' THEN 'cancelled'
            WHEN v.status = 'needs_desk' OR o.target IS NOT NULL THEN 'desk'
            WHEN v.status = 'provisional' THEN 'pending'
            ELSE 'confirmed' END AS outcome, count(*) AS n
FROM visits v JOIN visit_report_facts f ON f.ma_lk = v.ma_lk AND f.checked_provisional
LEFT JOIN (SELECT DISTINCT target FROM hub_audit WHERE action = 'visit.override') o ON o.target = 'visit:' || v.ma_lk
WHERE v.visit_day BETWEEN %s AND %s {facility}
GROUP BY 1, 2, 3"""

# every upload of the period's visits in day order, with the seconds from the visit's end (check-in
# for XML0, the hub desk's close for a dossier) to the gateway's receipt (its time, else the hub's ack)
_UPLOAD_ROWS = """
SELECT v.visit_day::text, v.kiosk_id || '|' || o.kind, o.state, o.last_code,
       CASE WHEN o.state = 'acked' AND (o.kind = 'checkin' OR c.closed_at IS NOT NULL) THEN
         round(extract(epoch FROM coalesce(
             CASE WHEN o.receipt_time ~ '^\\d{{4}}-\\d{{2}}-\\d{{2}}[T ]\\d{{2}}:\\d{{2}}' THEN o.receipt_time::timestamptz END,
             o.acked_at) - CASE o.kind WHEN 'checkin' THEN v.checked_in_at ELSE c.closed_at END))::bigint END
FROM visits v JOIN outbox o ON o.ma_lk = v.ma_lk LEFT JOIN visit_closures c ON c.ma_lk = v.ma_lk
WHERE v.visit_day BETWEEN %s AND %s {facility}
ORDER BY v.visit_day"""

_PRIORITY = """
SELECT v.visit_day::text AS day, v.kiosk_id, v.priority, count(*) AS n
FROM visits v WHERE v.visit_day BETWEEN %s AND %s AND v.priority IS NOT NULL AND v.status <> 'cancelled' {facility}
GROUP BY 1, 2, 3"""

# each called ticket once: the wait is queueing to its first call, the service its first call to the end
_CALLED = """
SELECT e.day::text, v.kiosk_id, e.service_code,
       extract(epoch FROM min(c.at) - e.queued_at)::float8,
       extract(epoch FROM e.finished_at - min(c.at))::float8
FROM hub_queue_entries e JOIN visits v ON v.ma_lk = e.ma_lk JOIN hub_queue_calls c ON c.entry_id = e.id
WHERE e.day BETWEEN %s AND %s {facility}
GROUP BY e.id, e.day, v.kiosk_id, e.service_code, e.queued_at, e.finished_at"""

_PER_KIOSK = """
SELECT v.kiosk_id, count(*) FILTER (WHERE v.conflict), k.last_push_at
FROM visits v LEFT JOIN hub_kiosks k ON k.kiosk_id = v.kiosk_id
WHERE v.visit_day BETWEEN %s AND %s {facility}
GROUP BY v.kiosk_id, k.last_push_at"""

NOT_AT_HUB_VI = "Kiểm tra thẻ được ghi tại từng kiosk, máy chủ cơ sở chưa nhận: xem báo cáo của từng kiosk."
NOT_AT_HUB_EN = "Card checks are recorded at each kiosk and not sent to the facility hub: see each kiosk's report."


def _rows(cur) -> list[dict]:
    names = [d.name for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


class HubSource:
    """kiosk.report.source.FigureSource over the hub (a psycopg connection, or the desk's HubLink:
    anything with `execute(sql, params)`). One object per report: uploads are read in one pass."""

    def __init__(self, conn: Any, facility_code: str | None = None):
        self.conn, self.facility_code = conn, facility_code or None
        self._uploads: dict[tuple[str, str], tuple[list[dict], list[dict]]] = {}

    def _sql(self, sql: str) -> str:
        return sql.format(facility="AND v.facility_code = %s" if self.facility_code else "")

    def _args(self, first_day: str, last_day: str) -> tuple:
        return (first_day, last_day) + ((self.facility_code,) if self.facility_code else ())

    def _query(self, sql: str, first_day: str, last_day: str):
        return self.conn.execute(self._sql(sql), self._args(first_day, last_day))

    def receptions(self, first_day: str, last_day: str) -> list[dict]:
        return _rows(self._query(_RECEPTIONS, first_day, last_day))

    def card_checks(self, first_day: str, last_day: str) -> list[dict]:
        return []                   # recorded at each kiosk only (see NOT_AT_HUB_*)

    def provisional_outcomes(self, first_day: str, last_day: str) -> list[dict]:
        return _rows(self._query(_PROVISIONAL, first_day, last_day))

    def _pass(self, first_day: str, last_day: str) -> tuple[list[dict], list[dict]]:
        key = (first_day, last_day)
        if key not in self._uploads:
            self._uploads = {key: summarise_uploads(self._query(_UPLOAD_ROWS, first_day, last_day))}
        return self._uploads[key]

    def uploads(self, first_day: str, last_day: str) -> list[dict]:
        return self._pass(first_day, last_day)[0]

    def upload_delays(self, first_day: str, last_day: str) -> list[dict]:
        return self._pass(first_day, last_day)[1]

    def priority_served(self, first_day: str, last_day: str) -> list[dict]:
        return _rows(self._query(_PRIORITY, first_day, last_day))

    def waiting_times(self, first_day: str, last_day: str) -> list[dict]:
        """Per day, kiosk and service: tickets called, nearest-rank median/p95 wait and median
        service time (the kiosk's own formula, kiosk.store.report_delays)."""
        groups: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
        for day, kiosk, service, wait_s, service_s in self._query(_CALLED, first_day, last_day):
            waits, services = groups[(day, kiosk, service)]
            waits.append(round(wait_s))
            if service_s is not None:
                services.append(round(service_s))
        out = []
        for (day, kiosk, service), (waits, services) in sorted(groups.items()):
            w = from_sorted(sorted(waits))
            s = from_sorted(sorted(services)) if services else None
            out.append({"day": day, "kiosk_id": kiosk, "service_code": service, "called": w["n"],
                        "wait_median_s": w["median_s"], "wait_p95_s": w["p95_s"],
                        "service_median_s": s["median_s"] if s else None})
        return out

    def per_kiosk(self, first_day: str, last_day: str) -> dict[str, tuple[int, datetime | None]]:
        """kiosk -> (visits flagged in conflict, its last push to the hub)."""
        return {k: (int(n), at) for k, n, at in self._query(_PER_KIOSK, first_day, last_day)}


def _whole(period: Period) -> str:
    """The label of the whole period's rows: its ISO week, or `total` when it spans several."""
    weeks = {iso_week_of(d) for d in period.days}
    return TOTAL if len(weeks) > 1 else weeks.pop()


def kiosks_table(report: Report, extra: dict[str, tuple[int, datetime | None]]) -> Table:
    """The period per kiosk and desk: receptions, uploads by state, conflicts, last push."""
    whole = _whole(report.period)
    by: dict[str, dict] = {}

    def row(kiosk: str) -> dict:
        return by.setdefault(kiosk, {"period": whole, "kiosk": kiosk, "receptions": 0, "paperless_share": None,
                                     "sent": 0, "acked": 0, "waiting": 0, "dead": 0, "conflicts": 0,
                                     "last_push_at": ""})
    for r in report.table("receptions").rows:
        if r["period"] == whole:
            row(r["kiosk"]).update(receptions=r["total"], paperless_share=r["paperless_share"])
    for r in report.table("uploads").rows:
        if r["period"] == whole:
            target = row(r["kiosk"])
            for k in ("sent", "acked", "waiting", "dead"):
                target[k] += r[k]
    for kiosk, (conflicts, last_push) in extra.items():
        row(kiosk).update(conflicts=conflicts,
                          last_push_at=last_push.isoformat(timespec="seconds") if last_push else "")
    cols = (Column("period", "Kỳ", "Period", "text"), Column("kiosk", "Kiosk / quầy", "Kiosk / desk", "text"),
            Column("receptions", "Lượt tiếp đón", "Receptions"),
            Column("paperless_share", "Tỷ lệ không cần sổ giấy", "Share without a paper book", "share"),
            Column("sent", "Hồ sơ đã lập", "Uploads queued"), Column("acked", "Cổng đã nhận", "Acked"),
            Column("waiting", "Đang chờ gửi", "Waiting"), Column("dead", "Bị từ chối", "Dead"),
            Column("conflicts", "Lượt trùng cần quầy xử lý", "Visits in conflict"),
            Column("last_push_at", "Lần đẩy dữ liệu gần nhất", "Last push to the hub", "text"))
    return Table("kiosks", "Theo từng kiosk và quầy", "Per kiosk and desk", cols,
                 tuple(sorted(by.values(), key=lambda r: r["kiosk"])),
                 "Quầy: lượt tiếp đón nhập tay tại quầy (desk-...).", "Desks: manual check-ins at a desk (desk-...).")


def build_hub_report(conn: Any, period: Period, *, facility: str = "", generated_at: datetime | None = None) -> Report:
    """The facility's report for `period`: every kiosk and desk together (kiosk '' = all), the
    kiosks' report tables with their per-kiosk rows, and the `kiosks` table."""
    source = HubSource(conn, facility or None)
    with _read_only(conn):
        report = build_report(source, period, facility=facility, kiosk="", generated_at=generated_at)
        extra = source.per_kiosk(period.first_day, period.last_day)
    tables = [dataclasses.replace(t, note_vi=NOT_AT_HUB_VI, note_en=NOT_AT_HUB_EN) if t.key == "card_checks" else t
              for t in report.tables]
    summary = tuple((c, None if c.key == "card_checks" else v) for c, v in report.summary)
    report = dataclasses.replace(report, tables=tuple(tables), summary=summary)
    return dataclasses.replace(report, tables=report.tables + (kiosks_table(report, extra),))


@contextlib.contextmanager
def _read_only(conn: Any) -> Iterator[None]:
    """One consistent snapshot for the whole report when `conn` is an autocommit link that offers
    transactions (psycopg's connection, the desk's HubLink); a connection already inside a
    transaction keeps its own snapshot."""
    tx = getattr(conn, "transaction", None)
    if tx is None or not getattr(conn, "autocommit", True):
        yield
        return
    with tx():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def record_prepared(conn: Any, week: str, files: list[str]) -> None:
    """Remember that `week`'s report was written (file names only), for the desks' report page."""
    conn.execute("INSERT INTO hub_reports_prepared (week, files) VALUES (%s, %s) ON CONFLICT (week) DO UPDATE "
                 "SET files = ARRAY(SELECT DISTINCT f FROM unnest(hub_reports_prepared.files || excluded.files) f "
                 "ORDER BY f), prepared_at = now(), client = excluded.client", (week, files))


class HubDeskReport:
    """`Desk.report` of a desk PC on the hub: the facility's week (all kiosks and desks) and
    whether a weekly report has been prepared (`kiosk hub report --out`)."""

    def __init__(self, ctx: Any):
        self.ctx, self.accounts = ctx, ctx.accounts

    @requires(P.VIEW_VISITS)
    def figures(self, session, week_label: str | None = None) -> Report:
        """A week's report (default: the current week so far)."""
        now = self.ctx.clock.now()
        period = week(week_label or iso_week_of(local_day(now)))
        return build_hub_report(self.ctx.link, period, facility=self.ctx.settings.facility_code, generated_at=now)

    @requires(P.VIEW_VISITS)
    def ready(self, session) -> dict | None:
        """{week, at, files} of the newest prepared weekly report, or None."""
        row = self.ctx.link.execute("SELECT week, prepared_at, files FROM hub_reports_prepared "
                                    "ORDER BY week DESC LIMIT 1").fetchone()
        return {"week": row[0], "at": row[1].isoformat(timespec="seconds"), "files": list(row[2])} if row else None
