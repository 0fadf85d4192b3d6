"""The report as a PDF with charts (matplotlib, no pyplot: nothing global, safe in the desk app).
Labels are Vietnamese with their diacritics, so the font must carry them: Noto Sans, else DejaVu Sans
(Debian fonts-noto-core / fonts-dejavu-core)."""
from __future__ import annotations

import io
from pathlib import Path

from kiosk.core import idmethods as m
from kiosk.report import labels as L
from kiosk.report.figures import TOTAL, Report
from kiosk.report.fmt import human, minutes

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
COLORS = ("#1f77b4", "#2ca02c", "#17becf", "#9467bd", "#ff7f0e", "#8c564b", "#d62728", "#7f7f7f", "#bcbd22")


class FontMissing(RuntimeError):
    """No font with Vietnamese glyphs: install fonts-noto-core or fonts-dejavu-core."""


def _font() -> str:
    from matplotlib import font_manager
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists():
            for f in (regular, bold):
                if Path(f).exists():
                    font_manager.fontManager.addfont(f)
            return font_manager.FontProperties(fname=regular).get_name()
    raise FontMissing("no font with Vietnamese glyphs (install fonts-noto-core or fonts-dejavu-core)")


def _figure(title: str, subtitle: str):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(11.69, 8.27))      # A4 landscape
    fig.suptitle(title, fontsize=15, fontweight="bold", x=0.02, ha="left")
    fig.text(0.02, 0.925, subtitle, fontsize=9, color="#555555")
    return fig


def _rows(report: Report, key: str, **where) -> list[dict]:
    return [r for r in report.table(key).rows if all(r.get(k) == v for k, v in where.items())]


def _x_periods(report: Report) -> list[str]:
    """Days for a week or a month; ISO weeks for longer periods."""
    rows = report.table("receptions").rows
    days = report.period.days
    wanted = days if len(days) <= 31 else list(dict.fromkeys(r["period"] for r in rows
                                                              if "-W" in r["period"]))
    return wanted


