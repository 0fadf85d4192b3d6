"""Clipped-text finder for the staff screens: every visible label, button, field placeholder, combo box,
tab and table header is measured with its font's metrics against the geometry it actually got."""
from __future__ import annotations

from kiosk.ui.qt import (QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QTabBar, QTableWidget, Qt,
                         QWidget)

SLACK = 2     # px of rounding


def _lines(text: str) -> list[str]:
    return [ln for ln in text.replace("&&", "&").split("\n")]


def _where(w: QWidget) -> str:
    return f"{type(w).__name__}#{w.objectName() or '?'}"


def clipped(root: QWidget) -> list[str]:
    """Every visible widget under `root` whose text does not fit; [] when all is readable."""
    problems: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) or w.width() <= 0:
            continue
        fm = w.fontMetrics()
        if isinstance(w, (QLabel, QAbstractButton, QLineEdit, QComboBox)) and getattr(w, "text", lambda: "x")():
            # cut by a parent (a scroll area's viewport, a window edge): part of the widget is not shown
            seen = w.visibleRegion().boundingRect()
            if w.isVisible() and (seen.width() + SLACK < w.width() or seen.height() + SLACK < w.height()):
                problems.append(f"{_where(w)} shows {seen.width()}x{seen.height()} of {w.width()}x{w.height()}: "
                                f"{str(getattr(w, 'text', lambda: '')() or '')[:40]!r}")
        if isinstance(w, QLabel):
            text = w.text()
            if not text or w.pixmap() is not None and not w.pixmap().isNull():
                continue
            if w.textFormat() == Qt.TextFormat.RichText or (w.textFormat() == Qt.TextFormat.AutoText
                                                            and text.lstrip().startswith("<")):
                need_h = w.heightForWidth(w.width()) if w.wordWrap() else w.sizeHint().height()
                if w.height() + SLACK < need_h:
                    problems.append(f"{_where(w)} rich text needs {need_h}px height, has {w.height()}: {text[:50]!r}")
                continue
            inner = w.contentsRect().width() - 2 * w.margin() - w.indent() if w.indent() > 0 else \
                w.contentsRect().width() - 2 * w.margin()
            if w.wordWrap():
                need_h = w.heightForWidth(w.width())
                if need_h > 0 and w.height() + SLACK < need_h:
                    problems.append(f"{_where(w)} needs {need_h}px height, has {w.height()}: {text[:50]!r}")
                # a single word longer than the width is cut even when wrapping
                longest = max((fm.horizontalAdvance(word) for ln in _lines(text) for word in ln.split()), default=0)
                if longest > inner + SLACK:
                    problems.append(f"{_where(w)} has a word wider than {inner}px: {text[:50]!r}")
            else:
                need = max(fm.horizontalAdvance(ln) for ln in _lines(text))
                if need > inner + SLACK:
                    problems.append(f"{_where(w)} needs {need}px, has {inner}: {text[:50]!r}")
                need_h = fm.lineSpacing() * len(_lines(text))
                if w.contentsRect().height() + SLACK < need_h - fm.leading():
                    problems.append(f"{_where(w)} needs {need_h}px height, has {w.contentsRect().height()}: {text[:50]!r}")
        elif isinstance(w, QAbstractButton) and not isinstance(w, QGroupBox):
            text = w.text()
            if not text:
                continue
            need = max(fm.horizontalAdvance(ln) for ln in _lines(text))
            hint = w.sizeHint()
            want_w = min(hint.width(), need + 16)
            if w.width() + SLACK < want_w:
                problems.append(f"{_where(w)} needs {want_w}px, has {w.width()}: {text[:50]!r}")
            if w.height() + SLACK < min(hint.height(), fm.lineSpacing() * len(_lines(text)) + 4):
                problems.append(f"{_where(w)} needs {hint.height()}px height, has {w.height()}: {text[:50]!r}")
        elif isinstance(w, QLineEdit):
            ph = w.placeholderText()
            if ph and not w.text() and fm.horizontalAdvance(ph) > w.width() - 10 + SLACK:
                problems.append(f"{_where(w)} placeholder needs {fm.horizontalAdvance(ph)}px, has {w.width()}: {ph[:50]!r}")
        elif isinstance(w, QComboBox):
            text = w.currentText()
            if text and fm.horizontalAdvance(text) > w.width() - 28 + SLACK:
                problems.append(f"{_where(w)} shows {text[:50]!r} in {w.width()}px (needs {fm.horizontalAdvance(text) + 28})")
        elif isinstance(w, QTabBar):
            total = sum(w.tabSizeHint(i).width() for i in range(w.count()) if w.isTabVisible(i))
            if total > w.width() + SLACK and w.parentWidget() is not None and total > w.parentWidget().width():
                problems.append(f"{_where(w)} tabs need {total}px, have {w.parentWidget().width()}")
            for i in range(w.count()):
                if w.isTabVisible(i) and w.tabRect(i).width() + SLACK < fm.horizontalAdvance(w.tabText(i)):
                    problems.append(f"{_where(w)} tab {w.tabText(i)!r} is cut")
        elif isinstance(w, QGroupBox):
            if w.title() and fm.horizontalAdvance(w.title()) > w.width() - 16 + SLACK:
                problems.append(f"{_where(w)} title {w.title()!r} is cut")
        if isinstance(w, QTableWidget):
            header = w.horizontalHeader()
            visible = [c for c in range(w.columnCount()) if not w.isColumnHidden(c)]
            total = sum(header.sectionSize(c) for c in visible)
            if total > w.viewport().width() + SLACK:
                problems.append(f"{_where(w)} columns need {total}px, viewport {w.viewport().width()}")
            cfm = w.fontMetrics()
            for r in range(min(w.rowCount(), 30)):
                for c in visible:
                    item = w.item(r, c)
                    if item and item.text() and cfm.horizontalAdvance(item.text()) + 8 > header.sectionSize(c) + SLACK:
                        problems.append(f"{_where(w)} cell {item.text()[:30]!r} is cut ({header.sectionSize(c)}px)")
            hfm = header.fontMetrics()
            for c in visible:
                item = w.horizontalHeaderItem(c)
                if item and hfm.horizontalAdvance(item.text()) + 8 > header.sectionSize(c) + SLACK:
                    problems.append(f"{_where(w)} header {item.text()!r} is cut ({header.sectionSize(c)}px)")
    return problems
