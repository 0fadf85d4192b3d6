"""ESC/POS output checked as exact bytes (python-escpos Dummy), and the status paths."""
from __future__ import annotations

import pytest
from PIL import Image

from drivers.printer import render
from drivers.printer.escpos import EscposTicketPrinter, open_backend
from drivers.printer.layout import CoverOpen, PaperOut, PrinterError, PrinterOffline, TicketLayout
from drivers.printer.vn_text import encode_cp1258
from printer_helpers import COVER_OPEN, OFFLINE, PAPER_LOW, PAPER_OUT, TICKET, StatusDummy

STATUS = b"\x10\x04\x01" + b"\x10\x04\x04" + b"\x10\x04\x02"   # online, paper, cover


def qr_bytes(payload: bytes, size: int = 8) -> bytes:
    n = len(payload) + 3
    return (b"\x1d(k\x04\x001A2\x00" + b"\x1d(k\x03\x001C" + bytes((size,)) + b"\x1d(k\x03\x001E0"
            + b"\x1d(k" + bytes((n & 0xFF, n >> 8)) + b"1P0" + payload + b"\x1d(k\x03\x001Q0")


def test_text_mode_ticket_exact_bytes():
    d = StatusDummy()
    EscposTicketPrinter(lambda: d, vietnamese_text=True).print_ticket(TICKET)
    expected = (
        STATUS
        + b"\x1b@"                                   # ESC @ init
        + b"\x1bt\x34" + b"\x1ba\x01"                # ESC t 52 (CP1258 on TM-T20II), centre
        + b"\x1bE\x01" + b"B\xea\xf2nh vi\xea\xf2n \xd0a khoa\n" + b"\x1bE\x00"
        + b"S\xd4\xec TH\xdd\xec T\xdd\xf2\n"        # SỐ THỨ TỰ in CP1258 (base + combining tone)
        + b"\x1d!\x33" + b"\x1bE\x01A1-023\n\x1bE\x00" + b"\x1d!\x00"   # 4x4 bold number
        + b"Kh\xe1m N\xf4\xf2i t\xf4\xd2ng qu\xe1t\n"
        + b"M\xf5\xcci \xf4ng/b\xe0 \xf0\xea\xecn pho\xccng 101\n"
        + b"\x1ba\x01" + qr_bytes(TICKET.qr.encode())
        + b"\n20/11/2026 08:30\n"
        + b"\x1ba\x00" + b"\x1bd\x06\x1dV\x00"       # feed 6, full cut
        + STATUS)
    assert d.output == expected


def test_cp1258_round_trips_vietnamese():
    text = "Mời ông/bà đến phòng 101 — ƯU TIÊN, người cao tuổi, Khám Răng Hàm Mặt"
    import unicodedata
    assert unicodedata.normalize("NFC", encode_cp1258(text).decode("cp1258")) == text
    assert b"?" not in encode_cp1258(text)


def _raster(data: bytes, at: int) -> tuple[Image.Image, int]:
    """Decode a GS v 0 raster image starting at `at`; return it and the offset after it."""
    assert data[at:at + 4] == b"\x1dv0\x00"
    wb = data[at + 4] | data[at + 5] << 8
    h = data[at + 6] | data[at + 7] << 8
    body = data[at + 8:at + 8 + wb * h]
    img = Image.frombytes("1", (wb * 8, h), bytes(b ^ 0xFF for b in body))   # 1 = black on the printer
    return img, at + 8 + wb * h


def test_image_mode_sends_the_rendered_vietnamese_text():
    d = StatusDummy()
    EscposTicketPrinter(lambda: d).print_ticket(TICKET)
    out = d.output
    assert out.startswith(STATUS + b"\x1b@") and out.endswith(b"\x1bd\x06\x1dV\x00" + STATUS)
    body, end = _raster(out, len(STATUS) + 2)
    want = render.text_block_for(TICKET, 576)
    assert body.size == want.size and body.tobytes() == want.tobytes()
    # then centre, the printer's own QR, the footer as a second raster
    assert out[end:end + 3] == b"\x1ba\x01"
    q = qr_bytes(TICKET.qr.encode())
    assert out[end + 3:end + 3 + len(q)] == q
    footer, _ = _raster(out, end + 3 + len(q) + 1)
    assert footer.tobytes() == render.text_block([(TICKET.footer, 20, False)], 576).tobytes()
    # no code-page text at all: nothing of the Vietnamese text travels as bytes
    assert encode_cp1258("Khám") not in out


