"""Qt application lifecycle shared by `kiosk run`, `kiosk desk` and `kiosk demo`: clean exit on
SIGINT/SIGTERM, and destroying the QApplication before the interpreter tears down."""
from __future__ import annotations

import signal

from kiosk.ui.qt import QApplication, QTimer


def quit_on_signals(app) -> None:
    """SIGINT/SIGTERM end the event loop cleanly (so `finally` blocks close the app and its
    temporary data); a short timer lets Python run its signal handlers while Qt waits."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        # exit(), not quit(): Qt 6 quit() first asks windows to close, and the lock-down refuses
        signal.signal(sig, lambda *_: app.exit(0))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)


def qt_shutdown() -> None:
    """Destroy the QApplication before the interpreter tears down (PySide6 otherwise may crash
    while garbage-collecting wrappers of already-deleted Qt objects at exit)."""
    app = QApplication.instance()
    if app is not None:
        for w in QApplication.topLevelWidgets():
            w.deleteLater()
        app.processEvents()
        app.shutdown()
