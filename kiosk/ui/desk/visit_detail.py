"""The selected visit's detail pane and its actions. Honest controls: an action the visit does not allow
is greyed out and says why (tooltip, and a tap on it shows the reason in the pane); the priority and
service selectors show the visit's current values."""
from __future__ import annotations

import re

from kiosk.core.priority import LABELS
from kiosk.core.status import OutboxState, VisitStatus
from kiosk.core.views import PriorityCategory
from kiosk.desk.visits import UNCONFIRMED_NAME
from kiosk.identity.mask import mask_card, mask_name, mask_number
from kiosk.ui.desk.common import STATUS_WORDS, button, label
from kiosk.ui.qt import (QComboBox, QEvent, QFrame, QGridLayout, QHBoxLayout, QObject, QPushButton, QScrollArea,
                         Qt, QVBoxLayout, Signal)

UPLOAD_WORDS = {"checkin": "tiếp nhận (XML0)", "dossier": "hồ sơ (XML1)"}
UPLOAD_STATE: dict[OutboxState, str] = {
    OutboxState.PENDING: "chờ gửi / pending", OutboxState.SENDING: "đang gửi / sending",
    OutboxState.ACKED: "cổng đã nhận / acked", OutboxState.DEAD: "bị từ chối / refused",
    OutboxState.HANDED_OVER: "đã giao cho máy chủ cơ sở / handed to the hub"}
# two lines (Vietnamese, English) so that the buttons stay narrow enough for a 1366-wide screen
ACTIONS = (("override", "Chấp nhận thẻ…\nOverride…", "primary"), ("recheck", "Kiểm tra lại thẻ\nRe-check card", None),
           ("reprint", "In lại phiếu\nReprint ticket", None), ("cancel", "Hủy lượt…\nCancel visit…", "danger"),
           ("close", "Đóng lượt khám…\nClose visit…", "primary"),
           ("identity", "Xác nhận danh tính…\nConfirm identity…", "primary"), ("book", "Sổ sức khỏe\nHealth book", None))
IDENTITY_FULL = next(text for key, text, _ in ACTIONS if key == "identity")
IDENTITY_SHORT = "Danh tính…\nIdentity…"
CLOSED_WHY = "Lượt khám đã đóng hoặc đã hủy / the visit is closed or cancelled"
NO_VISIT_WHY = "Chọn một lượt khám trước / select a visit first"
WHY = {
    "override": "Chỉ dùng khi thẻ cần quầy xem lại hoặc đang tạm thời / only for needs-desk or provisional visits",
    "reprint": "Lượt này không còn phiếu hiệu lực / the visit has no active ticket",
    "priority": "Chọn mức ưu tiên khác với mức hiện tại / pick a priority different from the current one",
    "move": "Chọn dịch vụ khác với dịch vụ hiện tại / pick a service different from the current one",
    "identity": "Danh tính đã được xác nhận / the patient's identity is already confirmed",
}


def why_disabled(key: str, status: VisitStatus | None, has_ticket: bool, named: bool = True) -> str:
    """'' when the action is allowed for a visit in `status`, else the reason (Vietnamese / English).
    `named`: the patient has a confirmed name (a nameless first visit's identity is confirmed once)."""
    if status is None:
        return NO_VISIT_WHY
    if key == "book":
        return ""
    if key == "reprint":
        return "" if has_ticket else WHY["reprint"]
    if status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
        return CLOSED_WHY
    if key == "override" and status not in (VisitStatus.NEEDS_DESK, VisitStatus.PROVISIONAL):
        return WHY["override"]
    if key == "identity" and named:
        return WHY["identity"]
    return ""


_NUMBER = re.compile(r"\b[A-Z]{2}\d{13}\b|\b\d{9,12}\b")    # a card code, a CCCD / BHXH number in a text


def public_name(full_name: str | None) -> str:
    """A name as a public screen may show it: masked; a nameless first visit says so."""
    return mask_name(full_name) if full_name else UNCONFIRMED_NAME


def public_number(number: str) -> str:
    return mask_card(number) if len(number) == 15 or (len(number) == 10 and number.isdigit()) else mask_number(number)