def test_image_qr_when_the_printer_has_no_native_qr():
    d = StatusDummy()
    EscposTicketPrinter(lambda: d, native_qr=False).print_ticket(TICKET)
    assert b"\x1d(k" not in d.output
    assert d.output.count(b"\x1dv0") == 3          # body, QR picture, footer


def test_printer_without_a_vietnamese_code_page_falls_back_to_an_image():
    d = StatusDummy(profile="TM-T88IV")            # this profile lists no CP1258
    EscposTicketPrinter(lambda: d, vietnamese_text=True).print_ticket(TICKET)
    assert b"\x1bt" not in d.output and b"\x1dv0" in d.output


@pytest.mark.parametrize("kw,exc", [({"paper": PAPER_OUT}, PaperOut), ({"cover": COVER_OPEN}, CoverOpen),
                                    ({"online": OFFLINE}, PrinterOffline)])
def test_status_before_stops_the_ticket(kw, exc):
    d = StatusDummy(**kw)
    with pytest.raises(exc):
        EscposTicketPrinter(lambda: d).print_ticket(TICKET)
    assert d.output == STATUS                       # nothing printed


def test_paper_running_out_during_the_ticket_is_a_failure():
    d = StatusDummy(after={4: PAPER_OUT})
    with pytest.raises(PaperOut):
        EscposTicketPrinter(lambda: d).print_ticket(TICKET)
    assert d.queries == 6


def test_low_paper_still_prints():
    d = StatusDummy(paper=PAPER_LOW)
    EscposTicketPrinter(lambda: d).print_ticket(TICKET)
    assert b"\x1dV\x00" in d.output


def test_unreachable_and_broken_devices_are_typed():
    def refuse():
        raise OSError("no such device")
    with pytest.raises(PrinterOffline):
        EscposTicketPrinter(refuse).print_ticket(TICKET)

    class Broken(StatusDummy):
        def _raw(self, msg):
            if len(msg) > 64:
                raise OSError("write failed")
            super()._raw(msg)
    with pytest.raises(PrinterOffline):
        EscposTicketPrinter(lambda: Broken()).print_ticket(TICKET)


def test_file_backend_writes_the_ticket(tmp_path):
    path = tmp_path / "lp0"
    EscposTicketPrinter.from_spec(f"file:{path}", vietnamese_text=True).print_ticket(
        TicketLayout(number="B1-001", title="SỐ", lines=("Phòng 105",)))
    data = path.read_bytes()
    assert data.startswith(b"\x10\x04\x01\x1b@\x1bt\x34")
    assert b"B1-001\n" in data and data.endswith(b"\x1dV\x00\x10\x04\x01")


def test_backend_specs():
    from escpos.printer import File, Network, Serial
    assert isinstance(open_backend("network:10.0.0.5:9101"), Network)
    n = open_backend("network:10.0.0.5")
    assert (n.host, n.port) == ("10.0.0.5", 9100)
    s = open_backend("serial:/dev/ttyUSB1:19200")
    assert isinstance(s, Serial) and s.baudrate == 19200
    assert isinstance(open_backend("file"), File)
    with pytest.raises(ValueError):
        open_backend("bluetooth:1")
    with pytest.raises(PrinterError):
        EscposTicketPrinter.from_spec("usb:zz:1").print_ticket(TICKET)


@pytest.mark.parametrize("height", [40, 961, 2000])
def test_fast_raster_equals_python_escpos_image(height):
    from escpos.printer import Dummy

    from drivers.printer.escpos import raster
    img = render.text_block([("Số thứ tự A1-023 · phòng 101", 28, True)] * (height // 36 + 1), 576)
    img = img.crop((0, 0, 570, height))          # width not a multiple of 8: padding bits too
    d = Dummy(profile="TM-T20II")
    d.image(img, impl="bitImageRaster")
    assert raster(img) == d.output
