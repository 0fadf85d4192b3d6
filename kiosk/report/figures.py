"""Assembling the report from a FigureSource: pure (no I/O, no SQL), so the same tables come out
of a kiosk's store or the facility hub.

Every table has a `period` column: each day of the period, then each ISO week (the days' counts
added up; for upload delays and waiting times the source's own week figures, percentiles do not
add), then `total` when the period spans more than one week. Shares are fractions 0..1 (None when
nothing to divide); durations are seconds.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.core import idmethods as m
from kiosk.core.views import PriorityCategory
from kiosk.report import labels as L
from kiosk.report.period import Period, iso_week_of
from kiosk.report.source import FigureSource

TOTAL = "total"
PERIOD_ALL = "*"


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: str = "int"         # text | int | share | seconds


@dataclass(frozen=True)
class Table:
    key: str
    vi: str
    en: str
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]
    note_vi: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Report:
    period: Period
    facility: str
    kiosk: str
    generated_at: str
    summary: tuple[tuple[Column, Any], ...]
    tables: tuple[Table, ...] = field(default=())

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _share(part: int | None, whole: int | None) -> float | None:
    return None if not whole else round((part or 0) / whole, 4)


class _Periods:
    """Which period labels a day counts in: itself, its ISO week, and `total` for multi-week spans."""

    def __init__(self, period: Period):
        self.days = period.days
        self.weeks = list(dict.fromkeys(iso_week_of(d) for d in self.days))
        self.multi = len(self.weeks) > 1
        self.order = {p: i for i, p in enumerate(self.days + self.weeks + ([TOTAL] if self.multi else []))}

    def of(self, day: str) -> list[str]:
        return [day, iso_week_of(day)] + ([TOTAL] if self.multi else [])

    def label(self, source_day: str) -> str | None:
        """A source row's own period (a day, a week, or '*') as a report period; None: not ours."""
        if source_day == PERIOD_ALL:
            return TOTAL if self.multi else None
        return source_day if source_day in self.order else None


def _sum(rows: list[dict], periods: _Periods, keys: tuple[str, ...]) -> dict[tuple, int]:
    out: dict[tuple, int] = defaultdict(int)
    for r in rows:
        if r["day"] not in periods.order:
            continue
        for p in periods.of(r["day"]):
            out[(p, *(r[k] for k in keys))] += int(r["n"])
    return out


def _sorted(rows: list[dict], periods: _Periods, *keys: str) -> tuple[dict, ...]:
    return tuple(sorted(rows, key=lambda r: (periods.order[r["period"]], *(str(r[k]) for k in keys))))


_P = Column("period", "Kỳ", "Period", "text")
_K = Column("kiosk", "Kiosk", "Kiosk", "text")
_KIND = Column("kind", "Loại hồ sơ", "Upload", "text")


def receptions_table(rows, periods: _Periods) -> Table:
    sums = _sum(rows, periods, ("kiosk_id", "id_method"))
    methods = list(m.ID_METHODS) + ["unknown"]
    by: dict[tuple, dict] = {}
    for (p, kiosk, method), n in sums.items():
        row = by.setdefault((p, kiosk), {"period": p, "kiosk": kiosk, **{k: 0 for k in methods}})
        row[method if method in methods else m.OTHER] += n
    for row in by.values():
        row["total"] = sum(row[k] for k in methods)
        known = row["total"] - row["unknown"]
        row["paperless_share"] = _share(sum(row[k] for k in m.PAPERLESS), known)
        row["chip_pa_share"] = _share(row[m.CHIP_PA], known)
    cols = (_P, _K, Column("total", "Tổng lượt tiếp đón", "Receptions"),
            *(Column(k, *L.id_method(k)) for k in methods),
            Column("paperless_share", "Tỷ lệ không cần sổ giấy", "Share without a paper book", "share"),
            Column("chip_pa_share", "Tỷ lệ chip đã xác thực", "Share by verified chip", "share"))
    return Table("receptions", "Tiếp đón theo cách định danh", "Receptions by identification", cols,
                 _sorted(list(by.values()), periods, "kiosk"),
                 "Không cần sổ giấy: định danh bằng chip, QR (CCCD, VNeID, BHYT/VssID) hoặc số nhập tại kiosk.",
                 "Without a paper book: identified by chip, a QR (CCCD, VNeID, BHYT/VssID) or a number typed "
                 "at the kiosk; shares leave out receptions whose method was not recorded.")


