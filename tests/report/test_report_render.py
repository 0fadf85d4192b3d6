"""The renderers carry the same figures: XLSX read back with openpyxl, CSV and JSON parsed, the
PDF a real multi-page PDF with a Vietnamese-capable font embedded."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from kiosk.report.figures import build_report
from kiosk.report.period import week
from kiosk.report.render_csv import render_csv
from kiosk.report.render_json import render_json
from kiosk.report.render_pdf import render_pdf
from kiosk.report.render_xlsx import render_xlsx
from kiosk.report.source import store_source


@pytest.fixture(scope="module")
def report(seeded):
    store, *_ = seeded
    return build_report(store_source(store), week("2026-W48"), facility="79001", kiosk="K1")


def test_xlsx_one_sheet_per_table_with_the_figures(report):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb.sheetnames == ["tom_tat"] + [t.key for t in report.tables]
    ws = wb["receptions"]
    assert ws["A1"].value == "Tiếp đón theo cách định danh"
    header = [c.value for c in ws[4]]
    assert header[:3] == ["Kỳ", "Kiosk", "Tổng lượt tiếp đón"]
    data = [dict(zip([c.key for c in report.table("receptions").columns], [c.value for c in row]))
            for row in ws.iter_rows(min_row=6, max_row=5 + len(report.table("receptions").rows))]
    assert data == [dict(r) for r in report.table("receptions").rows]
    summary = {r[1].value: r[2].value for r in wb["tom_tat"].iter_rows(min_row=11) if r[1].value}
    assert summary["Receptions"] == dict((c.key, v) for c, v in report.summary)["receptions"]
    # durations are shown in minutes
    delays = wb["upload_delays"]
    assert "(phút)" in delays.cell(row=4, column=5).value
    first = report.table("upload_delays").rows[0]
    assert delays.cell(row=6, column=5).value == round(first["median_s"] / 60, 1)


def test_csv_is_tidy_and_adds_up(report):
    rows = list(csv.DictReader(io.StringIO(render_csv(report).decode())))
    assert list(rows[0]) == ["table", "period", "kiosk", "key", "metric", "value"]
    total = sum(int(r["value"]) for r in rows if r["table"] == "receptions" and r["metric"] == "total"
                and r["period"] == "2026-W48")
    assert total == dict((c.key, v) for c, v in report.summary)["receptions"]
    dead = [r for r in rows if r["table"] == "dead_reasons"]
    assert dead and all("|" in r["key"] for r in dead)       # kind|reason


def test_json_round_trip(report):
    doc = json.loads(render_json(report))
    assert doc["period"] == "2026-W48" and doc["first_day"] == "2026-11-23" and doc["last_day"] == "2026-11-29"
    assert doc["tables"]["receptions"]["rows"] == [dict(r) for r in report.table("receptions").rows]
    assert doc["summary"]["receptions"] == dict((c.key, v) for c, v in report.summary)["receptions"]


def test_pdf_has_charts_pages_and_a_vietnamese_font(report):
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 5
    assert b"NotoSans" in pdf or b"DejaVuSans" in pdf


def test_a_missing_library_names_the_fix_and_the_job_writes_the_rest(seeded, tmp_path, monkeypatch):
    """The one-dir build leaves matplotlib out: the PDF is refused clearly, the XLSX/JSON still go."""
    import builtins
    from types import SimpleNamespace
    from kiosk.report.weekly import FormatUnavailable, prepare_weekly, render
    store, *_ = seeded
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    report = build_report(store_source(store), week("2026-W48"))
    with pytest.raises(FormatUnavailable, match="needs matplotlib"):
        render(report, "pdf")
    cfg = SimpleNamespace(data_dir=tmp_path, report_dir="", report_formats=["pdf", "json"], facility_code="79001",
                          kiosk_id="K1")
    from datetime import datetime, timezone
    done = prepare_weekly(store, cfg, datetime(2026, 11, 30, 2, tzinfo=timezone.utc), force=True)
    assert [p.suffix for p in done.files] == [".json"] and done.period.label == "2026-W48"
