"""The report as an Excel workbook (openpyxl): a summary sheet, then one sheet per table.
Headers in Vietnamese with the English below; shares as percentages, durations in minutes."""
from __future__ import annotations

import io

from kiosk.report.figures import Report, Table

_BOLD = None


def _sheet(wb, title: str, table: Table):
    from openpyxl.styles import Alignment, Font, PatternFill
    ws = wb.create_sheet(title[:31])
    ws.append([table.vi])
    ws.append([table.en])
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"].font = Font(italic=True, color="666666")
    head = 4
    ws.append([])
    ws.append([c.vi + (" (phút)" if c.kind == "seconds" else "") for c in table.columns])
    ws.append([c.en + (" (min)" if c.kind == "seconds" else "") for c in table.columns])
    fill = PatternFill("solid", fgColor="DDEBF7")
    for row in (head, head + 1):
        for cell in ws[row]:
            cell.font = Font(bold=row == head, italic=row != head)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in table.rows:
        values = []
        for c in table.columns:
            v = r.get(c.key)
            values.append(round(v / 60, 1) if c.kind == "seconds" and v is not None else v)
        ws.append(values)
        for cell, c in zip(ws[ws.max_row], table.columns):
            if c.kind == "share":
                cell.number_format = "0.0%"
            elif c.kind == "seconds":
                cell.number_format = "0.0"
    for i, c in enumerate(table.columns, start=1):
        ws.column_dimensions[ws.cell(row=head, column=i).column_letter].width = max(12, min(34, len(c.vi) + 2))
    ws.freeze_panes = ws.cell(row=head + 2, column=2)
    if table.note_vi or not table.rows:
        ws.append([])
        ws.append([table.note_vi or "Không có dữ liệu trong kỳ."])
        ws.append([table.note_en or "No data in this period."])


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "tom_tat"
    p = report.period
    ws.append(["Báo cáo tuần: tiếp đón, kiểm tra thẻ BHYT và gửi hồ sơ lên cổng giám định"])
    ws.append(["Weekly report: receptions, card checks and uploads to the BHYT gateway"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for label, value in (("Kỳ báo cáo / Period", p.label), ("Từ ngày / From", p.first_day),
                         ("Đến ngày / To", p.last_day), ("Cơ sở KCB / Facility", report.facility),
                         ("Kiosk", report.kiosk), ("Lập lúc / Generated", report.generated_at)):
        ws.append([label, value])
    ws.append([])
    ws.append(["Chỉ số", "Indicator", "Giá trị / Value"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for col, value in report.summary:
        shown = round(value / 60, 1) if col.kind == "seconds" and value is not None else value
        ws.append([col.vi + (" (phút)" if col.kind == "seconds" else ""),
                   col.en + (" (min)" if col.kind == "seconds" else ""), shown])
        if col.kind == "share":
            ws.cell(row=ws.max_row, column=3).number_format = "0.0%"
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 32
    ws.column_dimensions["C"].width = 18
    for t in report.tables:
        _sheet(wb, t.key, t)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
