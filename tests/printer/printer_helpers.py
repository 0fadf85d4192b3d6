"""A python-escpos Dummy that answers status queries like a real printer (a replayed transcript)."""
from __future__ import annotations

from escpos.printer import Dummy

from drivers.printer.layout import TicketLayout

# DLE EOT n replies of an Epson-compatible printer
ONLINE, OFFLINE = b"\x16", b"\x1e"            # n=1: bit 3 set = offline
PAPER_OK, PAPER_LOW, PAPER_OUT = b"\x12", b"\x1e", b"\x72"   # n=4
COVER_SHUT, COVER_OPEN = b"\x12", b"\x16"     # n=2: bit 2 set = cover open


class StatusDummy(Dummy):
    """Records bytes; answers DLE EOT 1/2/4 from `replies`, which tests change between calls."""

    def __init__(self, *, online=ONLINE, paper=PAPER_OK, cover=COVER_SHUT, after=None, **kw):
        super().__init__(profile=kw.pop("profile", "TM-T20II"), **kw)
        self.replies = {1: online, 2: cover, 4: paper}
        self.after = after            # replies to switch to once the ticket body was sent
        self._last = 0
        self.queries = 0

    def _raw(self, msg: bytes) -> None:
        if msg[:2] == b"\x10\x04" and len(msg) == 3:
            self._last = msg[2]
            self.queries += 1
        elif len(msg) > 64 and self.after:
            self.replies = {**self.replies, **self.after}
        super()._raw(msg)

    def _read(self) -> bytes:
        return self.replies[self._last]


TICKET = TicketLayout(
    number="A1-023", header="Bệnh viện Đa khoa", title="SỐ THỨ TỰ",
    lines=("Khám Nội tổng quát", "Mời ông/bà đến phòng 101"),
    qr="KT1|79001|2026-11-20|A1-023|790011-261120083000-0023", footer="20/11/2026 08:30", name="20261120-A1-023")
