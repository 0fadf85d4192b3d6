"""The single place Qt is imported from (a binding switch or Qt upgrade touches only this file)."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401
from PySide6.QtCore import (  # noqa: F401
    QEvent, QLocale, QObject, QPoint, QRect, QSize, Qt, QThread, QTimer, QTranslator, Signal, Slot,
)
from PySide6.QtGui import (  # noqa: F401
    QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QImage, QKeyEvent, QPainter, QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (  # noqa: F401
    QApplication, QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QMainWindow, QPushButton,
    QSizePolicy, QStackedWidget, QVBoxLayout, QWidget,
)

# Add further names here as the UI needs them; never `import PySide6` anywhere else.
