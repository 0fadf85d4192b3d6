"""On-screen keypad (digits, and letters for BHYT codes): it only emits keys, it holds no text.

The typed text lives in the core's `Keypad` state; the system keyboard never appears.
"""
from __future__ import annotations

import string

from kiosk.ui.qt import QGridLayout, QPushButton, QSizePolicy, QStackedWidget, QWidget, Signal
from kiosk.ui.widgets.common import button

BACKSPACE = "BACKSPACE"
CLEAR = "CLEAR"
DIGIT_ROWS = ("123", "456", "789")
LETTER_COLUMNS = 7


class KeypadWidget(QStackedWidget):
    key_pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.keys: dict[str, QPushButton] = {}
        self.to_letters = button("key", name="KeyLetters")
        self.to_digits = button("key", name="KeyDigits")
        self.backspace = [button("key", name="KeyBackspace"), button("key", name="KeyBackspace2")]
        self.digits_page = self._digits_page()
        self.letters_page = self._letters_page()
        self.addWidget(self.digits_page)
        self.addWidget(self.letters_page)
        self.to_letters.clicked.connect(lambda: self.setCurrentWidget(self.letters_page))
        self.to_digits.clicked.connect(lambda: self.setCurrentWidget(self.digits_page))
        for b in self.backspace:
            b.setText("⌫")
            b.clicked.connect(lambda: self.key_pressed.emit(BACKSPACE))
        self.to_letters.setText("ABC")
        self.to_digits.setText("123")

    def _key(self, ch: str) -> QPushButton:
        b = button("key", name=f"Key{ch}")
        b.setText(ch)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        b.clicked.connect(lambda _=False, c=ch: self.key_pressed.emit(c))
        self.keys[ch] = b
        return b

    def _digits_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        for r, row in enumerate(DIGIT_ROWS):
            for c, ch in enumerate(row):
                grid.addWidget(self._key(ch), r, c)
        grid.addWidget(self.to_letters, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        grid.addWidget(self.backspace[0], 3, 2)
        self._grids = [grid]
        return page

    def _letters_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        for i, ch in enumerate(string.ascii_uppercase):
            grid.addWidget(self._key(ch), i // LETTER_COLUMNS, i % LETTER_COLUMNS)
        last = len(string.ascii_uppercase)
        grid.addWidget(self.to_digits, last // LETTER_COLUMNS, last % LETTER_COLUMNS)
        grid.addWidget(self.backspace[1], last // LETTER_COLUMNS, last % LETTER_COLUMNS + 1)
        self._grids.append(grid)
        return page

    def set_key_size(self, touch: int, spacing: int) -> None:
        for b in [*self.keys.values(), self.to_letters, self.to_digits, *self.backspace]:
            b.setMinimumSize(touch, touch)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        for grid in self._grids:
            grid.setSpacing(spacing)
            grid.setContentsMargins(0, 0, 0, 0)

    def reset(self) -> None:
        self.setCurrentWidget(self.digits_page)
