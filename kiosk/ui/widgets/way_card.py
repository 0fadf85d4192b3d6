"""One of the idle screen's "ways": a picture, a heading, one line of help, optionally a button."""
from __future__ import annotations

from kiosk.ui.qt import QBoxLayout, QFrame, QPushButton, QSizePolicy, Qt, QVBoxLayout, QWidget
from kiosk.ui.widgets.common import IconLabel, button, label


class WayCard(QFrame):
    def __init__(self, icon: str, parent: QWidget | None = None, with_button: bool = False,
                 name: str = ""):
        super().__init__(parent)
        self.setProperty("role", "card")
        if name:
            self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.picture = IconLabel(icon, self)
        self.heading = label("title", self, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.help = label("body", self, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.action: QPushButton | None = button("primary", self, name=f"{name}Button") if with_button else None
        self._texts = QVBoxLayout()
        self._texts.addStretch(1)
        self._texts.addWidget(self.heading)
        self._texts.addWidget(self.help)
        if self.action is not None:
            self._texts.addSpacing(8)
            self._texts.addWidget(self.action)
        self._texts.addStretch(1)
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._fill(vertical=False)

    def _fill(self, vertical: bool) -> None:
        while self._box.count():
            self._box.takeAt(0)
        if vertical:                       # picture above the text, the pair centred
            self._box.addStretch(1)
            self._box.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
            self._box.addLayout(self._texts, 0)
            self._box.addStretch(1)
        else:
            self._box.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignCenter)
            self._box.addLayout(self._texts, 1)

    def set_vertical(self, vertical: bool) -> None:
        """Landscape idle: cards side by side, picture above the text."""
        self._box.setDirection(QBoxLayout.Direction.TopToBottom if vertical
                               else QBoxLayout.Direction.LeftToRight)
        self._fill(vertical)
        align = Qt.AlignmentFlag.AlignHCenter if vertical else Qt.AlignmentFlag.AlignLeft
        for lab in (self.heading, self.help):
            lab.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)

    def set_metrics(self, icon_px: int, color: str, margin: int) -> None:
        self.picture.paint_icon(icon_px, color)
        self._box.setContentsMargins(margin, margin, margin, margin)
        self._box.setSpacing(margin)
