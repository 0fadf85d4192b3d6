"""The upload queue: pending and dead items with the gateway's message for each dead one,
resend, fix-and-resend, and the gateway's receipts."""
from __future__ import annotations

from kiosk.core.status import OutboxState
from kiosk.ui.desk.common import button, current_key, fill, hhmm, label, passive, table
from kiosk.ui.desk.dialogs import FixResendDialog
from kiosk.ui.qt import QHBoxLayout, QTimer, QVBoxLayout, QWidget, Signal

KIND_WORDS = {"checkin": "Tiếp nhận (XML0)", "dossier": "Hồ sơ (XML1…)"}
STATE_WORDS: dict[OutboxState, str] = {
    OutboxState.PENDING: "Chờ gửi / pending", OutboxState.SENDING: "Đang gửi / sending",
    OutboxState.DEAD: "Bị từ chối / refused", OutboxState.ACKED: "Đã nhận / acked",
    OutboxState.HANDED_OVER: "Đã giao cho máy chủ cơ sở / handed to the hub"}


class QueuePage(QWidget):
    loaded = Signal(int)

    def __init__(self, desk, controller, refresh_ms: int = 10000, parent=None):
        super().__init__(parent)
        self.desk, self.ctl = desk, controller
        self.rows: dict[int, object] = {}
        self.dialog: QWidget | None = None
        lay = QVBoxLayout(self)
        self.stats = label("", "muted", name="QueueStats")
        lay.addWidget(self.stats)
        lay.addWidget(label("Đang chờ và bị từ chối / waiting and refused", "title"))
        self.table = table(["Loại", "MA_LK", "Trạng thái", "Lần gửi", "Mã", "Thông điệp của cổng", "Cập nhật"],
                           "QueueTable")
        lay.addWidget(self.table, 2)
        bar = QHBoxLayout()
        self.resend_btn = button("Gửi lại / Resend", "QueueResend")
        self.fix_btn = button("Sửa và gửi lại… / Fix and resend…", "QueueFix", "primary")
        self.refresh_btn = button("Làm mới / Refresh", "QueueRefresh")
        for b in (self.resend_btn, self.fix_btn, self.refresh_btn):
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        lay.addWidget(label("Biên nhận của cổng / receipts (maGiaoDich)", "title"))
        self.receipts = table(["Loại", "MA_LK", "maGiaoDich", "Cổng nhận lúc", "Xác nhận lúc"], "ReceiptTable")
        lay.addWidget(self.receipts, 1)
        self.resend_btn.clicked.connect(self.resend)
        self.fix_btn.clicked.connect(self.fix)
        self.refresh_btn.clicked.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        if refresh_ms:
            self.timer.start()

    def refresh(self) -> None:
        if self.ctl.session is None:
            return
        q = self.desk.queue

        def load(session):
            return q.items(session), q.receipts(session), q.stats(session)
        self.ctl.act(passive(load), done=self._loaded)

    def _loaded(self, result) -> None:
        items, receipts, stats = result
        self.rows = {r.item_id: r for r in items}
        fill(self.table, [(KIND_WORDS.get(r.kind, r.kind), r.ma_lk, STATE_WORDS.get(r.state, r.state), r.attempts,
                           r.last_code or "", r.gateway_message or "", hhmm(r.updated_at)) for r in items],
             [r.item_id for r in items])
        fill(self.receipts, [(KIND_WORDS.get(r.kind, r.kind), r.ma_lk, r.ma_giao_dich or "", r.time or "",
                              hhmm(r.acked_at)) for r in reversed(receipts)], [r.id for r in reversed(receipts)])
        age = f"{int(stats.oldest_pending_age_s // 60)} phút" if stats.oldest_pending_age_s is not None else "—"
        self.stats.setText(f"Chờ gửi {stats.pending} · Đang gửi {stats.sending} · Bị từ chối {stats.dead} · "
                           f"Đã nhận {stats.acked} · Chờ lâu nhất {age} · Lần gửi được gần nhất "
                           f"{hhmm(stats.last_success_at) or '—'}")
        self.loaded.emit(len(items))

    def select(self, item_id: int) -> None:
        keys = list(self.rows)
        if item_id in keys:
            self.table.selectRow(keys.index(item_id))

    def _row(self):
        item_id = current_key(self.table)
        return self.rows.get(item_id) if item_id is not None else None

    def resend(self) -> None:
        row = self._row()
        if row is not None:
            self.ctl.act(self.desk.queue.resend, row.item_id, done=lambda _: self.refresh(),
                         ok_text="Đã đưa lại vào hàng đợi / queued again")

    def fix(self) -> None:
        row = self._row()
        if row is None or row.state != OutboxState.DEAD:
            return
        self.dialog = dialog = FixResendDialog(row, self)
        dialog.accepted.connect(lambda: self.ctl.act(
            self.desk.queue.fix_and_resend, row.item_id, dialog.corrections(), done=lambda _: self.refresh(),
            ok_text="Đã sửa và đưa lại vào hàng đợi / fixed and queued"))
        dialog.open()
