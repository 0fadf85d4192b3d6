"""Small building blocks shared by the patient screens: styled labels, buttons, icon pictures."""
from __future__ import annotations

from kiosk.ui import icons
from kiosk.ui.qt import QIcon, QLabel, QPushButton, QSize, QSizePolicy, Qt, QToolButton, QVBoxLayout, QWidget


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


class WrapButton(QPushButton):
    """A push button whose text wraps onto more lines (a QPushButton's own text never does): long
    real service names and rooms stay whole (issue 14 M3). `text()`/`setText()` work on the inner
    label, which ignores the mouse so the button still gets every tap."""

    wraps = True

    def __init__(self, role: str, parent: QWidget | None = None, *, name: str = ""):
        super().__init__(parent)
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if name:
            self.setObjectName(name)
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}Text" if name else "ButtonText")
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._box = QVBoxLayout(self)
        self._box.addWidget(self.label)
        sp = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)
        self.base_min_height = 0

    def set_base_min_height(self, height: int) -> None:
        self.base_min_height = height
        self.setMinimumHeight(height)

    def fit_height(self) -> None:
        """Grow (or shrink back) so the wrapped text fits the current width: layouts that do not
        honour height-for-width (grids) then still leave every line visible."""
        need = max(self.base_min_height, self._box.totalHeightForWidth(self.width()))
        if need != self.minimumHeight():
            self.setMinimumHeight(need)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.fit_height()

    def set_padding(self, pad: int) -> None:
        self._box.setContentsMargins(pad, pad, pad, pad)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        self.label.setText(text)
        self.fit_height()
        self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return max(self.base_min_height, self._box.totalHeightForWidth(width))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        w = max(self.minimumWidth(), 200)
        return QSize(w, self.heightForWidth(w))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.minimumWidth(), self.minimumHeight())