def checks_table(rows, periods: _Periods) -> Table:
    sums = _sum(rows, periods, ("result_code", "verdict", "provisional"))
    out = [{"period": p, "result_code": code or "-", "verdict": verdict, "verdict_label": L.VERDICT.get(verdict, (verdict,))[0],
            "provisional": int(bool(prov)), "n": n} for (p, code, verdict, prov), n in sums.items()]
    cols = (_P, Column("result_code", "Mã kết quả", "Result code", "text"),
            Column("verdict", "Kết luận", "Verdict", "text"),
            Column("verdict_label", "Diễn giải", "Meaning", "text"),
            Column("provisional", "Tạm thời", "Provisional"), Column("n", "Số lượt kiểm tra", "Checks"))
    return Table("card_checks", "Kiểm tra thẻ BHYT theo mã kết quả", "Card checks by result code", cols,
                 _sorted(out, periods, "result_code", "verdict", "provisional"),
                 "Mã '-': cổng không trả lời (kiểm tra tạm thời).", "Code '-': no answer from the gateway.")


def provisional_table(rows, periods: _Periods) -> Table:
    sums = _sum(rows, periods, ("kiosk_id", "outcome"))
    outcomes = tuple(L.PROVISIONAL)
    by: dict[tuple, dict] = {}
    for (p, kiosk, outcome), n in sums.items():
        row = by.setdefault((p, kiosk), {"period": p, "kiosk": kiosk, **{k: 0 for k in outcomes}})
        row[outcome] += n
    for row in by.values():
        row["total"] = sum(row[k] for k in outcomes)
        row["resolved_share"] = _share(row["confirmed"] + row["desk"], row["total"])
    cols = (_P, _K, Column("total", "Lượt kiểm tra tạm thời", "Provisional checks"),
            *(Column(k, *L.PROVISIONAL[k]) for k in outcomes),
            Column("resolved_share", "Tỷ lệ đã có kết quả", "Share resolved", "share"))
    return Table("provisional", "Kiểm tra tạm thời và kết quả", "Provisional checks and how they resolved", cols,
                 _sorted(list(by.values()), periods, "kiosk"))


def uploads_tables(rows, periods: _Periods) -> tuple[Table, Table]:
    sums = _sum(rows, periods, ("kiosk_id", "kind", "state", "reason"))
    by: dict[tuple, dict] = {}
    dead: dict[tuple, int] = defaultdict(int)
    for (p, kiosk, kind, state, reason), n in sums.items():
        row = by.setdefault((p, kiosk, kind), {"period": p, "kiosk": kiosk, "kind": kind,
                                               "sent": 0, "acked": 0, "waiting": 0, "dead": 0,
                                               "handed_over": 0})
        row["sent"] += n
        # handed to the facility hub (issue 17): neither refused nor this kiosk's to send any more
        row[state if state in ("acked", "dead", "handed_over") else "waiting"] += n
        if state == "dead":
            dead[(p, kiosk, kind, reason or "-")] += n
    for row in by.values():
        row["acked_share"] = _share(row["acked"], row["sent"])
    cols = (_P, _K, _KIND, Column("sent", "Đã lập", "Queued"), Column("acked", "Cổng đã nhận", "Acked"),
            Column("waiting", "Đang chờ gửi", "Waiting"), Column("dead", "Bị từ chối", "Dead"),
            Column("handed_over", "Đã giao cho máy chủ cơ sở", "Handed to the hub"),
            Column("acked_share", "Tỷ lệ đã nhận", "Share acked", "share"))
    uploads = Table("uploads", "Gửi hồ sơ lên cổng giám định BHYT", "Uploads to the BHYT gateway", cols,
                    _sorted(list(by.values()), periods, "kiosk", "kind"))
    drows = [{"period": p, "kiosk": k, "kind": kind, "reason": reason, "n": n}
             for (p, k, kind, reason), n in dead.items()]
    dcols = (_P, _K, _KIND, Column("reason", "Mã lý do", "Reason code", "text"), Column("n", "Số hồ sơ", "Items"))
    return uploads, Table("dead_reasons", "Hồ sơ bị từ chối theo lý do", "Dead uploads by reason", dcols,
                          _sorted(drows, periods, "kiosk", "kind", "reason"))