class FitWidthScroll(QScrollArea):
    """A vertical scroll area that is always as wide as its content (never cuts it on the right)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("VisitDetailScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit_width(self) -> int:
        w = self.widget()
        if w is None:
            return 0
        w.ensurePolished()
        return max(w.minimumSizeHint().width(), w.sizeHint().width()) + self.verticalScrollBar().sizeHint().width() + 4


class _TapReason(QObject):
    """A tap on a disabled action shows why it is off (touch screens have no hover)."""

    def __init__(self, pane: "VisitDetailPane"):
        super().__init__(pane)
        self.pane = pane

    def eventFilter(self, obj, event) -> bool:       # noqa: N802 - Qt name
        if event.type() == QEvent.Type.MouseButtonRelease and not obj.isEnabled() and obj.toolTip():
            self.pane.hint.setText(obj.toolTip())
        return False


class VisitDetailPane(QFrame):
    """Title, facts, card check, the seven actions and the priority / service selectors."""
    reason_shown = Signal(str)

    def __init__(self, services, kiosk_layout: bool = False, parent=None):
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setObjectName("VisitDetail")
        self.masked = kiosk_layout      # on the public kiosk screen: names and numbers masked (M6)
        lay = QVBoxLayout(self)
        self.title = label("Chọn một lượt khám / select a visit", "title", name="DetailTitle")
        self.body = label("", name="DetailBody")      # wraps when a line is longer than the pane (capped at 45% of the row)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.elig = label("", "warn", name="DetailEligibility")
        for w in (self.title, self.body, self.elig):
            lay.addWidget(w)
        self.buttons: dict[str, QPushButton] = {}
        self.grid = QGridLayout()
        tap = _TapReason(self)
        for i, (key, text, role) in enumerate(ACTIONS):
            b = button(text, f"Action_{key}", role)
            b.installEventFilter(tap)
            self.grid.addWidget(b, i // 3, i % 3)
            self.buttons[key] = b
        lay.addLayout(self.grid)
        self.priority = QComboBox()
        self.priority.setObjectName("PriorityCombo")
        self.priority.addItem("Không ưu tiên / none", None)
        for cat in PriorityCategory:
            self.priority.addItem(f"{LABELS[cat][0]} / {LABELS[cat][1]}", cat.value)
        self.buttons["priority"] = button("Đổi ưu tiên\nSet priority", "Action_priority")
        self.service = QComboBox()
        self.service.setObjectName("ServiceCombo")
        for s in services:
            self.service.addItem(f"{s.code} · {s.name_vi}", s.code)
        self.buttons["move"] = button("Chuyển\nMove", "Action_move")
        for key in ("priority", "move"):
            self.buttons[key].installEventFilter(tap)
        for combo, key in ((self.priority, "priority"), (self.service, "move")):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)
            row = QHBoxLayout()
            row.addWidget(combo, 1)
            row.addWidget(self.buttons[key])
            lay.addLayout(row)
        self.hint = label("", "muted", name="DetailHint")
        lay.addWidget(self.hint)
        # a visit flagged as a duplicate (the same patient ticketed at two kiosks): keep this one
        self.keep = button("Giữ lượt này, hủy lượt trùng\nKeep this visit, cancel its duplicate", "Action_keep")
        self.keep.hide()
        lay.addWidget(self.keep)
        lay.addStretch(1)
        self.priority.currentIndexChanged.connect(lambda _: self._selectors())
        self.service.currentIndexChanged.connect(lambda _: self._selectors())
        self.visit = None
        self.show_detail(None)

    def relayout(self, shown: set[str]) -> None:
        """Only the actions the role has, packed without gaps, three to a row; on the kiosk's touch layout a
        role with all seven gets two rows of four (a third row of touch-size buttons would push the
        selectors off a 768-high screen), the identity button then with its short words."""
        for key, _, _ in ACTIONS:
            self.grid.removeWidget(self.buttons[key])
            self.buttons[key].setVisible(key in shown)
        keys = [k for k, _, _ in ACTIONS if k in shown]
        per_row = 4 if self.masked and len(keys) > 6 else 3
        self.buttons["identity"].setText(IDENTITY_SHORT if per_row == 4 else IDENTITY_FULL)
        for i, key in enumerate(keys):
            self.grid.addWidget(self.buttons[key], i // per_row, i % per_row)

    # ------------------------------------------------------------ state
    def _set(self, key: str, why: str) -> None:
        b = self.buttons[key]
        b.setEnabled(not why)
        b.setToolTip(why)

    def _selectors(self) -> None:
        v = self.visit
        open_ = v is not None and v.status not in (VisitStatus.CLOSED, VisitStatus.CANCELLED)
        self.priority.setEnabled(open_)
        self.service.setEnabled(open_)
        if not open_:
            for key in ("priority", "move"):
                self._set(key, CLOSED_WHY if v is not None else NO_VISIT_WHY)
            return
        assert v is not None  # open_ implies a visit
        self._set("priority", "" if self.priority.currentData() != v.priority else WHY["priority"])
        self._set("move", "" if self.service.currentData() != v.service_code else WHY["move"])

    def show_detail(self, d) -> None:
        """Fill the pane with `d` (a VisitDetail), or empty it (None)."""
        self.hint.setText("")
        if d is None:
            self.visit = None
            self.keep.hide()
            self.title.setText("Chọn một lượt khám / select a visit")
            self.body.setText("")
            self.elig.setText("")
            for key in self.buttons:
                self._set(key, NO_VISIT_WHY)
            self._selectors()
            return
        v, p = d.visit, d.patient
        self.visit = v
        self.keep.setVisible(bool(getattr(v, "conflict", False)) and v.status not in (VisitStatus.CLOSED,
                                                                                     VisitStatus.CANCELLED))
        num = public_number if self.masked else (lambda n: n)
        docs = " · ".join(f"{doc.kind.upper()} {num(doc.number)}" for doc in p.documents if doc.kind != "bhyt")
        ticket = next((t.number for t in reversed(d.tickets) if t.active), "—")
        state = STATUS_WORDS.get(v.status, v.status)
        name = public_name(p.full_name) if self.masked else (p.full_name or UNCONFIRMED_NAME)
        born = (p.birth_date or "?")[:4] if self.masked else (p.birth_date or "?")
        self.title.setText(f"{ticket} · {name} · {state}")
        uploads = " · ".join(f"{UPLOAD_WORDS.get(k, k)}: {UPLOAD_STATE.get(s, s)}" + (f" ({code}: {err})" if err else "")
                             + (f" · biên nhận {rc}" if rc else "") for k, s, code, err, rc in d.uploads)
        self.body.setText(
            f"Sinh / born: {born} · Giới / sex: {({1: 'Nam', 2: 'Nữ'}).get(p.gender, '?')}\n"
            + (f"Giấy tờ / documents: {docs}\n" if docs else "")
            + f"Dịch vụ / service: {v.service_name or v.service_code} (P.{v.room or '?'})\n"
            + f"Thẻ BHYT / card: {num(v.ma_the_bhyt) if v.ma_the_bhyt else '—'}\nMA_LK: {v.ma_lk}"
            + (f"\nGửi / upload: {uploads}" if uploads else ""))
        e = d.eligibility
        elig = f"Kiểm tra thẻ / card check: {e.words}" if e else "Chưa kiểm tra thẻ / no card check"
        reason = v.needs_desk_reason
        if reason and not (e and e.words and e.words in reason):   # the gateway's words are shown once
            elig += f"\nLý do / reason: {_NUMBER.sub(lambda m: public_number(m[0]), reason) if self.masked else reason}"
        self.elig.setText(elig)
        for key in ("override", "recheck", "reprint", "cancel", "close", "book", "identity"):
            self._set(key, why_disabled(key, v.status, ticket != "—", bool(p.full_name)))
        # the selectors show the visit's current values, so a press without a choice changes nothing
        self.priority.blockSignals(True)
        self.service.blockSignals(True)
        self.priority.setCurrentIndex(max(0, self.priority.findData(v.priority)))
        idx = self.service.findData(v.service_code)
        if idx < 0:
            self.service.addItem(f"{v.service_code} · {v.service_name or v.service_code}", v.service_code)
            idx = self.service.count() - 1
        self.service.setCurrentIndex(idx)
        self.priority.blockSignals(False)
        self.service.blockSignals(False)
        self._selectors()
