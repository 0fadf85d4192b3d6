"""Tickets on an ESC/POS printer through python-escpos (USB, serial, network or file backend).

The printer's status is read before and after each ticket (DLE EOT 1/2/4): paper out, cover
open and offline become typed PrinterErrors. Vietnamese text goes as CP1258 text when the
printer's code page has it, otherwise as a raster image rendered with a Vietnamese font.
"""
from __future__ import annotations

import logging
from typing import Callable

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from drivers.printer import render
from drivers.printer.layout import PrinterError, PrinterOffline, PrinterStatus, TicketLayout
from drivers.printer.vn_text import encode_cp1258

log = logging.getLogger(__name__)

ESC, GS, DLE, EOT = b"\x1b", b"\x1d", b"\x10", b"\x04"
INIT = ESC + b"@"
STATUS_OFFLINE_CAUSE = DLE + EOT + b"\x02"   # bit 2: cover open
CENTER, LEFT = ESC + b"a\x01", ESC + b"a\x00"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
DEFAULT_PROFILE = "TM-T20II"
DEFAULT_WIDTH = 512


_INVERT = bytes(255 - i for i in range(256))


def raster(img, fragment_height: int = 960) -> bytes:
    """GS v 0 raster commands for a 1-bit Pillow image (black = 1 on the printer), split into
    fragments like python-escpos does. Same bytes as `Escpos.image(impl="bitImageRaster")`
    for a 1-bit image, without its RGBA round trip."""
    img = img if img.mode == "1" else img.convert("1")
    width_bytes = (img.width + 7) >> 3
    out = []
    if img.width != width_bytes * 8:         # pad the last byte of each row with white
        from PIL import Image
        padded = Image.new("1", (width_bytes * 8, img.height), 1)
        padded.paste(img, (0, 0))
        img = padded
    for top in range(0, img.height, fragment_height):
        part = img.crop((0, top, img.width, min(img.height, top + fragment_height)))
        h = part.height
        out.append(GS + b"v0\x00" + bytes((width_bytes & 0xFF, width_bytes >> 8, h & 0xFF, h >> 8))
                   + part.tobytes().translate(_INVERT))
    return b"".join(out)


def _size(w: int, h: int) -> bytes:
    """GS ! n: character width/height multipliers 1..8."""
    return GS + b"!" + bytes((((w - 1) << 4) | (h - 1),))


def open_backend(spec: str, profile: str = DEFAULT_PROFILE) -> Escpos:
    """A python-escpos printer for a `printer` setting: usb:VID:PID, serial:DEV[:BAUD],
    network:HOST[:PORT], file[:PATH]. Opening happens on first use."""
    kind, _, rest = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        from escpos.printer import Usb
        return Usb(int(vid, 16), int(pid, 16), timeout=2000, profile=profile)
    if kind == "serial":
        dev, _, baud = rest.partition(":")
        from escpos.printer import Serial
        return Serial(devfile=dev or "/dev/ttyUSB0", baudrate=int(baud or 9600), timeout=2, profile=profile)
    if kind == "network":
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        from escpos.printer import Network
        return Network(host=host, port=int(port or 9100), timeout=10, profile=profile)
    if kind == "file":
        from escpos.printer import File
        return File(devfile=rest or "/dev/usb/lp0", profile=profile)
    raise ValueError(f"printer: unknown backend {kind!r} (usb:VID:PID, serial:DEV, network:HOST[:PORT], file[:PATH])")


def read_status(p: Escpos) -> PrinterStatus:
    """Online, paper and cover from the printer; `known=False` when the transport cannot read."""
    try:
        online = p.is_online()
        paper = p.paper_status()
        cause = p.query_status(STATUS_OFFLINE_CAUSE)
    except NotImplementedError:
        return PrinterStatus(online=True, paper=2, known=False)
    except (OSError, EscposError) as exc:
        raise PrinterOffline(type(exc).__name__) from None
    cover = bool(cause) and bool(cause[0] & 0x04)
    return PrinterStatus(online=online, paper=paper, cover_open=cover)


def profile_width(p: Escpos) -> int:
    try:
        return int(p.profile.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_WIDTH


def codepage_number(p: Escpos, name: str = "CP1258") -> int | None:
    for num, cp in p.profile.profile_data.get("codePages", {}).items():
        if cp == name:
            return int(num)
    return None


class EscposTicketPrinter:
    """Prints a TicketLayout. `connect` returns a fresh python-escpos printer for each ticket
    (asked for each time, never cached: a printer unplugged and plugged back just works)."""

    def __init__(self, connect: Callable[[], Escpos], *, vietnamese_text: bool = False,
                 native_qr: bool = True, qr_size: int = 8):
        self._connect = connect
        self.vietnamese_text = vietnamese_text
        self.native_qr = native_qr
        self.qr_size = qr_size

    @classmethod
    def from_spec(cls, spec: str, profile: str = DEFAULT_PROFILE, **kw) -> "EscposTicketPrinter":
        return cls(lambda: open_backend(spec, profile), **kw)

    def print_ticket(self, t: TicketLayout) -> None:
        try:
            p = self._connect()
        except (OSError, EscposError, ValueError) as exc:
            raise PrinterOffline(type(exc).__name__) from None
        try:
            read_status(p).raise_if_unusable()
            p._raw(self.commands(p, t))
            read_status(p).raise_if_unusable()   # paper ran out or the cover opened mid-ticket
        except PrinterError:
            raise
        except (OSError, EscposError) as exc:
            raise PrinterOffline(type(exc).__name__) from None
        except Exception as exc:  # a USB/serial library error of another family
            raise PrinterError(type(exc).__name__) from None
        finally:
            try:
                p.close()
            except Exception:  # closing a dead device must not hide the real failure
                log.debug("printer close failed", exc_info=True)

    def commands(self, p: Escpos, t: TicketLayout) -> bytes:
        """The ticket's bytes, built on a python-escpos Dummy with the same profile."""
        from escpos.printer import Dummy
        d = Dummy()
        d.profile = p.profile
        d._raw(INIT)
        codepage = codepage_number(p)
        if self.vietnamese_text and codepage is not None:
            self._text_body(d, t, codepage)
        else:
            width = profile_width(p)
            d._raw(raster(render.text_block_for(t, width)))
        d._raw(CENTER)
        if t.qr:
            if self.native_qr:
                d.qr(t.qr, size=self.qr_size, native=True)
            else:
                d._raw(raster(render.qr_image(t.qr, scale=self.qr_size)))
        if t.footer:
            d._raw(b"\n")
            if self.vietnamese_text and codepage_number(p) is not None:
                d._raw(encode_cp1258(t.footer) + b"\n")
            else:
                d._raw(raster(render.text_block([(t.footer, 20, False)], profile_width(p))))
        d._raw(LEFT)
        d.cut()
        return d.output

    @staticmethod
    def _text_body(d, t: TicketLayout, cp: int) -> None:
        d._raw(ESC + b"t" + bytes((cp,)) + CENTER)
        if t.header:
            d._raw(BOLD_ON + encode_cp1258(t.header) + b"\n" + BOLD_OFF)
        d._raw(encode_cp1258(t.title) + b"\n")
        d._raw(_size(4, 4) + BOLD_ON + encode_cp1258(t.number) + b"\n" + BOLD_OFF + _size(1, 1))
        if t.priority_label:
            d._raw(GS + b"B\x01" + _size(2, 2) + encode_cp1258(t.priority_label) + b"\n" + _size(1, 1) + GS + b"B\x00")
        for line in t.lines:
            d._raw(encode_cp1258(line) + b"\n")