def delays_table(rows, periods: _Periods) -> Table:
    out = []
    for r in rows:
        p = periods.label(r["day"])
        if r["kiosk_id"] == PERIOD_ALL:           # every kiosk together, the whole period
            p = TOTAL if periods.multi else periods.weeks[0]
        if p is None:
            continue
        out.append({"period": p, "kiosk": r["kiosk_id"], "kind": r["kind"], "acked": r["n"],
                    "median_s": r["median_s"], "p95_s": r["p95_s"],
                    "within_1h_share": _share(r["within_1h"], r["n"]),
                    "within_24h_share": _share(r["within_24h"], r["n"])})
    cols = (_P, _K, _KIND, Column("acked", "Hồ sơ đã nhận", "Acked"),
            Column("median_s", "Trung vị độ trễ", "Median delay", "seconds"),
            Column("p95_s", "Độ trễ phân vị 95", "95th percentile delay", "seconds"),
            Column("within_1h_share", "Tỷ lệ trong 1 giờ", "Share within 1 h", "share"),
            Column("within_24h_share", "Tỷ lệ trong 24 giờ", "Share within 24 h", "share"))
    return Table("upload_delays", "Độ trễ từ khi kết thúc lượt khám đến khi cổng tiếp nhận",
                 "Delay from visit end to the gateway's receipt", cols, _sorted(out, periods, "kiosk", "kind"),
                 "XML0: tính từ lúc tiếp đón; hồ sơ KCB: từ lúc kết thúc khám. Phân vị theo hạng gần nhất.",
                 "XML0: from check-in; dossier: from the visit's close. Nearest-rank percentiles.")


def priority_table(rows, periods: _Periods) -> Table:
    sums = _sum(rows, periods, ("kiosk_id", "priority"))
    groups = [c.value for c in PriorityCategory]
    by: dict[tuple, dict] = {}
    for (p, kiosk, prio), n in sums.items():
        row = by.setdefault((p, kiosk), {"period": p, "kiosk": kiosk, **{g: 0 for g in groups}, "other": 0})
        row[prio if prio in groups else "other"] += n
    for row in by.values():
        row["total"] = sum(row[g] for g in groups) + row["other"]
    cols = (_P, _K, Column("total", "Tổng lượt ưu tiên", "Priority receptions"),
            *(Column(g, *L.priority(g)) for g in groups), Column("other", "Khác", "Other"))
    return Table("priority", "Nhóm ưu tiên được phục vụ", "Priority groups served", cols,
                 _sorted(list(by.values()), periods, "kiosk"))


def waiting_table(rows, periods: _Periods) -> Table:
    out = [{"period": r["day"], "kiosk": r["kiosk_id"], "service": r["service_code"], "called": r["called"],
            "wait_median_s": r["wait_median_s"], "wait_p95_s": r["wait_p95_s"],
            "service_median_s": r["service_median_s"]} for r in rows if r["day"] in periods.order]
    cols = (_P, _K, Column("service", "Dịch vụ", "Service", "text"), Column("called", "Lượt được gọi", "Called"),
            Column("wait_median_s", "Trung vị thời gian chờ", "Median wait", "seconds"),
            Column("wait_p95_s", "Thời gian chờ phân vị 95", "95th percentile wait", "seconds"),
            Column("service_median_s", "Trung vị thời gian phục vụ", "Median service time", "seconds"))
    note = ("", "") if out else ("Chưa có dữ liệu gọi số.", "No calling data recorded (calling not in use).")
    return Table("waiting", "Thời gian chờ và phục vụ", "Waiting and service times", cols,
                 _sorted(out, periods, "kiosk", "service"), *note)


