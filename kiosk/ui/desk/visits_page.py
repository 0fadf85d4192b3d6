"""Today's visits, live: filters (waiting, provisional, needs desk, closed), search by name, number or
ticket, and the selected visit's detail with its actions."""
from __future__ import annotations

from kiosk.core.status import VisitStatus
from kiosk.desk.visits import VisitDetail, VisitFilter
from kiosk.ui.desk.common import (PRIORITY_WORDS, STATUS_WORDS, button, current_key, fill, hhmm, label, passive,
                                  table)
from kiosk.ui.desk.visit_detail import FitWidthScroll, VisitDetailPane, public_name
from kiosk.ui.qt import QButtonGroup, QHBoxLayout, QLineEdit, QSplitter, QTimer, Qt, QVBoxLayout, QWidget, Signal

FILTERS = ((VisitFilter.OPEN, "Đang mở / Open"), (VisitFilter.WAITING, "Đang chờ / Waiting"),
           (VisitFilter.PROVISIONAL, "Tạm thời / Provisional"), (VisitFilter.NEEDS_DESK, "Cần quầy / Needs desk"),
           (VisitFilter.CLOSED, "Đã đóng / Closed"), (VisitFilter.ALL, "Tất cả / All"))


KIOSK_HEADER = ("Ki-ốt", "Kiosk")


def kiosk_cell(kiosk_id: str) -> tuple[str, str]:
    """Where a hub visit came from: a kiosk's id, or the desk that checked the patient in."""
    if kiosk_id.startswith("desk-"):
        return f"Quầy {kiosk_id[5:]}", f"desk {kiosk_id[5:]}"
    return kiosk_id, f"kiosk {kiosk_id}"


def _short(words: str) -> tuple[str, str]:
    """The table shows the Vietnamese word; the English one is its tooltip (the detail pane shows both)."""
    vi, _, en = words.partition(" / ")
    return vi, en or vi


