"""The staff screens' look: the kiosk's normal palette at desk-PC sizes (the patient theme's huge
touch targets would waste a desk screen); `kiosk_layout=True` keeps touch-size buttons on the kiosk."""
from __future__ import annotations

from kiosk.ui.theme import NORMAL


def stylesheet(kiosk_layout: bool = False) -> str:
    c = NORMAL
    btn_h = 44 if kiosk_layout else 30        # 44 px (about 12 mm) stays a comfortable touch target
    font = 16 if kiosk_layout else 13
    return f"""
QWidget {{ background: {c['bg']}; color: {c['text']}; font-size: {font}px; }}
QLabel[role="title"] {{ color: {c['title']}; font-size: {font + 6}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {c['muted']}; }}
QLabel[role="bad"] {{ color: {c['bad']}; font-weight: bold; }}
QLabel[role="warn"] {{ color: {c['warn']}; font-weight: bold; }}
QLabel[role="good"] {{ color: {c['good']}; font-weight: bold; }}
QFrame[role="banner"] {{ background: {c['bannerbg']}; }}
QFrame[role="banner"] QLabel {{ background: {c['bannerbg']}; color: {c['bannertext']}; font-weight: bold; }}
QFrame[role="banner"] QPushButton {{ min-height: {min(btn_h, 36)}px; }}
QFrame[role="card"] {{ background: {c['card']}; border: 1px solid {c['cardborder']}; border-radius: 6px; }}
QFrame[role="card"] QLabel {{ background: {c['card']}; }}
QPushButton {{ background: {c['btnbg']}; color: {c['btntext']}; border: 1px solid {c['btnborder']};
              border-radius: 5px; padding: 2px 10px; min-height: {btn_h}px; }}
QPushButton:pressed {{ background: {c['pressed']}; }}
QPushButton:disabled {{ color: #9AA5B1; border-color: #D0D7DE; }}
QPushButton[role="primary"] {{ background: {c['primary']}; color: {c['primarytext']}; border: none; }}
QPushButton[role="danger"] {{ background: {c['bad']}; color: #FFFFFF; border: none; }}
QPushButton[role="filter"] {{ min-height: {min(btn_h, 36)}px; }}
QPushButton[role="filter"]:checked {{ background: {c['primary']}; color: {c['primarytext']}; }}
QPushButton:disabled, QPushButton[role="primary"]:disabled, QPushButton[role="danger"]:disabled {{
    background: #EEF1F4; color: #8A96A3; border: 1px dashed #C3CBD3; }}
QComboBox:disabled, QLineEdit:disabled {{ background: #EEF1F4; color: #8A96A3; }}
QToolTip {{ background: #FFFBE6; color: #1F2933; border: 1px solid #C9A227; padding: 4px; }}
QLineEdit, QPlainTextEdit, QComboBox, QDateEdit, QSpinBox, QListWidget, QTableWidget {{
    background: {c['card']}; border: 1px solid {c['cardborder']}; border-radius: 4px; padding: 3px; }}
QTableWidget {{ gridline-color: #E1E7EE; selection-background-color: {c['pressed']}; selection-color: {c['text']}; }}
QHeaderView::section {{ background: {c['btnbg']}; color: {c['title']}; border: none; padding: 4px; font-weight: bold; }}
QTabWidget::pane {{ border: 1px solid {c['cardborder']}; }}
QTabBar::tab {{ background: {c['btnbg']}; padding: 6px 16px; }}
QTabBar::tab:selected {{ background: {c['primary']}; color: {c['primarytext']}; }}
QGroupBox {{ border: 1px solid {c['cardborder']}; border-radius: 6px; margin-top: 14px; padding-top: 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; color: {c['title']}; font-weight: bold; }}
"""
