"""The report as JSON for machines: codes as keys, shares as fractions, durations in seconds."""
from __future__ import annotations

import json

from kiosk.report.figures import Report


def as_dict(report: Report) -> dict:
    p = report.period
    return {
        "report": "weekly", "period": p.label, "first_day": p.first_day, "last_day": p.last_day,
        "facility": report.facility, "kiosk": report.kiosk, "generated_at": report.generated_at,
        "summary": {c.key: v for c, v in report.summary},
        "tables": {t.key: {"title_vi": t.vi, "title_en": t.en, "note_en": t.note_en,
                           "columns": [{"key": c.key, "vi": c.vi, "en": c.en, "kind": c.kind} for c in t.columns],
                           "rows": [dict(r) for r in t.rows]} for t in report.tables},
    }


def render_json(report: Report) -> bytes:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=1).encode("utf-8")
