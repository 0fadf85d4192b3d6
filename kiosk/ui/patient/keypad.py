"""Keypad screen: type a CCCD number or BHYT code on the on-screen keys."""
from __future__ import annotations

from kiosk.core.checkin import Back, Keypad, KeypadKey, KeypadSubmit
from kiosk.ui.patient.base import Screen, UiContext, mark_personal, set_direction
from kiosk.ui.qt import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget
from kiosk.ui.widgets.common import button, label
from kiosk.ui.widgets.keypad import KeypadWidget


_BHYT_GROUPS = (2, 1, 2, 5, 5)   # group, benefit level, province, BHXH number in two halves


def group_digits(text: str) -> str:
    """What the patient typed, grouped so they can check it against the card: a CCCD number in
    threes (`012 345 678 901`), a BHYT code by its parts (`DN 4 01 01000 00101`)."""
    if len(text) >= 2 and text[:2].isalpha():
        parts, i = [], 0
        for n in _BHYT_GROUPS:
            if i >= len(text):
                break
            parts.append(text[i:i + n])
            i += n
        if i < len(text):
            parts.append(text[i:])
        return " ".join(parts)
    return " ".join(text[i:i + 3] for i in range(0, len(text), 3))


class KeypadScreen(Screen):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("KeypadScreen")
        self.title = label("display", self)
        self.hint = label("body", self)
        self.entry = label("entry", self)
        self.entry.setObjectName("KeypadEntry")
        self.entry.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never pushes
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
        # landscape: both columns keep their width whatever is typed, so no key moves (M7)
        self._body.setStretch(0, 1 if self.landscape else 0)
        self._body.setStretch(1, 1)

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
