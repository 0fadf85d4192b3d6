"""Screenshots of the display at TV sizes (1920x1080 landscape, 1080x1920 portrait)."""
from __future__ import annotations

from pathlib import Path

from kiosk.ui.qt import QApplication, QCoreApplication, QEventLoop

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def settle(app, rounds: int = 6) -> None:
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def grab_sizes(window, out_dir: Path, stem: str = "display") -> list[Path]:
    app = QApplication.instance()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (w, h) in SIZES.items():
        window.resize(w, h)
        window.show()
        settle(app)
        window.tick()
        settle(app)
        path = out_dir / f"{stem}-{name}-{w}x{h}.png"
        window.grab().save(str(path))
        paths.append(path)
    return paths