class VisitsPage(QWidget):
    loaded = Signal(int)                 # rows shown (tests)
    detail_shown = Signal(object)        # VisitDetail
    _debounce: QTimer                    # made below the search box that starts it

    def __init__(self, desk, controller, refresh_ms: int = 5000, parent=None, kiosk_layout: bool = False):
        super().__init__(parent)
        self.desk, self.ctl = desk, controller
        self.filter = VisitFilter.OPEN
        # on the patient kiosk (a public lobby screen) the list shows masked names (issue 14 M6)
        self.masked = kiosk_layout
        self.detail: VisitDetail | None = None
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter_group = QButtonGroup(self)
        self.filter_buttons = {}
        for flt, text in FILTERS:
            b = button(text, f"Filter_{flt.value}", "filter")
            b.setCheckable(True)
            b.setChecked(flt is self.filter)
            self.filter_group.addButton(b)
            b.clicked.connect(lambda _=False, f=flt: self.set_filter(f))
            bar.addWidget(b)
            self.filter_buttons[flt] = b
        bar.addStretch(1)
        root.addLayout(bar)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("VisitSearch")
        self.search.setPlaceholderText("Tìm: tên, số CCCD/BHYT, số phiếu / search: name, number, ticket")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        row.addWidget(self.search, 1)
        self.counts = label("", "muted", wrap=False, name="VisitCounts")
        row.addWidget(self.counts)
        root.addLayout(row)

        split = QSplitter(Qt.Orientation.Horizontal)
        # a desk on the facility hub lists every kiosk's visits: the last column says which one
        self.facility = hasattr(desk, "live")
        self.table = table(["Số phiếu", "Họ tên", "Năm sinh", "Dịch vụ", "Trạng thái", "Ưu tiên", "Giờ vào"]
                           + ([KIOSK_HEADER[0]] if self.facility else []), "VisitTable")
        if self.facility:
            self.table.horizontalHeaderItem(7).setToolTip(KIOSK_HEADER[1])
        self.table.itemSelectionChanged.connect(self._selected)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, header.ResizeMode.Stretch)      # the service takes what is left
        split.addWidget(self.table)
        # the pane scrolls only when a visit has more to say than the screen's height allows
        self.pane_scroll = FitWidthScroll()
        self.pane_scroll.setWidget(self._detail_panel(kiosk_layout))
        split.addWidget(self.pane_scroll)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        self.split = split
        root.addWidget(split, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        if refresh_ms:
            self.timer.start()

    # ------------------------------------------------------------ detail panel
    def _detail_panel(self, kiosk_layout: bool) -> QWidget:
        self.pane = VisitDetailPane(self.desk.ctx.settings.services, kiosk_layout)
        self.buttons, self.priority, self.service = self.pane.buttons, self.pane.priority, self.pane.service
        self.d_title, self.d_body, self.d_elig = self.pane.title, self.pane.body, self.pane.elig
        self.buttons["recheck"].clicked.connect(self.recheck)
        self.buttons["reprint"].clicked.connect(self.reprint)
        self.buttons["priority"].clicked.connect(self.set_priority)
        self.buttons["move"].clicked.connect(self.move_to_service)
        return self.pane

    def showEvent(self, event) -> None:               # noqa: N802 - Qt name
        super().showEvent(event)
        self._fit_pane()

    def resizeEvent(self, event) -> None:             # noqa: N802 - Qt name
        super().resizeEvent(event)                    # shown before its final size: fit again
        self._fit_pane()

    def _fit_pane(self) -> None:
        """The pane gets the width its content needs (known once the style sheet applies), the table the rest."""
        total = sum(self.split.sizes()) or self.split.width()
        # never more than 45% of the row: the pane's text wraps, the list's columns must stay whole
        need = min(self.pane_scroll.fit_width(), max(360, int(total * 0.45)))
        if self.pane_scroll.minimumWidth() != need:
            self.pane_scroll.setMinimumWidth(need)
            self.split.setSizes([max(1, total - need), need])

    # ------------------------------------------------------------ loading
    def set_filter(self, flt: VisitFilter) -> None:
        self.filter = flt
        self.filter_buttons[flt].setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        if self.ctl.session is None:
            return
        svc = self.desk.visits
        flt, text = self.filter, self.search.text()

        def load(session):
            return svc.visits(session, flt, text), svc.counts(session)
        self.ctl.act(passive(load), done=self._loaded)

    def _loaded(self, result) -> None:
        rows, counts = result
        self.table.blockSignals(True)
        fill(self.table, [(r.ticket_number, public_name(r.full_name) if self.masked else r.full_name,
                           (r.birth_date or "")[:4], r.service_name or r.service_code,
                           _short(STATUS_WORDS.get(r.status, r.status)), PRIORITY_WORDS.get(r.priority, r.priority),
                           hhmm(r.checked_in_at)) + ((kiosk_cell(getattr(r, "kiosk_id", "")),) if self.facility else ())
                          for r in rows], [r.visit_id for r in rows])
        self.table.blockSignals(False)
        # the detail pane and the list agree: a visit that left the list (closed, cancelled, filtered
        # out) stays in the pane, with no row highlighted and a word saying so
        keys = [r.visit_id for r in rows]
        if self.detail is not None and self.detail.visit.id not in keys:
            self.table.clearSelection()
            self.table.setCurrentItem(None)
            self.pane.hint.setText("Lượt này không còn trong danh sách đang lọc / this visit is no longer in the "
                                   "filtered list")
        elif self.detail is not None:
            self.table.blockSignals(True)
            self.table.selectRow(keys.index(self.detail.visit.id))
            self.table.blockSignals(False)
        self.counts.setText(f"Đang chờ {counts[VisitStatus.WAITING]} · Tạm thời {counts[VisitStatus.PROVISIONAL]} · "
                            f"Cần quầy {counts[VisitStatus.NEEDS_DESK]} · Đã đóng {counts[VisitStatus.CLOSED]}")
        self.loaded.emit(len(rows))

    def _selected(self) -> None:
        visit_id = current_key(self.table)
        if visit_id is not None and (self.detail is None or self.detail.visit.id != visit_id):
            self.show_visit(visit_id)

    def show_visit(self, visit_id: int) -> None:
        self.ctl.act(self.desk.visits.detail, visit_id, done=self._show_detail)

    def reload_detail(self) -> None:
        if self.detail is not None:
            self.show_visit(self.detail.visit.id)
        self.refresh()

    def _show_detail(self, d) -> None:
        self.detail = d
        self.pane.show_detail(d)
        self._fit_pane()
        if d is not None and current_key(self.table) != d.visit.id:
            keys = [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())
                    if self.table.item(r, 0) is not None]
            if d.visit.id in keys:
                self.table.blockSignals(True)
                self.table.selectRow(keys.index(d.visit.id))
                self.table.blockSignals(False)
        if d is not None:
            self.detail_shown.emit(d)

    # ------------------------------------------------------------ simple actions
    def _visit_id(self) -> int:
        assert self.detail is not None  # the actions act on the visit shown
        return self.detail.visit.id

    def recheck(self) -> None:
        self.ctl.act(self.desk.visits.recheck_card, self._visit_id(), done=lambda r: self.reload_detail(),
                     ok_text="Đã kiểm tra lại thẻ / card re-checked")

    def reprint(self) -> None:
        self.ctl.act(self.desk.visits.reprint, self._visit_id(), done=lambda r: self.reload_detail(),
                     ok_text="Đã in lại phiếu / ticket reprinted")

    def set_priority(self) -> None:
        self.ctl.act(self.desk.visits.change_priority, self._visit_id(), self.priority.currentData(), "desk",
                     done=lambda r: self.reload_detail(), ok_text="Đã đổi ưu tiên / priority changed")

    def move_to_service(self) -> None:
        self.ctl.act(self.desk.visits.move_service, self._visit_id(), self.service.currentData(),
                     done=lambda number: self.reload_detail(), ok_text="Đã chuyển dịch vụ / moved")
