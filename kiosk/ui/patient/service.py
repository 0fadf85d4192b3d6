"""Service choice: departments from the settings (a returning patient's follow-up first) and the
priority categories of the law that apply to this patient."""
from __future__ import annotations

from kiosk.core.checkin import Back, ChooseService, PriorityToggled, ServiceChosen
from kiosk.core.views import PriorityCategory, ServiceOption
from kiosk.ui.patient import texts
from kiosk.ui.patient.base import Screen, UiContext
from kiosk.ui.qt import (
    QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QToolButton,
    QVBoxLayout, QWidget, Qt,
)
from kiosk.ui.widgets.common import WrapButton, button, icon_button, label, set_button_icon

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class ServiceScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("ServiceScreen")
        self.title = label("display", self)
        self.follow_up = label("good", self)
        self.follow_up.setObjectName("FollowUpNote")
        self.priority_title = label("title", self, align=_LEFT)
        self.priority_hint = label("small", self, align=_LEFT)
        self.services_title = label("title", self, align=_LEFT)
        self.back = button("secondary", self, name="BackButton")
        self.back.clicked.connect(lambda: self.ctx.send(Back()))
        self.service_buttons: dict[str, WrapButton] = {}
        self.priority_buttons: dict[PriorityCategory, QToolButton] = {}

        self._services_box = QFrame(self)
        self._services_grid = QGridLayout(self._services_box)
        self._priority_box = QFrame(self)
        self._priority_grid = QGridLayout(self._priority_box)
        prio_col = QVBoxLayout()
        prio_col.addWidget(self.priority_title)
        prio_col.addWidget(self.priority_hint)
        prio_col.addWidget(self._priority_box)
        prio_col.addStretch(1)
        svc_col = QVBoxLayout()
        svc_col.addWidget(self.services_title)
        svc_col.addWidget(self._services_box)
        svc_col.addStretch(1)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.addLayout(prio_col, 0)
        self._body.addLayout(svc_col, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.back, 1)
        bottom.addStretch(2)
        root = QVBoxLayout(self)
        root.addWidget(self.title)
        root.addWidget(self.follow_up)
        root.addLayout(self._body, 1)
        root.addLayout(bottom)
        self._root = root
        self._built_for: tuple = ()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Mời ông/bà chọn nơi khám"))
        self.priority_title.setText(self.tr("Ông/bà thuộc diện ưu tiên?"))
        self.priority_hint.setText(self.tr("Chọn nếu đúng; nhân viên có thể kiểm tra giấy tờ."))
        self.services_title.setText(self.tr("Khoa / phòng khám"))
        self.back.setText(self.tr("Quay lại"))

    # ---- buttons: made once, re-placed per state (creating and styling widgets is the slow part)
    def _rebuild(self, s: ChooseService) -> None:
        large = self.ctx.metrics.large_text
        key = (s.services, s.priorities, self.landscape, large)
        if key == self._built_for:
            return
        self._built_for = key
        for grid in (self._services_grid, self._priority_grid):
            while grid.count():
                grid.takeAt(0)
        for old in [*self.service_buttons.values(), *self.priority_buttons.values()]:
            old.setVisible(False)
        # many services, or portrait with large text (the priorities take half the height): two
        # columns, the names wrap inside their buttons
        columns = 2 if len(s.services) > 6 or (len(s.services) > 4 and large and not self.landscape) else 1
        for i, svc in enumerate(s.services):
            b = self.service_buttons.get(svc.code)
            if b is None:
                b = WrapButton("choice", self._services_box, name=f"Service_{svc.code}")
                b.set_padding(self.ctx.metrics.mm(2))
                b.set_base_min_height(self._service_min_height())
                b.clicked.connect(lambda _=False, code=svc.code: self.ctx.send(ServiceChosen(code, self.ctx.language)))
                self.service_buttons[svc.code] = b
            self._services_grid.addWidget(b, i // columns, i % columns)
            b.setVisible(True)
        pcols = 1            # one per row: the law's names are long ("Người có công với cách mạng")
        for i, cat in enumerate(s.priorities):
            pb = self.priority_buttons.get(cat)
            if pb is None:
                pb = icon_button("toggle", self._priority_box)
                pb.setObjectName(f"Priority_{cat.value}")
                pb.setCheckable(True)
                pb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                pb.clicked.connect(lambda _=False, c=cat: self.ctx.send(PriorityToggled(c)))
                self.priority_buttons[cat] = pb
                self._style_priority(pb, cat)
            self._priority_grid.addWidget(pb, i // pcols, i % pcols)
            pb.setVisible(True)

    def _style_priority(self, b: QToolButton, cat: PriorityCategory) -> None:
        m = self.ctx.metrics
        set_button_icon(b, texts.PRIORITY_ICONS[cat], m.mm(12 * m.scale), self.ctx.color("icon"),
                        checked_color=self.ctx.color("primarytext"))
        b.setMinimumHeight(max(m.touch, m.mm(16)))

    def _service_text(self, svc: ServiceOption, first_follow_up: bool) -> str:
        name = self.ctx.pick(svc.name_vi, svc.name_en)
        room = self.tr("Phòng {room}").format(room=svc.room)
        lead = (self.tr("Tái khám theo lịch hẹn") + ": ") if first_follow_up else ""
        # landscape has little height: name and room run on (and wrap: the room always shows)
        return f"{lead}{name} · {room}" if self.landscape else f"{lead}{name}\n{room}"

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        s: ChooseService = self.state
        self._rebuild(s)
        fu = s.follow_up.service_code if s.follow_up else None
        for svc in s.services:
            b = self.service_buttons[svc.code]
            is_fu = svc.code == fu
            text = self._service_text(svc, is_fu)
            if svc.code in s.patient.held_services:     # already ticketed today: say so before the tap
                text += "\n" + self.tr("Ông/bà đã có số cho khoa này hôm nay")
            b.setText(text)
            role = "choice-first" if is_fu else "choice"
            if b.property("role") != role:
                b.setProperty("role", role)
                b.style().unpolish(b)
                b.style().polish(b)
        for cat in s.priorities:
            pb = self.priority_buttons[cat]
            pb.setText(texts.priority(cat))
            pb.setChecked(s.selected_priority is cat)
            pb.setEnabled(not s.automatic)        # the law's priority (age) is fixed
        self.priority_hint.setText(self.tr("Ưu tiên theo tuổi được áp dụng tự động.") if s.automatic
                                   else self.tr("Chọn nếu đúng; nhân viên có thể kiểm tra giấy tờ."))
        self.follow_up.setVisible(fu is not None)
        if s.follow_up is not None:
            self.follow_up.setText(self.tr("Ông/bà có lịch tái khám hôm nay (ngày {date}).").format(
                date=_vn_date(s.follow_up.date)))
        has_prio = bool(s.priorities)
        for w in (self.priority_title, self.priority_hint, self._priority_box):
            w.setVisible(has_prio)

    def clear(self) -> None:
        """The offered priorities (age, pregnancy...), the chosen one and the follow-up line are
        personal: hide, uncheck and blank them; the next patient's state rebuilds the buttons."""
        super().clear()
        self.follow_up.clear()
        self._built_for = ()
        for b in [*self.priority_buttons.values(), *self.service_buttons.values()]:
            b.setText("")
            b.setVisible(False)
        for b in self.priority_buttons.values():
            b.setChecked(False)

    def relayout(self) -> None:
        from kiosk.ui.patient.base import set_direction
        set_direction(self._body, self.landscape)
        self._body.setStretch(0, 1 if self.landscape else 0)
        self._body.setStretch(1, 1)
        if isinstance(self.state, ChooseService):
            self._built_for = ()
            self.render()

    def _service_min_height(self) -> int:
        m = self.ctx.metrics
        return max(m.touch, m.mm(16 if self.landscape else 26))

    def restyle(self) -> None:
        m = self.ctx.metrics
        for b in self.service_buttons.values():
            b.set_base_min_height(self._service_min_height())
            b.set_padding(m.mm(2))
        for cat, pb in self.priority_buttons.items():
            self._style_priority(pb, cat)
        gap = m.mm(4)
        for grid in (self._services_grid, self._priority_grid):
            grid.setSpacing(gap)
            grid.setContentsMargins(0, 0, 0, 0)
        self._body.setSpacing(m.mm(8))
        outer = m.mm(8)
        self._root.setContentsMargins(outer, outer, outer, outer)
        self._root.setSpacing(m.mm(4))


def _vn_date(iso_day: str) -> str:
    """yyyy-mm-dd → dd/mm/yyyy as Vietnamese (and the kiosk's English) screens write it."""
    parts = iso_day.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso_day