def build_report(source: FigureSource, period: Period, *, facility: str = "", kiosk: str = "",
                 generated_at: datetime | None = None) -> Report:
    a, b = period.first_day, period.last_day
    periods = _Periods(period)
    tables = [receptions_table(source.receptions(a, b), periods),
              checks_table(source.card_checks(a, b), periods),
              provisional_table(source.provisional_outcomes(a, b), periods),
              *uploads_tables(source.uploads(a, b), periods),
              delays_table(source.upload_delays(a, b), periods),
              priority_table(source.priority_served(a, b), periods),
              waiting_table(source.waiting_times(a, b), periods)]
    stamp = generated_at.isoformat(timespec="seconds") if generated_at else ""
    return Report(period, facility, kiosk, stamp, _summary(tables, periods), tuple(tables))


def _summary(tables: list[Table], periods: _Periods) -> tuple[tuple[Column, Any], ...]:
    whole = TOTAL if periods.multi else periods.weeks[0]
    by = {t.key: [r for r in t.rows if r["period"] == whole] for t in tables}

    def total(key: str, col: str, **where) -> int:
        return sum(r[col] or 0 for r in by[key] if all(r[k] == v for k, v in where.items()))

    rec, unknown = total("receptions", "total"), total("receptions", "unknown")
    prov = total("provisional", "total")

    def delay(kind: str, col: str):
        rows = [r for r in by["upload_delays"] if r["kind"] == kind and r["kiosk"] == PERIOD_ALL]
        return rows[0][col] if rows else None

    items = [
        (Column("receptions", "Tổng lượt tiếp đón", "Receptions"), rec),
        (Column("paperless_share", "Tỷ lệ không cần sổ giấy", "Share without a paper book", "share"),
         _share(sum(total("receptions", k) for k in m.PAPERLESS), rec - unknown)),
        (Column("chip_pa_share", "Tỷ lệ chip đã xác thực", "Share by verified chip", "share"),
         _share(total("receptions", m.CHIP_PA), rec - unknown)),
        (Column("card_checks", "Lượt kiểm tra thẻ", "Card checks"), total("card_checks", "n")),
        (Column("provisional", "Kiểm tra tạm thời", "Provisional checks"), prov),
        (Column("provisional_resolved", "Tạm thời đã có kết quả", "Provisional resolved", "share"),
         _share(total("provisional", "confirmed") + total("provisional", "desk"), prov)),
        (Column("xml0_acked_share", "XML0 cổng đã nhận", "XML0 acked", "share"),
         _share(total("uploads", "acked", kind="checkin"), total("uploads", "sent", kind="checkin"))),
        (Column("dossier_acked_share", "Hồ sơ KCB cổng đã nhận", "Dossiers acked", "share"),
         _share(total("uploads", "acked", kind="dossier"), total("uploads", "sent", kind="dossier"))),
        (Column("dead", "Hồ sơ bị từ chối", "Dead uploads"), total("uploads", "dead")),
        (Column("xml0_median_s", "Trung vị độ trễ XML0", "XML0 median delay", "seconds"), delay("checkin", "median_s")),
        (Column("dossier_median_s", "Trung vị độ trễ hồ sơ KCB", "Dossier median delay", "seconds"),
         delay("dossier", "median_s")),
        (Column("dossier_within_24h", "Hồ sơ KCB trong 24 giờ", "Dossiers within 24 h", "share"),
         delay("dossier", "within_24h_share")),
        (Column("priority_served", "Lượt ưu tiên", "Priority receptions"), total("priority", "total")),
    ]
    return tuple(items)
