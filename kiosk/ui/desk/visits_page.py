"""Today's visits, live: filters (waiting, provisional, needs desk, closed), search by name, number or
ticket, and the selected visit's detail with its actions."""
from __future__ import annotations

from kiosk.core.priority import LABELS
from kiosk.core.status import OutboxState, VisitStatus
from kiosk.core.views import PriorityCategory
from kiosk.desk.visits import VisitFilter
from kiosk.ui.desk.common import (PRIORITY_WORDS, STATUS_WORDS, button, current_key, fill, hhmm, label, passive,
                                  table)
from kiosk.ui.qt import (QButtonGroup, QComboBox, QFrame, QHBoxLayout, QLineEdit, QSplitter, QTimer, Qt,
                         QVBoxLayout, QWidget, Signal)

UPLOAD_WORDS = {"checkin": "tiếp nhận (XML0)", "dossier": "hồ sơ (XML1)"}
UPLOAD_STATE: dict[OutboxState, str] = {
    OutboxState.PENDING: "chờ gửi / pending", OutboxState.SENDING: "đang gửi / sending",
    OutboxState.ACKED: "cổng đã nhận / acked", OutboxState.DEAD: "bị từ chối / refused"}
FILTERS = ((VisitFilter.OPEN, "Đang mở / Open"), (VisitFilter.WAITING, "Đang chờ / Waiting"),
           (VisitFilter.PROVISIONAL, "Tạm thời / Provisional"), (VisitFilter.NEEDS_DESK, "Cần quầy / Needs desk"),
           (VisitFilter.CLOSED, "Đã đóng / Closed"), (VisitFilter.ALL, "Tất cả / All"))


