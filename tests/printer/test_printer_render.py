"""The PNG/PDF fallback renderer and the demo printer."""
from __future__ import annotations

import re

import pytest
from PIL import Image, ImageChops

from drivers.printer import fonts, render
from drivers.printer.layout import CoverOpen, PaperOut, PrinterOffline, TicketLayout
from drivers.printer.sim import SimPrinter
from printer_helpers import TICKET


def ink(img: Image.Image) -> int:
    """Black pixels of a 1-bit image."""
    return img.convert("L").histogram()[0]


def test_a_vietnamese_font_is_found():
    path = fonts.font_path()
    assert path and path.endswith(".ttf")
    font = fonts.load(28)
    # the glyph of "ệ" is not the glyph of "e": the font really has the marks
    assert font.getmask("ệ").getbbox() != font.getmask("e").getbbox()


def test_png_ticket(tmp_path):
    path = render.save_png(TICKET, tmp_path / "t.png")
    img = Image.open(path)
    assert img.format == "PNG" and img.width == 576 and 500 < img.height < 1200
    assert ink(img) > 5000                                     # not blank
    blank = render.ticket_image(TicketLayout(number="", title="", lines=()))
    assert ink(blank) < 50


def test_vietnamese_text_is_drawn_with_its_marks():
    with_marks = render.text_block([("Mời ông/bà đến phòng", 28, False)])
    without = render.text_block([("Moi ong/ba den phong", 28, False)])
    empty = render.text_block([("", 28, False)])
    assert ink(empty) == 0 and ink(without) > 500
    assert with_marks.size == without.size
    diff = ImageChops.difference(with_marks.convert("L"), without.convert("L"))
    assert diff.getbbox() is not None
    assert ink(with_marks) > ink(without) + 50                  # the tone marks are extra ink


def test_priority_ticket_is_visibly_marked():
    plain = render.ticket_image(TICKET)
    prio = render.ticket_image(TicketLayout(**{**TICKET.__dict__, "priority_label": "ƯU TIÊN"}))
    assert prio.height > plain.height and ink(prio) > ink(plain) + 5000    # the inverted band


def test_long_numbers_shrink_to_fit():
    assert render._fit("A1-U0234", 112, 576) < 112
    assert render._fit("A1-023", 112, 576) == 112


def test_pdf_ticket(tmp_path):
    path = render.save_pdf(TICKET, tmp_path / "t.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box and abs(float(box.group(1)) - 576 / 203 * 72) < 0.5       # 72 mm wide
    assert len(data) > 5000


def test_qr_is_decodable():
    zxingcpp = pytest.importorskip("zxingcpp")
    img = render.qr_image(TICKET.qr)
    found = zxingcpp.read_barcodes(img.convert("L"))
    assert [r.text for r in found] == [TICKET.qr]


def test_sim_printer_writes_pngs_and_injects_faults(tmp_path):
    sim = SimPrinter(tmp_path / "tickets", pdf=True)
    first = sim.print_ticket(TICKET)
    assert first.name == "20261120-A1-023.png" and first.with_suffix(".pdf").exists()
    again = sim.print_ticket(TICKET)
    assert again.name == "20261120-A1-023-2.png"
    sim.fail_next("cover_open")
    with pytest.raises(CoverOpen):
        sim.print_ticket(TICKET)
    sim.print_ticket(TICKET)                                     # one-shot fault is gone
    sim.set_fault("paper_out")
    for _ in range(2):
        with pytest.raises(PaperOut):
            sim.print_ticket(TICKET)
    sim.set_fault("offline")
    with pytest.raises(PrinterOffline):
        sim.print_ticket(TICKET)
    sim.set_fault(None)
    sim.print_ticket(TICKET)
    assert len(sim.printed) == 4 and len(list((tmp_path / "tickets").glob("*.png"))) == 4
    with pytest.raises(ValueError):
        sim.set_fault("on_fire")
