"""The technician's devices page: what is attached (discovery lives in `drivers.discovery`,
re-exported here) and the live tests of each (read a test card, print a test page, a camera frame).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from drivers.discovery import Discovery, FoundDevice, discover

log = logging.getLogger(__name__)

EMRTD_SELECT = bytes.fromhex("00A4040C07A0000002471001")   # SELECT the ICAO eMRTD application

__all__ = ["Discovery", "FoundDevice", "discover", "DeviceTestResult", "pcsc_card_test", "camera_frame",
           "print_test_page"]


# ---------------------------------------------------------------- live tests
@dataclass(frozen=True)
class DeviceTestResult:
    ok: bool
    summary: str                  # one line for the page (no payload content, no personal data)
    detail: Any = None            # e.g. the camera frame (numpy array) or the printed file path


def pcsc_card_test(reader: str, connect: Callable[[str], Any] | None = None) -> DeviceTestResult:
    """Connect to the card on `reader`, SELECT the eMRTD application and report the ATR and status word."""
    try:
        if connect is None:
            from drivers.card.transport import PcscService
            service = PcscService()
            card = service.connect(reader)
        else:
            card = connect(reader)
    except Exception as exc:  # noqa: BLE001 - no card, no reader
        return DeviceTestResult(False, f"no card could be read on {reader} ({type(exc).__name__})")
    try:
        resp = card.transmit(EMRTD_SELECT)
    except Exception as exc:  # noqa: BLE001
        return DeviceTestResult(False, f"the card did not answer ({type(exc).__name__})")
    finally:
        try:
            card.disconnect()
        except Exception:  # noqa: BLE001
            pass
    sw = resp[-2:].hex().upper()
    if sw == "9000":
        return DeviceTestResult(True, "chip card answered: eMRTD application present (SW 9000)")
    return DeviceTestResult(False, f"a card answered but has no eMRTD application (SW {sw})")


def camera_frame(index: int, opener: Callable[[int], Any] | None = None) -> DeviceTestResult:
    """One frame from camera `index` (numpy BGR array in `detail`)."""
    try:
        if opener is None:
            import cv2
            cap = cv2.VideoCapture(index)
        else:
            cap = opener(index)
        ok, frame = cap.read()
        cap.release()
    except Exception as exc:  # noqa: BLE001
        return DeviceTestResult(False, f"camera {index} unavailable ({type(exc).__name__})")
    if not ok or frame is None:
        return DeviceTestResult(False, f"camera {index} gave no frame")
    return DeviceTestResult(True, f"camera {index}: frame {frame.shape[1]}x{frame.shape[0]}", frame)


def print_test_page(driver: Any, facility_name: str, kiosk_id: str, when: str) -> DeviceTestResult:
    from drivers.printer.layout import PrinterError, TicketLayout
    layout = TicketLayout(number="TEST", header=facility_name or "Kiosk", title="TRANG IN THỬ / TEST PAGE",
                          lines=("Máy in hoạt động tốt.", "The printer works.", f"Máy / kiosk {kiosk_id}"),
                          qr="KT1|TEST", footer=when, priority_label="", name=f"test-page-{kiosk_id}")
    try:
        out = driver.print_ticket(layout)
    except PrinterError as exc:
        return DeviceTestResult(False, f"printer: {exc.kind}")
    except Exception as exc:  # noqa: BLE001 - I/O errors of a real printer
        return DeviceTestResult(False, f"printer failed ({type(exc).__name__})")
    return DeviceTestResult(True, "test page printed", out)