def _summary_page(report: Report, sub: str):
    fig = _figure("Báo cáo tuần: tiếp đón, kiểm tra thẻ BHYT, gửi hồ sơ giám định", sub)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.8))
    ax.axis("off")
    cells = [[c.vi, c.en, human(v, c.kind)] for c, v in report.summary]
    table = ax.table(cellText=cells, colLabels=["Chỉ số", "Indicator", "Giá trị"], loc="upper left",
                     colWidths=(0.45, 0.35, 0.2), cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(11)
    table.scale(1, 1.6)
    for (row, _), cell in table.get_celld().items():
        if row == 0:
            cell.set_text_props(fontweight="bold")
            cell.set_facecolor("#ddebf7")
    return fig


def _receptions_page(report: Report, sub: str):
    fig = _figure("Tiếp đón theo cách định danh", sub)
    ax = fig.add_axes((0.07, 0.12, 0.62, 0.72))
    xs = _x_periods(report)
    methods = list(m.ID_METHODS) + ["unknown"]
    sums = {p: {k: 0 for k in methods} for p in xs}
    paper = {}
    for r in report.table("receptions").rows:
        if r["period"] in sums:
            for k in methods:
                sums[r["period"]][k] += r[k]
    for p in xs:
        known = sum(sums[p].values()) - sums[p]["unknown"]
        paper[p] = sum(sums[p][k] for k in m.PAPERLESS) / known * 100 if known else None
    bottom = [0] * len(xs)
    for i, k in enumerate(methods):
        vals = [sums[p][k] for p in xs]
        if any(vals):
            ax.bar(xs, vals, bottom=bottom, color=COLORS[i % len(COLORS)], label=L.id_method(k)[0])
            bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_ylabel("Lượt tiếp đón")
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax2 = ax.twinx()
    ax2.plot(xs, [paper[p] for p in xs], color="black", marker="o", label="Tỷ lệ không cần sổ giấy (%)")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("Tỷ lệ không cần sổ giấy (%)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    fig.legend(h1 + h2, l1 + l2, loc="center left", bbox_to_anchor=(0.76, 0.5), fontsize=9, frameon=False)
    return fig


def _uploads_page(report: Report, sub: str):
    fig = _figure("Gửi hồ sơ lên cổng giám định BHYT", sub)
    whole = TOTAL if any(r["period"] == TOTAL for r in report.table("uploads").rows) else report.period.label
    kinds = ("checkin", "dossier")
    ax = fig.add_axes((0.07, 0.12, 0.38, 0.7))
    states = (("acked", "Cổng đã nhận", "#2ca02c"), ("waiting", "Đang chờ gửi", "#ff7f0e"),
              ("handed_over", "Đã giao cho máy chủ cơ sở", "#1f77b4"), ("dead", "Bị từ chối", "#d62728"))
    names = [L.UPLOAD_KIND[k][0] for k in kinds]
    bottom = [0, 0]
    for key, label, color in states:
        vals = [sum(r.get(key, 0) for r in _rows(report, "uploads", period=whole, kind=k)) for k in kinds]
        ax.bar(names, vals, bottom=bottom, label=label, color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_ylabel("Số hồ sơ")
    ax.set_title("Trạng thái hồ sơ", fontsize=11)
    ax.legend(fontsize=9)
    ax2 = fig.add_axes((0.55, 0.12, 0.4, 0.7))
    med, p95, notes = [], [], []
    for k in kinds:
        rows = _rows(report, "upload_delays", period=whole, kind=k, kiosk="*")
        r = rows[0] if rows else {}
        med.append(minutes(r.get("median_s")) or 0)
        p95.append(minutes(r.get("p95_s")) or 0)
        notes.append(f"trong 1 giờ: {human(r.get('within_1h_share'), 'share')}\ntrong 24 giờ: {human(r.get('within_24h_share'), 'share')}")
    xs = range(len(kinds))
    ax2.bar([x - 0.2 for x in xs], med, width=0.4, label="Trung vị", color="#1f77b4")
    ax2.bar([x + 0.2 for x in xs], p95, width=0.4, label="Phân vị 95", color="#9467bd")
    ax2.set_xticks(list(xs), names)
    ax2.set_ylabel("Độ trễ (phút)")
    ax2.set_title("Độ trễ từ khi kết thúc lượt khám đến khi cổng tiếp nhận", fontsize=11)
    for x, text, top in zip(xs, notes, p95):
        ax2.annotate(text, (x, top), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=9)
    ax2.margins(y=0.25)
    ax2.legend(fontsize=9, loc="upper left")
    return fig


def _checks_page(report: Report, sub: str):
    fig = _figure("Kiểm tra thẻ BHYT và kiểm tra tạm thời", sub)
    whole = TOTAL if any(r["period"] == TOTAL for r in report.table("card_checks").rows) else report.period.label
    ax = fig.add_axes((0.22, 0.12, 0.3, 0.7))
    by: dict[str, int] = {}
    for r in _rows(report, "card_checks", period=whole):
        label = f"{r['result_code']} · {r['verdict_label']}"
        by[label] = by.get(label, 0) + r["n"]
    items = sorted(by.items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in items], [v for _, v in items], color="#1f77b4")
    ax.set_title("Lượt kiểm tra theo mã kết quả", fontsize=11)
    ax.tick_params(axis="y", labelsize=8)
    ax2 = fig.add_axes((0.62, 0.12, 0.33, 0.7))
    outcomes = list(L.PROVISIONAL)
    vals = [sum(r[k] for r in _rows(report, "provisional", period=whole)) for k in outcomes]
    ax2.bar([L.PROVISIONAL[k][0] for k in outcomes], vals, color=("#2ca02c", "#ff7f0e", "#7f7f7f", "#d62728"))
    ax2.set_title("Kiểm tra tạm thời: kết quả sau đó", fontsize=11)
    ax2.tick_params(axis="x", rotation=20, labelsize=8)
    return fig


def _priority_page(report: Report, sub: str):
    fig = _figure("Nhóm ưu tiên được phục vụ; thời gian chờ", sub)
    whole = TOTAL if any(r["period"] == TOTAL for r in report.table("priority").rows) else report.period.label
    ax = fig.add_axes((0.07, 0.2, 0.4, 0.62))
    table = report.table("priority")
    groups = [c for c in table.columns if c.kind == "int" and c.key != "total"]
    vals = [sum(r[c.key] for r in _rows(report, "priority", period=whole)) for c in groups]
    ax.bar([c.vi for c in groups], vals, color="#9467bd")
    ax.tick_params(axis="x", rotation=30, labelsize=8)
    ax.set_ylabel("Lượt tiếp đón ưu tiên")
    ax2 = fig.add_axes((0.57, 0.2, 0.38, 0.62))
    waits = report.table("waiting").rows
    if waits:
        days = sorted({r["period"] for r in waits})
        med = [max((minutes(r["wait_median_s"]) or 0) for r in waits if r["period"] == d) for d in days]
        ax2.plot(days, med, marker="o")
        ax2.set_ylabel("Trung vị thời gian chờ (phút)")
        ax2.tick_params(axis="x", rotation=45, labelsize=8)
    else:
        ax2.axis("off")
        ax2.text(0.5, 0.5, "Chưa có dữ liệu gọi số\n(No calling data)", ha="center", va="center", fontsize=12)
    return fig


def render_pdf(report: Report) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    family = _font()
    p = report.period
    sub = (f"Kỳ {p.label} ({p.first_day} – {p.last_day}) · Cơ sở {report.facility or '–'} · Kiosk "
           f"{report.kiosk or '–'} · Lập lúc {report.generated_at or '–'}")
    buf = io.BytesIO()
    with matplotlib.rc_context({"font.family": family, "pdf.fonttype": 42, "axes.unicode_minus": False}):
        with PdfPages(buf, metadata={"Title": f"Báo cáo tuần {p.label}", "Creator": "vn-health-kiosk"}) as pdf:
            for page in (_summary_page, _receptions_page, _uploads_page, _checks_page, _priority_page):
                pdf.savefig(page(report, sub))
    return buf.getvalue()
