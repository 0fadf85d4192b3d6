"""The single place Qt is imported from (a binding switch or Qt upgrade touches only this file)."""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401
from PySide6.QtCore import (  # noqa: F401
    QByteArray, QCoreApplication, QElapsedTimer, QEvent, QEventLoop, QLocale,
    QObject, QPoint, QProcess, QRect, QRectF, QSize, Qt, QThread, QTimer, QTranslator, Signal, Slot,
)
from PySide6.QtGui import (  # noqa: F401
    QColor, QFont, QFontDatabase, QFontMetrics, QGuiApplication, QIcon, QImage, QInputMethodEvent, QKeyEvent,
    QKeySequence, QMouseEvent, QPainter, QPalette, QPen, QPixmap, QScreen, QShortcut,
)
from PySide6.QtWidgets import (  # noqa: F401
    QAbstractButton, QApplication, QBoxLayout, QButtonGroup, QFrame, QGridLayout, QHBoxLayout,
    QLabel, QLayout, QLineEdit, QMainWindow, QPushButton, QSizePolicy, QStackedWidget, QToolButton, QVBoxLayout, QWidget,
)
from PySide6.QtSvg import QSvgRenderer  # noqa: F401

if TYPE_CHECKING:
    def QT_TRANSLATE_NOOP(context: str, source_text: str) -> str:  # noqa: N802
        """PySide6's stub says `object`; it returns `source_text` unchanged."""
        ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP  # noqa: F401

# desk and technician screens: resolved on first use (`from kiosk.ui.qt import QDialog` works the
# same), since each name costs the patient screen's cold start
_LAZY = {"QDate": QtCore, **{n: QtWidgets for n in (
    "QAbstractItemView QCheckBox QComboBox QDateEdit QDialog QDialogButtonBox QFileDialog QFormLayout "
    "QGroupBox QHeaderView QListWidget QListWidgetItem QMessageBox QPlainTextEdit QRadioButton QSpinBox "
    "QProgressBar QScrollArea QSplitter QTabBar QTableWidget QTableWidgetItem QTabWidget QWizard QWizardPage QToolTip").split()}}
# Add further names here as the UI needs them; never `import PySide6` anywhere else.


def application(argv: list[str]) -> QApplication:
    """The running QApplication, or a new one with `argv`."""
    app = QApplication.instance()
    # PySide6 types instance() as the base QCoreApplication; the kiosk only ever makes a QApplication
    return QApplication(argv) if app is None else cast(QApplication, app)


def running_application() -> QApplication:
    """The QApplication already running."""
    app = QApplication.instance()
    assert app is not None, "no QApplication yet"
    return cast(QApplication, app)   # see application()


def __getattr__(name: str):
    """QtTest and the desk's widgets on first use only: they cost start-up time."""
    if name == "QtTest":
        from PySide6 import QtTest
        return QtTest
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    value = getattr(module, name)
    globals()[name] = value
    return value
