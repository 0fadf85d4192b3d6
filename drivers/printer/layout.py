"""What a printed ticket says, independent of how it is printed, and the printer's typed failures."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TicketLayout:
    """Plain texts in print order. No personal data: a ticket names a number and a room."""
    number: str                          # "A1-023", printed very large
    header: str = ""                     # facility name
    title: str = "SỐ THỨ TỰ"             # above the number
    lines: tuple[str, ...] = ()          # service, room, "Mời ông/bà đến phòng ...", wait
    qr: str = ""                         # QR payload; empty: no QR
    footer: str = ""                     # issue time, kiosk
    priority_label: str = ""             # "ƯU TIÊN" on priority tickets, shown inverted
    name: str = field(default="", compare=False)   # file stem for renderers ("20261120-A1-023")


class PrinterError(Exception):
    """The printer did not print. `kind` is one of KINDS; messages carry no personal data."""
    kind = "error"

    def __init__(self, detail: str = ""):
        super().__init__(f"{self.kind}: {detail}" if detail else self.kind)
        self.detail = detail


class PaperOut(PrinterError):
    kind = "paper_out"


class CoverOpen(PrinterError):
    kind = "cover_open"


class PrinterOffline(PrinterError):
    kind = "offline"


KINDS = ("paper_out", "cover_open", "offline", "error")


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper: int            # 2 adequate, 1 near end, 0 out (python-escpos' paper_status())
    cover_open: bool = False
    known: bool = True    # False: the transport cannot read status (file backend, one-way serial)

    def raise_if_unusable(self) -> None:
        if not self.known:
            return
        if self.cover_open:
            raise CoverOpen()
        if self.paper == 0:
            raise PaperOut()
        if not self.online:
            raise PrinterOffline()
