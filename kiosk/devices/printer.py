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


def _wait_line(minutes: int | None, en: bool) -> str | None:
    """The same words as the ticket screen: "under 1 minute", never "about 0 minutes"."""
    if minutes is None:
        return None
    if minutes <= 1:
        return "Expected wait: under 1 minute" if en else "Thời gian chờ dự kiến: dưới 1 phút"
    return f"Expected wait: about {minutes} minutes" if en else f"Thời gian chờ dự kiến: khoảng {minutes} phút"


def layout_of(t: TicketView, facility_name: str = "", kiosk_id: str = "") -> TicketLayout:
    """What the paper says, in the language the patient used on the screen (issue 14 minor 4)."""
    en = getattr(t, "language", "vi") == "en"
    lines = [t.service_name_en if en else t.service_name_vi,
             f"Please go to room {t.room}" if en else f"Mời ông/bà đến phòng {t.room}"]
    wait = _wait_line(t.expected_wait_minutes, en)
    if wait:
        lines.append(wait)
    if getattr(t, "fee_paying", False):
        lines.append("Fee-paying visit: pay at the reception desk first" if en
                     else "Khám dịch vụ: đóng phí tại quầy tiếp đón trước")
    elif getattr(t, "identity_check", False):
        lines.append("Bring your ID or insurance card to the desk to confirm your details" if en
                     else "Mang CCCD/thẻ BHYT đến quầy tiếp đón xác nhận thông tin")
    elif getattr(t, "desk_check", False):
        lines.append("Please have your insurance card checked at the desk first" if en
                     else "Mời qua quầy tiếp đón kiểm tra thẻ BHYT trước")
    elif t.provisional:
        lines.append("Your insurance card will be checked again automatically" if en
                     else "Thẻ BHYT sẽ được tự động kiểm tra lại")
    if getattr(t, "child", False):
        lines.append("Child under 6: the guardian gives their name at the examination" if en
                     else "Trẻ dưới 6 tuổi: người giám hộ cho biết họ tên khi khám")
    label = ""
    if t.priority is not None:
        label = ("PRIORITY · " if en else "ƯU TIÊN · ") + prio.LABELS[t.priority][1 if en else 0]
    day, _, hm = t.issued_at_local.partition(" ")
    y, m, d = (day.split("-") + ["", "", ""])[:3]
    footer = f"{d}/{m}/{y} {hm}" + (f" · Máy {kiosk_id}" if kiosk_id else "")
    return TicketLayout(number=t.number, header=facility_name, title="QUEUE NUMBER" if en else "SỐ THỨ TỰ",
                        lines=tuple(lines),
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
