"""Render a ticket to a Pillow image, PNG or PDF: the fallback when no ESC/POS printer is there,
the demo printer's output, and the picture the ESC/POS driver sends when the printer's code page
has no Vietnamese letters."""
from __future__ import annotations

import os

import functools
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps

from drivers.printer import fonts
from drivers.printer.layout import TicketLayout

WIDTH = 576          # dots: 72 mm printable at 203 dpi (80 mm paper)
MARGIN = 16


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        probe = f"{cur} {w}".strip()
        if draw.textlength(probe, font=font) <= width or not cur:
            cur = probe
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines or [""]


def text_block(lines, width: int = WIDTH, center: bool = True) -> Image.Image:
    """1-bit image of `(text, size, bold)` lines, each wrapped to the width and centred.
    Blocks repeat from ticket to ticket (header, service, room): rendered once, then copied."""
    return _text_block(tuple(tuple(x) for x in lines), width, center).copy()


@functools.lru_cache(maxsize=256)
def _text_block(lines: tuple[tuple[str, int, bool], ...], width: int, center: bool) -> Image.Image:
    scratch = ImageDraw.Draw(Image.new("1", (1, 1)))
    rows: list[tuple[str, ImageFont.ImageFont | ImageFont.FreeTypeFont, int]] = []
    for text, size, bold in lines:
        font = fonts.load(size, bold)
        for part in _wrap(scratch, text, font, width - 2 * MARGIN):
            rows.append((part, font, int(size * 1.3)))
    height = sum(h for _, _, h in rows) + 4
    img = Image.new("1", (width, max(height, 1)), 1)
    draw = ImageDraw.Draw(img)
    y = 2
    for text, font, h in rows:
        w = draw.textlength(text, font=font)
        x = (width - w) / 2 if center else MARGIN
        draw.text((x, y), text, font=font, fill=0)
        y += h
    return img


def _fit(text: str, size: int, width: int) -> int:
    """The largest size ≤ `size` at which `text` fits on one line."""
    scratch = ImageDraw.Draw(Image.new("1", (1, 1)))
    while size > 12 and scratch.textlength(text, font=fonts.load(size, True)) > width - 2 * MARGIN:
        size -= 8
    return size


def qr_image(payload: str, scale: int = 6) -> Image.Image:
    """The QR as a 1-bit image (quiet zone of 2 modules), built at one pixel per module and
    scaled up without smoothing."""
    qr = segno.make(payload, error="m", micro=False)
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix_iter(scale=1, border=2)]
    small = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows))
    return small.resize((small.width * scale, small.height * scale), Image.Resampling.NEAREST).convert("1")


def _inverted(text: str, width: int) -> Image.Image:
    block = text_block([(text, 36, True)], width)
    return ImageOps.invert(block.convert("L")).convert("1")


def _body_parts(t: TicketLayout, width: int) -> list[Image.Image]:
    head = [(t.header, 24, True)] if t.header else []
    parts = [text_block(head + [(t.title, 28, False)], width),
             text_block([(t.number, _fit(t.number, 112, width), True)], width)]
    if t.priority_label:
        parts.append(_inverted(t.priority_label, width))
    if t.lines:
        parts.append(text_block([(line, 28, False) for line in t.lines], width))
    return parts


def _stack(parts: list[Image.Image], width: int, pad: int = 0) -> Image.Image:
    out = Image.new("1", (width, sum(p.height for p in parts) + 2 * pad), 1)
    y = pad
    for p in parts:
        out.paste(p, (0, y))
        y += p.height
    return out


def text_block_for(t: TicketLayout, width: int = WIDTH) -> Image.Image:
    """Header, number, priority mark and lines as one image: the ESC/POS body when the
    printer's code page has no Vietnamese letters."""
    return _stack(_body_parts(t, width), width)


def ticket_image(t: TicketLayout, width: int = WIDTH, with_qr: bool = True) -> Image.Image:
    """The whole ticket as one 1-bit image (white background, black ink)."""
    parts = _body_parts(t, width)
    if with_qr and t.qr:
        q = qr_image(t.qr)
        pad = Image.new("1", (width, q.height + 8), 1)
        pad.paste(q, ((width - q.width) // 2, 4))
        parts.append(pad)
    if t.footer:
        parts.append(text_block([(t.footer, 20, False)], width))
    return _stack(parts, width, pad=12)


def _private(path: Path):
    """A new file readable by its owner only (tickets carry the patient's number and room)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def save_png(t: TicketLayout, path: Path, width: int = WIDTH) -> Path:
    """Into an existing directory (the caller decides where directories may be made)."""
    path = Path(path)
    with _private(path) as fh:
        ticket_image(t, width).save(fh, format="PNG", compress_level=1)
    return path


def save_pdf(t: TicketLayout, path: Path, width: int = WIDTH) -> Path:
    """A one-page PDF at 203 dpi, so 576 dots print 72 mm wide."""
    path = Path(path)
    with _private(path) as fh:
        ticket_image(t, width).convert("L").save(fh, format="PDF", resolution=203.0)
    return path
