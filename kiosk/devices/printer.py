"""TicketPrinter on the printer drivers: the ticket view becomes a TicketLayout, the drivers'
failures become PrinterFault kinds. Chosen by the `printer` setting."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.printer.layout import PrinterError, TicketLayout
from kiosk.core import priority as prio
from kiosk.core.ports import PrinterFault
from kiosk.core.views import PrinterFaultKind, TicketView

_FAULTS = {"paper_out": PrinterFaultKind.PAPER_OUT, "cover_open": PrinterFaultKind.COVER_OPEN,
           "offline": PrinterFaultKind.OFFLINE}


def layout_of(t: TicketView, facility_name: str = "", kiosk_id: str = "") -> TicketLayout:
    """What the paper says (Vietnamese; numbers and rooms read the same in any language)."""
    lines = [t.service_name_vi, f"Mời ông/bà đến phòng {t.room}"]
    if t.expected_wait_minutes is not None:
        lines.append(f"Thời gian chờ dự kiến: khoảng {t.expected_wait_minutes} phút")
    if t.provisional:
        lines.append("Thẻ BHYT sẽ được kiểm tra lại tại quầy")
    label = ""
    if t.priority is not None:
        label = "ƯU TIÊN · " + prio.LABELS[t.priority][0]
    day, _, hm = t.issued_at_local.partition(" ")
    y, m, d = (day.split("-") + ["", "", ""])[:3]
    footer = f"{d}/{m}/{y} {hm}" + (f" · Máy {kiosk_id}" if kiosk_id else "")
    return TicketLayout(number=t.number, header=facility_name, title="SỐ THỨ TỰ", lines=tuple(lines),
                        qr=t.qr_payload, footer=footer, priority_label=label,
                        name=f"{day.replace('-', '')}-{t.number}")


class DriverTicketPrinter:
    """`TicketPrinter` over any driver with `print_ticket(TicketLayout)` (ESC/POS, simulator)."""

    def __init__(self, driver: Any, kiosk_id: str = ""):
        self.driver = driver
        self.kiosk_id = kiosk_id

    def print_ticket(self, ticket: TicketView, facility_name: str = "") -> None:
        try:
            self.driver.print_ticket(layout_of(ticket, facility_name, self.kiosk_id))
        except PrinterError as exc:
            raise PrinterFault(_FAULTS.get(exc.kind, PrinterFaultKind.ERROR), exc.detail) from None


def driver_from_config(cfg: Any):
    """`sim` → the demo printer (PNG under <data_dir>/tickets, faults injectable); `png`/`pdf` →
    the fallback renderer into the same folder; anything else → ESC/POS (usb:, serial:, network:, file)."""
    spec = cfg.printer.strip()
    if spec in ("sim", "png", "pdf"):
        from drivers.printer.sim import SimPrinter
        return SimPrinter(Path(cfg.data_dir) / "tickets", pdf=spec == "pdf")
    from drivers.printer.escpos import EscposTicketPrinter
    return EscposTicketPrinter.from_spec(spec, cfg.printer_profile,
                                         vietnamese_text=cfg.printer_codepage_has_vietnamese,
                                         native_qr=cfg.printer_native_qr)


def printer_from_config(cfg: Any) -> DriverTicketPrinter:
    return DriverTicketPrinter(driver_from_config(cfg), cfg.kiosk_id)
