"""What is attached to the kiosk, for the technician's devices page: USB devices (VID:PID and name
via pyusb), PC/SC readers, serial ports, cameras and printers — and the live tests of each (last
scan, read a test card, print a test page, a camera frame).

Discovery functions never raise: a missing libusb, pcscd or permission gives an empty list and a
note. Every probe is injectable so the page can be tested with simulated devices.
"""
from __future__ import annotations

import glob
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger(__name__)

EMRTD_SELECT = bytes.fromhex("00A4040C07A0000002471001")   # SELECT the ICAO eMRTD application


@dataclass(frozen=True)
class FoundDevice:
    kind: str                  # usb, pcsc, serial, camera, printer
    address: str               # VID:PID, reader name, /dev/ttyACM0, camera:0, usb-printer path...
    name: str
    suggested_role: str | None = None   # scanner, reader, printer, camera
    driver_kind: str = ""       # what devices.kind stores: hidpos, serial, pcsc, camera, escpos-usb ...
    assigned_role: str | None = None


@dataclass
class Discovery:
    devices: list[FoundDevice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# USB classes: 0x07 printer, 0x0B smart card, 0x0E video, 0x03 HID
_USB_CLASS_ROLE = {0x07: ("printer", "escpos-usb"), 0x0B: ("reader", "pcsc"), 0x0E: ("camera", "camera"),
                   0x03: ("scanner", "hidpos")}


def _usb_name(dev) -> str:
    import usb.util
    parts = []
    for idx in (getattr(dev, "iManufacturer", 0), getattr(dev, "iProduct", 0)):
        if idx:
            try:
                parts.append(usb.util.get_string(dev, idx))
            except Exception:  # noqa: BLE001 - strings need permission on many systems
                pass
    return " ".join(p for p in parts if p) or "USB device"


def _usb_role(dev) -> tuple[str | None, str]:
    classes = {getattr(dev, "bDeviceClass", 0)}
    try:
        for cfg in dev:
            for intf in cfg:
                classes.add(intf.bInterfaceClass)
    except Exception:  # noqa: BLE001
        pass
    for cls, role in _USB_CLASS_ROLE.items():
        if cls in classes:
            return role
    return None, "usb"


def discover_usb(finder: Callable[[], list] | None = None) -> tuple[list[FoundDevice], list[str]]:
    try:
        if finder is None:
            import usb.core
            devices = list(usb.core.find(find_all=True) or [])
        else:
            devices = finder()
    except Exception as exc:  # noqa: BLE001 - no libusb backend
        return [], [f"USB listing unavailable ({type(exc).__name__})"]
    out = []
    for dev in devices:
        if getattr(dev, "bDeviceClass", 0) == 0x09:
            continue          # hubs
        role, kind = _usb_role(dev)
        out.append(FoundDevice("usb", f"{dev.idVendor:04x}:{dev.idProduct:04x}", _usb_name(dev), role, kind))
    return out, []


def discover_pcsc(lister: Callable[[], list[str]] | None = None) -> tuple[list[FoundDevice], list[str]]:
    try:
        if lister is None:
            from smartcard.System import readers
            names = [str(r) for r in readers()]
        else:
            names = lister()
    except Exception as exc:  # noqa: BLE001 - pcscd not running
        return [], [f"PC/SC unavailable ({type(exc).__name__}): is pcscd running?"]
    return [FoundDevice("pcsc", n, n, "reader", "pcsc") for n in names], []


def discover_serial(lister: Callable[[], list] | None = None) -> tuple[list[FoundDevice], list[str]]:
    try:
        if lister is None:
            from serial.tools import list_ports
            ports = list_ports.comports()
        else:
            ports = lister()
    except Exception as exc:  # noqa: BLE001
        return [], [f"serial listing unavailable ({type(exc).__name__})"]
    out = []
    for p in ports:
        vid, pid = getattr(p, "vid", None), getattr(p, "pid", None)
        if vid is None and not p.device.startswith(("/dev/ttyACM", "/dev/ttyUSB")):
            continue
        ident = f" [{vid:04x}:{pid:04x}]" if vid is not None else ""
        out.append(FoundDevice("serial", p.device, (getattr(p, "description", "") or p.device) + ident, "scanner",
                               "serial"))
    return out, []


def discover_cameras(pattern: str = "/dev/video*") -> tuple[list[FoundDevice], list[str]]:
    out = []
    for node in sorted(glob.glob(pattern)):
        suffix = node.rsplit("video", 1)[-1]
        if suffix.isdigit():
            out.append(FoundDevice("camera", f"camera:{suffix}", node, "camera", "camera"))
    return out, []


def discover_printers(pattern: str = "/dev/usb/lp*") -> tuple[list[FoundDevice], list[str]]:
    out = [FoundDevice("printer", node, f"USB line printer {node}", "printer", "escpos-file")
           for node in sorted(glob.glob(pattern))]
    return out, []


def discover(*, usb_finder=None, pcsc_lister=None, serial_lister=None, camera_pattern: str = "/dev/video*",
             printer_pattern: str = "/dev/usb/lp*", extra: list[FoundDevice] | None = None) -> Discovery:
    d = Discovery()
    for found, notes in (discover_usb(usb_finder), discover_pcsc(pcsc_lister), discover_serial(serial_lister),
                         discover_cameras(camera_pattern), discover_printers(printer_pattern)):
        d.devices += found
        d.notes += notes
    d.devices += extra or []
    return d


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
