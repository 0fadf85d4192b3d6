"""Keypad screen: type a CCCD number or BHYT code on the on-screen keys."""
from __future__ import annotations

from kiosk.core.checkin import Back, Keypad, KeypadKey, KeypadSubmit
from kiosk.ui.patient.base import Screen, UiContext, mark_personal, set_direction
from kiosk.ui.qt import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget
from kiosk.ui.widgets.common import button, label
from kiosk.ui.widgets.keypad import KeypadWidget


def group_digits(text: str) -> str:
    """`012345678901` → `012 345 678 901` so a patient can check what they typed."""
    return " ".join(text[i:i + 3] for i in range(0, len(text), 3))


class KeypadScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("KeypadScreen")
        self.title = label("display", self)
        self.hint = label("body", self)
        self.entry = label("entry", self)
        self.entry.setObjectName("KeypadEntry")
        mark_personal(self.entry)
        self.keypad = KeypadWidget(self)
        self.keypad.key_pressed.connect(lambda k: self.ctx.send(KeypadKey(k)))
        self.clear_all = button("danger", self, name="KeypadClear")
        self.clear_all.clicked.connect(lambda: self.ctx.send(KeypadKey("CLEAR")))
        self.back = button("secondary", self, name="BackButton")
        self.back.clicked.connect(lambda: self.ctx.send(Back()))
        self.ok = button("good", self, name="KeypadOk")
        self.ok.clicked.connect(lambda: self.ctx.send(KeypadSubmit()))

        texts = QVBoxLayout()
        texts.addWidget(self.title)
        texts.addWidget(self.hint)
        texts.addWidget(self.entry)
        texts.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.back)
        actions.addWidget(self.clear_all)
        actions.addWidget(self.ok, 2)
        self._texts = texts
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.addLayout(texts, 0)
        self._body.addWidget(self.keypad, 1)
        root = QVBoxLayout(self)
        root.addLayout(self._body, 1)
        root.addLayout(actions)
        self._root = root
        self._actions = actions
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Nhập số giấy tờ"))
        self.hint.setText(self.tr("12 số trên thẻ căn cước, hoặc mã thẻ BHYT (chữ cái bấm ABC)."))
        self.clear_all.setText(self.tr("Xóa hết"))
        self.back.setText(self.tr("Quay lại"))
        self.ok.setText(self.tr("Xong"))

    def render(self) -> None:  # type: ignore[override]  # a screen shows its state; not QWidget.render(target)
        s: Keypad = self.state
        self.entry.setText(group_digits(s.text) if s.text else " ")
        self.ok.setEnabled(bool(s.text))

    def clear(self) -> None:
        super().clear()
        self.keypad.reset()

    def relayout(self) -> None:
        set_direction(self._body, self.landscape)

    def restyle(self) -> None:
        m = self.ctx.metrics
        key = max(m.touch, m.mm(22))
        self.keypad.set_key_size(key, m.mm(3))
        for b in (self.ok, self.back, self.clear_all):
            b.setMinimumHeight(max(m.touch, m.mm(18)))
        gap = m.mm(6)
        self._root.setContentsMargins(gap, gap, gap, gap)
        self._root.setSpacing(gap)
        self._body.setSpacing(gap)
        self._actions.setSpacing(m.mm(4))
