"""The kiosk's look: two palettes (normal, high contrast) poured into resources/theme/kiosk.qss."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from string import Template

from kiosk.paths import resources_dir
from kiosk.ui.sizes import Metrics

NORMAL = {
    "bg": "#F3F6FA", "text": "#14212B", "title": "#0B3D6E", "muted": "#4A5866",
    "card": "#FFFFFF", "cardborder": "#B8C6D4",
    "primary": "#0B5CAD", "primarytext": "#FFFFFF",
    "btnbg": "#E4ECF5", "btntext": "#0B3D6E", "btnborder": "#9DB3C9", "pressed": "#C9D8E8",
    "good": "#136B31", "goodbg": "#17803A", "goodtext": "#FFFFFF",
    "warn": "#8A4B00", "bad": "#B3261E",
    "bannerbg": "#0B5CAD", "bannertext": "#FFFFFF", "focusring": "#F2B705",
    "icon": "#0B3D6E",
}
# Black/white/yellow: every text pair here is above 15:1 contrast.
HIGH_CONTRAST = {
    "bg": "#000000", "text": "#FFFFFF", "title": "#FFFF00", "muted": "#FFFFFF",
    "card": "#000000", "cardborder": "#FFFFFF",
    "primary": "#FFFF00", "primarytext": "#000000",
    "btnbg": "#000000", "btntext": "#FFFFFF", "btnborder": "#FFFFFF", "pressed": "#333333",
    "good": "#7CFF7C", "goodbg": "#FFFF00", "goodtext": "#000000",
    "warn": "#FFD24D", "bad": "#FF8080",
    "bannerbg": "#FFFF00", "bannertext": "#000000", "focusring": "#00FFFF",
    "icon": "#FFFFFF",
}


@dataclass(frozen=True)
class Theme:
    metrics: Metrics
    high_contrast: bool = False

    @property
    def palette(self) -> dict[str, str]:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    def color(self, name: str) -> str:
        return self.palette[name]

    def stylesheet(self) -> str:
        m = self.metrics
        values: dict[str, object] = dict(self.palette)
        # font sizes are f_*: the palette already has a colour named "title"
        values.update(
            f_body=m.font_px("body"), f_small=m.font_px("small"), f_button=m.font_px("button"),
            f_title=m.font_px("title"), f_display=m.font_px("display"), f_huge=m.font_px("huge"),
            f_name=round(m.font_px("display") * 1.4), f_huge_l=ceil(m.font_px("huge") / m.scale),   # never below the normal size (minor 9)
            touch=m.touch, pad=m.mm(2.5), radius=m.mm(2.5),
            border=3 if self.high_contrast else 2, focus=m.mm(1.2),
        )
        return _template().substitute(values)


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template((resources_dir() / "theme" / "kiosk.qss").read_text(encoding="utf-8"))
