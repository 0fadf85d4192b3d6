"""The report dashboard: this week's figures (or any ISO week's) as the department receives them,
and whether last week's report has been prepared. Counts and durations only, no personal data."""
from __future__ import annotations

from kiosk.report.fmt import human
from kiosk.ui.desk.common import button, fill, label, passive, table
from kiosk.ui.qt import QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget, Signal


WIDE_TABLE = 6   # more columns than this: shown transposed


class ReportPage(QWidget):
    loaded = Signal(object)

    def __init__(self, desk, controller, parent=None):
        super().__init__(parent)
        self.desk, self.ctl = desk, controller
        self.report = None
        lay = QVBoxLayout(self)
        self.ready = label("", "good", name="ReportReady")
        lay.addWidget(self.ready)
        bar = QHBoxLayout()
        bar.addWidget(label("Tuần / Week", wrap=False))
        self.week = QLineEdit()
        self.week.setObjectName("ReportWeek")
        self.week.setPlaceholderText("2026-W48 (trống: tuần này / empty: this week)")
        bar.addWidget(self.week, 1)
        self.show_btn = button("Xem / Show", "ReportShow", "primary")
        bar.addWidget(self.show_btn)
        lay.addLayout(bar)
        self.title = label("", "title", name="ReportTitle")
        lay.addWidget(self.title)
        self.summary = table(["Chỉ số", "Indicator", "Giá trị / Value"], "ReportSummary")
        lay.addWidget(self.summary, 2)
        self.choice = QComboBox()
        self.choice.setObjectName("ReportTableChoice")
        lay.addWidget(self.choice)
        self.detail = table([""], "ReportDetail")
        lay.addWidget(self.detail, 3)
        self.show_btn.clicked.connect(self.refresh)
        self.week.returnPressed.connect(self.refresh)
        self.choice.currentIndexChanged.connect(self._show_table)

    def refresh(self) -> None:
        if self.ctl.session is None or self.desk.report is None:
            return
        wanted = self.week.text().strip() or None
        r = self.desk.report

        def load(session):
            return r.figures(session, wanted), r.ready(session)
        self.ctl.act(passive(load), done=self._loaded)

    def _loaded(self, result) -> None:
        report, flag = result
        self.report = report
        if flag:
            self.ready.setText(f"Báo cáo tuần {flag['week']} đã sẵn sàng để gửi Sở Y tế "
                               f"({', '.join(flag.get('files', []))}) / last week's report is ready")
        else:
            self.ready.setText("Báo cáo tuần trước chưa được lập / last week's report not prepared yet")
        p = report.period
        self.title.setText(f"Tuần {p.label}: {p.first_day} – {p.last_day}")
        fill(self.summary, [(c.vi, c.en, human(v, c.kind)) for c, v in report.summary])
        current = self.choice.currentIndex()
        self.choice.blockSignals(True)
        self.choice.clear()
        for t in report.tables:
            self.choice.addItem(f"{t.vi} / {t.en}", t.key)
        self.choice.setCurrentIndex(max(0, current))
        self.choice.blockSignals(False)
        self._show_table()
        self.loaded.emit(report)

    def _show_table(self, *_):
        if self.report is None or self.choice.currentIndex() < 0:
            return
        t = self.report.tables[self.choice.currentIndex()]
        cells = [[human(r.get(c.key), c.kind) for c in t.columns] for r in t.rows]
        if len(t.columns) > WIDE_TABLE:
            # a wide table (one column per measure) reads down instead: a row per measure, a column
            # per day or kiosk, so it fits a 1366-pixel desk screen without a horizontal scroll
            # a column per period, and per kiosk when the table has one (the facility's report)
            kiosk = next((i for i, c in enumerate(t.columns) if c.key == "kiosk"), None)
            heads = [str(row[0]) + (f" · {row[kiosk]}" if kiosk is not None else "") for row in cells]
            self.detail.setColumnCount(1 + len(t.rows))
            self.detail.setHorizontalHeaderLabels(["Chỉ số / Indicator"] + heads)
            fill(self.detail, [tuple([c.vi] + [row[i] for row in cells]) for i, c in enumerate(t.columns) if i > 0])
            return
        self.detail.setColumnCount(len(t.columns))
        self.detail.setHorizontalHeaderLabels([c.vi for c in t.columns])
        fill(self.detail, [tuple(row) for row in cells])
