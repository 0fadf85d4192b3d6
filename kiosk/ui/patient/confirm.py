"""Confirmation screen: masked identity, insurance status in plain words, "Đúng, tiếp tục" / "Không phải tôi".

Also renders `CheckingEligibility` (the patient confirmed before the card check answered).
"""
from __future__ import annotations

from kiosk.core.checkin import Cancel, CheckingEligibility, ConfirmNo, ConfirmYes
from kiosk.core.priority import CHILD_UNDER_AGE
from kiosk.core.views import InsuranceStatus, ReadSource
from kiosk.ui.patient import texts
from kiosk.ui.patient.base import Screen, UiContext, mark_personal, set_direction
from kiosk.ui.qt import QBoxLayout, QFrame, QGridLayout, QT_TRANSLATE_NOOP, QVBoxLayout, QWidget, Qt
from kiosk.ui.widgets.common import IconLabel, button, label

_SOURCE = {
    ReadSource.QR: QT_TRANSLATE_NOOP("ConfirmScreen", "Đọc từ mã QR"),
    ReadSource.CHIP: QT_TRANSLATE_NOOP("ConfirmScreen", "Đọc từ chip thẻ căn cước"),
    ReadSource.TYPED: QT_TRANSLATE_NOOP("ConfirmScreen", "Theo số đã nhập"),
}
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class ConfirmScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("ConfirmScreen")
        self.title = label("display", self)
        self.card = QFrame(self)
        self.card.setProperty("role", "card")
        self.picture = IconLabel("person", self.card)
        self.name = label("huge-name", self.card, align=_LEFT)
        self.name.setObjectName("MaskedName")
        self.birth_caption = label("body", self.card, align=_LEFT)
        self.birth = label("display", self.card, align=_LEFT)
        self.number_caption = label("body", self.card, align=_LEFT)
        self.number = label("display", self.card, align=_LEFT)
        self.number.setObjectName("MaskedNumber")
        self.source = label("small", self.card, align=_LEFT)
        grid = QGridLayout(self.card)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self._grid = grid
        self._place(side_by_side=False)
        self.insurance_caption = label("subtitle", self)
        self.insurance = label("good", self)
        self.insurance.setObjectName("InsuranceStatus")
        self.insurance_detail = label("body", self)
        self.note = label("body", self)          # a child's guardian (issue 14 minor 6)
        self.note.setObjectName("ConfirmNote")
        # the card's validity dates are health data too: cleared with the identity at every reset
        mark_personal(self.name, self.birth, self.number, self.source, self.insurance, self.insurance_detail, self.note)
        self.question = label("title", self)
        self.yes = button("good", self, name="ConfirmYes")
        self.yes.clicked.connect(lambda: self.ctx.send(ConfirmYes()))
        self.no = button("danger", self, name="ConfirmNo")
        self.no.clicked.connect(self._no)

        actions = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        actions.addWidget(self.yes)
        actions.addWidget(self.no)
        self._actions = actions
        root = QVBoxLayout(self)
        root.addWidget(self.title)
        root.addStretch(1)
        root.addWidget(self.card)
        root.addWidget(self.insurance_caption)
        root.addWidget(self.insurance)
        root.addWidget(self.insurance_detail)
        root.addWidget(self.note)
        root.addStretch(1)
        root.addWidget(self.question)
        root.addLayout(actions)
        self._root = root
        self.retranslate()

    def _no(self) -> None:
        """"Không phải tôi"; for a typed number not known here there is no one to deny: "Hủy"."""
        p = getattr(self.state, "patient", None)
        self.ctx.send(Cancel() if p is not None and p.unconfirmed else ConfirmNo())

    def retranslate(self) -> None:
        self.birth_caption.setText(self.tr("Năm sinh"))
        self.number_caption.setText(self.tr("Số giấy tờ"))
        self.insurance_caption.setText(self.tr("Bảo hiểm y tế"))
        self.title.setText(self.tr("Ông/bà có phải là người này?"))   # render() fits it to the person
        self.yes.setText(self.tr("Đúng, tiếp tục"))
        self.no.setText(self.tr("Không phải tôi"))

    def _words(self, p) -> None:
        """The question fits the person: a first visit by a typed number (no name yet, issue 14 M7),
        a young child (the guardian answers, minor 6), or the patient."""
        child = p.age is not None and p.age < CHILD_UNDER_AGE and not p.unconfirmed
        # no name to show: the title says it; the insurance line gives way to the desk's words
        for w in (self.name, self.insurance_caption, self.insurance):
            w.setVisible(not p.unconfirmed)
        if p.unconfirmed:
            self.title.setText(self.tr("Lần đầu đến khám? Ông/bà vẫn lấy được số"))
            self.name.setText("")
            self.yes.setText(self.tr("Tiếp tục lấy số"))
            self.no.setText(self.tr("Hủy"))
        else:
            self.title.setText(self.tr("Đây có phải là thông tin của trẻ đi cùng ông/bà?") if child
                               else self.tr("Ông/bà có phải là người này?"))
            self.name.setText(p.masked_name)
            self.yes.setText(self.tr("Đúng, tiếp tục"))
            self.no.setText(self.tr("Không phải") if child else self.tr("Không phải tôi"))
        note = self.tr("Người giám hộ đi cùng trẻ xin cho biết họ tên của mình khi vào khám.") if child else ""
        if child and p.guardian:   # in the card, where the read source line goes
            self.source.setText(self.tr("Người giám hộ trên thẻ: {name}").format(name=p.guardian))
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        s = self.state
        p = s.patient
        self.birth.setText(str(p.birth_year) if p.birth_year else "—")
        self.number.setText(p.masked_number or "—")
        self.source.setText(self.tr(_SOURCE[p.source]))
        self._words(p)
        waiting = isinstance(s, CheckingEligibility)
        if waiting:
            status = InsuranceStatus.CHECKING
            detail = self.tr("Xin chờ trong giây lát.")
        else:
            status = s.eligibility.status
            code = s.eligibility.message.code
            detail = "" if code in ("checking", "provisional") else self.ctx.message(s.eligibility.message)
        role, words = texts.insurance(status)
        self.insurance.setProperty("role", role)
        self.insurance.style().unpolish(self.insurance)
        self.insurance.style().polish(self.insurance)
        self.insurance.setText(words)
        self.insurance_detail.setText(detail)
        self.insurance_detail.setVisible(bool(detail))
        # one question on the screen (the title asks it); the line below only says "please wait"
        self.question.setText(self.tr("Xin chờ kiểm tra thẻ…") if waiting else "")
        self.question.setVisible(waiting)
        self.yes.setEnabled(not waiting)

    def speech_text(self) -> str:
        return self.tr("Nếu đúng là ông/bà, xin bấm Đúng, tiếp tục.")

    def _place(self, side_by_side: bool) -> None:
        """Landscape: birth year and number side by side; portrait: one under the other (a
        large-text `*** *** 1234` must never wrap)."""
        g = self._grid
        for w in (self.picture, self.name, self.birth_caption, self.birth, self.number_caption,
                  self.number, self.source):
            g.removeWidget(w)
        g.addWidget(self.picture, 0, 0, 6, 1, Qt.AlignmentFlag.AlignTop)
        g.addWidget(self.name, 0, 1, 1, 2)
        if side_by_side:
            g.addWidget(self.birth_caption, 1, 1)
            g.addWidget(self.birth, 2, 1)
            g.addWidget(self.number_caption, 1, 2)
            g.addWidget(self.number, 2, 2)
            g.addWidget(self.source, 3, 1, 1, 2)
        else:
            g.addWidget(self.birth_caption, 1, 1, 1, 2)
            g.addWidget(self.birth, 2, 1, 1, 2)
            g.addWidget(self.number_caption, 3, 1, 1, 2)
            g.addWidget(self.number, 4, 1, 1, 2)
            g.addWidget(self.source, 5, 1, 1, 2)

    def relayout(self) -> None:
        set_direction(self._actions, self.landscape)
        self._place(side_by_side=self.landscape)

    def restyle(self) -> None:
        m = self.ctx.metrics
        self.picture.paint_icon(m.mm(30), self.ctx.color("icon"))
        wide = self.landscape                     # a third of the height: tighter
        for b in (self.yes, self.no):
            b.setMinimumHeight(max(m.touch, m.mm(18 if wide else 22)))
        pad = m.mm(4 if wide else 6)
        self._grid.setContentsMargins(pad, pad, pad, pad)
        self._grid.setHorizontalSpacing(pad)
        self._grid.setVerticalSpacing(m.mm(1))
        gap = m.mm(4 if wide else 8)
        self._root.setContentsMargins(gap, gap, gap, gap)
        self._root.setSpacing(m.mm(2 if wide else 4))
        self._actions.setSpacing(m.mm(5))
