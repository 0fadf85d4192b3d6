"""The report as one tidy CSV: table, period, kiosk, key (the row's other codes joined by '|'),
metric, value. Shares are fractions, durations seconds; easy to load into any tool."""
from __future__ import annotations

import csv
import io

from kiosk.report.figures import Report

HEADER = ("table", "period", "kiosk", "key", "metric", "value")


def rows(report: Report):
    for col, value in report.summary:
        yield ("summary", report.period.label, report.kiosk, "", col.key, "" if value is None else value)
    for t in report.tables:
        text = [c.key for c in t.columns if c.kind == "text" and c.key not in ("period", "kiosk")]
        for r in t.rows:
            key = "|".join(str(r.get(k, "")) for k in text)
            for c in t.columns:
                if c.kind != "text":
                    v = r.get(c.key)
                    yield (t.key, r["period"], r.get("kiosk", ""), key, c.key, "" if v is None else v)


def render_csv(report: Report) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows(report))
    return buf.getvalue().encode("utf-8")
