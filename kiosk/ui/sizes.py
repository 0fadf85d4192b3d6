"""Physical sizes for a public touch screen: touch targets in millimetres, text readable from 60 cm.

Sizes are computed from the screen's physical DPI; virtual and broken screens (offscreen, VNC,
EDID without a size) report nonsense, so anything outside a plausible range falls back to 96 DPI.
"""
from __future__ import annotations

from dataclasses import dataclass

MM_PER_INCH = 25.4
DEFAULT_DPI = 96.0
PLAUSIBLE_DPI = (60.0, 400.0)
TOUCH_MM = 15.0           # minimum touch target (issue: >= 15 mm)
# Text read from 60 cm: body capitals about 4.5 mm tall (a font's px size is ~1.45x its cap height).
BODY_MM = 6.5
LARGE_TEXT_FACTOR = 1.35
MIN_FONT_PX = 12


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes derived from DPI and the large-text mode; one instance per screen/mode."""
    dpi: float
    large_text: bool = False

    @property
    def px_per_mm(self) -> float:
        return self.dpi / MM_PER_INCH

    def mm(self, millimetres: float) -> int:
        return max(1, round(millimetres * self.px_per_mm))

    @property
    def touch(self) -> int:
        """Smallest side of any touch target."""
        return self.mm(TOUCH_MM)

    @property
    def scale(self) -> float:
        return LARGE_TEXT_FACTOR if self.large_text else 1.0

    def font_px(self, role: str) -> int:
        factor = {"small": 0.8, "body": 1.0, "button": 1.15, "title": 1.6, "huge": 5.0,
                  "display": 2.4}[role]
        # the 12 px floor scales too: a footer at the floor still grows in large text (minor 9)
        return max(round(MIN_FONT_PX * self.scale), round(BODY_MM * factor * self.scale * self.px_per_mm))


def sane_dpi(physical_dpi: float | None) -> float:
    if physical_dpi is None:
        return DEFAULT_DPI
    low, high = PLAUSIBLE_DPI
    return float(physical_dpi) if low <= physical_dpi <= high else DEFAULT_DPI


def metrics_for_screen(screen, large_text: bool = False) -> Metrics:
    """`screen` is a QScreen or None; no Qt import here so this stays testable without a display."""
    dpi = None
    if screen is not None:
        size_mm = screen.physicalSize()
        if size_mm.width() > 1 and size_mm.height() > 1:
            dpi = screen.physicalDotsPerInch()
    return Metrics(sane_dpi(dpi), large_text)
