"""Small building blocks shared by the patient screens: styled labels, buttons, icon pictures."""
from __future__ import annotations

from kiosk.ui import icons
from kiosk.ui.qt import QLabel, QPushButton, QSize, QSizePolicy, Qt, QToolButton, QIcon, QWidget


def label(role: str, parent: QWidget | None = None, *, wrap: bool = True,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> QLabel:
    """A QLabel styled by the theme's `role` (title, body, small, display, huge, good, warn, bad)."""
    w = QLabel(parent)
    w.setProperty("role", role)
    w.setWordWrap(wrap)
    w.setAlignment(align)
    w.setTextFormat(Qt.TextFormat.PlainText)
    return w


def button(role: str, parent: QWidget | None = None, *, name: str = "") -> QPushButton:
    b = QPushButton(parent)
    b.setProperty("role", role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # touch screen: no focus ring wandering around
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    if name:
        b.setObjectName(name)
    return b


def icon_button(role: str, parent: QWidget | None = None, *, name: str = "") -> QToolButton:
    """Icon above text; used for the three ways on the idle screen and the toggles."""
    b = QToolButton(parent)
    b.setProperty("role", role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    if name:
        b.setObjectName(name)
    return b


class IconLabel(QLabel):
    """A picture from resources/icons, re-drawn when the theme (colour) or size changes."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._name = name
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_icon(self, name: str) -> None:
        self._name = name

    def paint_icon(self, size: int, color: str) -> None:
        self.setPixmap(icons.pixmap(self._name, size, color, self.devicePixelRatioF()))
        self.setFixedSize(QSize(size, size))


def set_button_icon(b, name: str, size: int, color: str, checked_color: str | None = None) -> None:
    """The icon in `color`; a checkable button shows it in `checked_color` while checked."""
    dpr = b.devicePixelRatioF()
    icon = QIcon()
    icon.addPixmap(icons.pixmap(name, size, color, dpr), QIcon.Mode.Normal, QIcon.State.Off)
    icon.addPixmap(icons.pixmap(name, size, checked_color or color, dpr), QIcon.Mode.Normal, QIcon.State.On)
    b.setIcon(icon)
    b.setIconSize(QSize(size, size))
