"""Ticket printers: ESC/POS (python-escpos), the PNG/PDF renderer, and the demo simulator.
No kiosk imports: the kiosk adapts its ticket view to `TicketLayout`."""
from drivers.printer.layout import (  # noqa: F401
    CoverOpen, PaperOut, PrinterError, PrinterOffline, PrinterStatus, TicketLayout,
)