class VisitsPage(QWidget):
    loaded = Signal(int)                 # rows shown (tests)
    detail_shown = Signal(object)        # VisitDetail

    def __init__(self, desk, controller, refresh_ms: int = 5000, parent=None):
        super().__init__(parent)
        self.desk, self.ctl = desk, controller
        self.filter = VisitFilter.OPEN
        self.detail = None
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
        self.search = QLineEdit()
        self.search.setObjectName("VisitSearch")
        self.search.setPlaceholderText("Tên, số CCCD/BHYT, số phiếu / name, number, ticket")
        self.search.textChanged.connect(lambda _: self._debounce.start())
        bar.addWidget(self.search, 1)
        root.addLayout(bar)
        self.counts = label("", "muted", name="VisitCounts")
        root.addWidget(self.counts)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = table(["Số phiếu", "Họ tên", "Năm sinh", "Dịch vụ", "Trạng thái", "Ưu tiên", "Giờ vào"],
                           "VisitTable")
        self.table.itemSelectionChanged.connect(self._selected)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, header.ResizeMode.Stretch)      # long service names are elided
        split.addWidget(self.table)
        split.addWidget(self._detail_panel())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
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
    def _detail_panel(self) -> QWidget:
        panel = QFrame()
        panel.setProperty("role", "card")
        panel.setMinimumWidth(420)
        panel.setMaximumWidth(520)
        lay = QVBoxLayout(panel)
        self.d_title = label("Chọn một lượt khám / select a visit", "title", name="DetailTitle")
        self.d_body = label("", name="DetailBody")
        self.d_body.setTextFormat(Qt.TextFormat.PlainText)
        self.d_elig = label("", "warn", name="DetailEligibility")
        lay.addWidget(self.d_title)
        lay.addWidget(self.d_body)
        lay.addWidget(self.d_elig)
        self.actions = {}
        rows = (("override", "Chấp nhận thẻ… / Override…", "primary"), ("recheck", "Kiểm tra lại thẻ / Re-check card", None),
                ("reprint", "In lại phiếu / Reprint", None), ("cancel", "Hủy lượt / Cancel…", "danger"),
                ("close", "Đóng lượt khám… / Close visit…", "primary"), ("book", "Sổ sức khỏe / Health book", None))
        grid = QHBoxLayout()
        col1, col2 = QVBoxLayout(), QVBoxLayout()
        for i, (key, text, role) in enumerate(rows):
            b = button(text, f"Action_{key}", role)
            b.setEnabled(False)
            (col1 if i % 2 == 0 else col2).addWidget(b)
            self.actions[key] = b
        grid.addLayout(col1)
        grid.addLayout(col2)
        lay.addLayout(grid)
        prio = QHBoxLayout()
        self.priority = QComboBox()
        self.priority.setObjectName("PriorityCombo")
        self.priority.addItem("Không ưu tiên / none", None)
        for cat in PriorityCategory:
            self.priority.addItem(f"{LABELS[cat][0]} / {LABELS[cat][1]}", cat.value)
        self.actions["priority"] = button("Đổi ưu tiên / Set priority", "Action_priority")
        prio.addWidget(self.priority, 1)
        prio.addWidget(self.actions["priority"])
        lay.addLayout(prio)
        move = QHBoxLayout()
        self.service = QComboBox()
        self.service.setObjectName("ServiceCombo")
        for s in self.desk.ctx.settings.services:
            self.service.addItem(f"{s.code} · {s.name_vi} (P.{s.room})", s.code)
        self.actions["move"] = button("Chuyển / Move", "Action_move")
        move.addWidget(self.service, 1)
        move.addWidget(self.actions["move"])
        lay.addLayout(move)
        lay.addStretch(1)
        for key in ("priority", "move"):
            self.actions[key].setEnabled(False)
        self.actions["recheck"].clicked.connect(self.recheck)
        self.actions["reprint"].clicked.connect(self.reprint)
        self.actions["priority"].clicked.connect(self.set_priority)
        self.actions["move"].clicked.connect(self.move)
        return panel

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
        fill(self.table, [(r.ticket_number, r.full_name, (r.birth_date or "")[:4], r.service_name or r.service_code,
                           STATUS_WORDS.get(r.status, r.status), PRIORITY_WORDS.get(r.priority, r.priority),
                           hhmm(r.checked_in_at)) for r in rows], [r.visit_id for r in rows])
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
        v, p = d.visit, d.patient
        docs = ", ".join(f"{doc.kind.upper()} {doc.number}" for doc in p.documents)
        ticket = next((t.number for t in reversed(d.tickets) if t.active), "—")
        self.d_title.setText(f"{ticket} · {p.full_name}")
        self.d_body.setText(
            f"Sinh / born: {p.birth_date or '?'}   Giới / sex: {({1: 'Nam', 2: 'Nữ'}).get(p.gender, '?')}\n"
            f"Giấy tờ / documents: {docs}\n"
            f"Dịch vụ / service: {v.service_name or v.service_code} (P.{v.room or '?'})\n"
            f"Trạng thái / status: {STATUS_WORDS.get(v.status, v.status)}"
            + (f" — {v.needs_desk_reason}" if v.needs_desk_reason else "") + "\n"
            f"Thẻ BHYT / card: {v.ma_the_bhyt or '—'}   MA_LK: {v.ma_lk}\n"
            + "".join(f"Gửi {UPLOAD_WORDS.get(k, k)}: {UPLOAD_STATE.get(s, s)}" + (f" ({code}: {err})" if err else "")
                      + (f" · biên nhận {rc}" if rc else "") + "\n" for k, s, code, err, rc in d.uploads))
        e = d.eligibility
        self.d_elig.setText(f"Kiểm tra thẻ / card check: {e.words}" if e else "Chưa kiểm tra thẻ / no card check")
        open_ = v.status not in (VisitStatus.CLOSED, VisitStatus.CANCELLED)
        for key in ("override", "recheck", "cancel", "close", "priority", "move"):
            self.actions[key].setEnabled(open_)
        self.actions["override"].setEnabled(v.status in (VisitStatus.NEEDS_DESK, VisitStatus.PROVISIONAL))
        self.actions["reprint"].setEnabled(ticket != "—")
        self.actions["book"].setEnabled(True)
        self.detail_shown.emit(d)

    # ------------------------------------------------------------ simple actions
    def _visit_id(self) -> int:
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

    def move(self) -> None:
        self.ctl.act(self.desk.visits.move_service, self._visit_id(), self.service.currentData(),
                     done=lambda number: self.reload_detail(), ok_text="Đã chuyển dịch vụ / moved")
