"""The kiosk's SVG icons (resources/icons), drawn in the theme's colour at any size."""
from __future__ import annotations

from functools import lru_cache

from kiosk.paths import resources_dir
from kiosk.ui.qt import QByteArray, QPainter, QPixmap, QSvgRenderer, Qt


@lru_cache(maxsize=None)
def _svg_text(name: str) -> str:
    return (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def _render(name: str, size: int, color: str, dpr: float) -> QPixmap:
    data = QByteArray(_svg_text(name).replace("currentColor", color).encode("utf-8"))
    renderer = QSvgRenderer(data)
    px = max(1, round(size * dpr))
    pixmap = QPixmap(px, px)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


def pixmap(name: str, size: int, color: str, dpr: float = 1.0) -> QPixmap:
    """Icon `name` (file stem) as a square pixmap of `size` logical pixels."""
    return _render(name, int(size), color, float(dpr))


def names() -> list[str]:
    return sorted(p.stem for p in (resources_dir() / "icons").glob("*.svg"))
