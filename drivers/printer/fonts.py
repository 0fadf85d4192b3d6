"""Find a TrueType font with Vietnamese glyphs at run time; fall back gracefully."""
from __future__ import annotations

import functools
import glob
import logging
import os

from PIL import ImageFont

log = logging.getLogger(__name__)

_REGULAR = ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "LiberationSans-Regular.ttf", "FreeSans.ttf")
_BOLD = ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "LiberationSans-Bold.ttf", "FreeSansBold.ttf")
_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype",
         "/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
         "/Library/Fonts", "C:/Windows/Fonts")


@functools.lru_cache(maxsize=4)
def font_path(bold: bool = False) -> str | None:
    """Path of the first known font file present (searched once), else None."""
    names = _BOLD if bold else _REGULAR
    extra = os.environ.get("KIOSK_TICKET_FONT")
    if extra and os.path.isfile(extra):
        return extra
    for name in names:
        for d in _DIRS:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        hits = glob.glob(f"/usr/share/fonts/**/{name}", recursive=True)
        if hits:
            return hits[0]
    return None


@functools.lru_cache(maxsize=64)
def load(size: int, bold: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    path = font_path(bold) or font_path(False)
    if path:
        return ImageFont.truetype(path, size)
    log.warning("no TrueType font with Vietnamese glyphs found; ticket text may lose diacritics")
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()
