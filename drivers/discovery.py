"""What is attached to the machine: USB devices (all of them, or the HID POS scanners), PC/SC
readers, serial ports, cameras and line printers. One home for discovery: the device manager's
hot-plug, `kiosk scan list` and the technician's devices page all use these functions.

Discovery never raises: a missing libusb, pcscd or permission gives an empty list and a note.
Every probe is injectable so callers can be tested with simulated devices.
"""
from __future__ import annotations

import glob
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

SERIAL_NODES = ("/dev/ttyACM", "/dev/ttyUSB")   # USB serial adapters and CDC-ACM scanners


@dataclass(frozen=True)
class FoundDevice:
    kind: str                  # usb, hidpos, pcsc, serial, camera, printer
    address: str               # VID:PID, reader name, /dev/ttyACM0, camera:0, /dev/usb/lp0 ...
    name: str = ""             # what a person reads (no payloads, no personal data)
    suggested_role: str | None = None   # scanner, reader, printer, camera
    driver_kind: str = ""      # what the devices table stores: hidpos, serial, pcsc, camera, escpos-usb ...
    assigned_role: str | None = None
    spec: str = ""             # the `scanners` setting entry that uses it (scanners only)
    vid: int | None = None
    pid: int | None = None

    @property
    def description(self) -> str:
        return self.name


@dataclass
class Discovery:
    devices: list[FoundDevice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Found = tuple[list[FoundDevice], list[str]]

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


def discover_usb(finder: Callable[[], list] | None = None) -> Found:
    """Every USB device but hubs, with the role its class suggests."""
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
        spec = f"hidpos:{dev.idVendor:04x}:{dev.idProduct:04x}" if kind == "hidpos" else ""
        out.append(FoundDevice("usb", f"{dev.idVendor:04x}:{dev.idProduct:04x}", _usb_name(dev), role, kind,
                               spec=spec, vid=dev.idVendor, pid=dev.idProduct))
    return out, []


def discover_hidpos(backend: Any = None) -> Found:
    """USB scanners that speak HID POS (usage page 0x8C), ready for a `hidpos:VID:PID` spec."""
    try:
        from drivers.scanner.hidpos import find_pos_devices
        found = find_pos_devices(backend)
    except Exception as exc:  # noqa: BLE001 - no libusb, no permission: nothing to offer
        log.debug("USB discovery unavailable: %s", type(exc).__name__)
        return [], [f"USB listing unavailable ({type(exc).__name__})"]
    return [FoundDevice("hidpos", f"{d.idVendor:04x}:{d.idProduct:04x}", f"HID POS on bus {d.bus} address {d.address}",
                        "scanner", "hidpos", spec=f"hidpos:{d.idVendor:04x}:{d.idProduct:04x}",
                        vid=d.idVendor, pid=d.idProduct)
            for d, _ in found], []


def discover_pcsc(lister: Callable[[], list[str]] | None = None) -> Found:
    try:
        if lister is None:
            from smartcard.System import readers
            names = [str(r) for r in readers()]
        else:
            names = lister()
    except Exception as exc:  # noqa: BLE001 - pcscd not running
        return [], [f"PC/SC unavailable ({type(exc).__name__}): is pcscd running?"]
    return [FoundDevice("pcsc", n, n, "reader", "pcsc") for n in names], []


def is_scanner_port(port: Any) -> bool:
    """The one serial rule: a port with a USB VID, or a USB serial node (on-board legacy UARTs
    that nothing is plugged into are skipped)."""
    return getattr(port, "vid", None) is not None or str(getattr(port, "device", "")).startswith(SERIAL_NODES)


def discover_serial(lister: Callable[[], Iterable] | None = None) -> Found:
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
        if not is_scanner_port(p):
            continue
        vid, pid = getattr(p, "vid", None), getattr(p, "pid", None)
        ident = f" [{vid:04x}:{pid or 0:04x}]" if vid is not None else ""
        out.append(FoundDevice("serial", p.device, (getattr(p, "description", "") or p.device) + ident, "scanner",
                               "serial", spec=f"serial:{p.device}", vid=vid, pid=pid))
    return out, []


def discover_cameras(pattern: str = "/dev/video*") -> Found:
    # Listing device nodes is instant; opening each camera to probe it is not (and grabs it).
    out = []
    for node in sorted(glob.glob(pattern)):
        suffix = node.rsplit("video", 1)[-1]
        if suffix.isdigit():
            out.append(FoundDevice("camera", f"camera:{suffix}", node, "camera", "camera", spec=f"camera:{suffix}"))
    return out, []


def discover_printers(pattern: str = "/dev/usb/lp*") -> Found:
    out = [FoundDevice("printer", node, f"USB line printer {node}", "printer", "escpos-file")
           for node in sorted(glob.glob(pattern))]
    return out, []


def discover(*, usb_finder=None, pcsc_lister=None, serial_lister=None, camera_pattern: str = "/dev/video*",
             printer_pattern: str = "/dev/usb/lp*", extra: list[FoundDevice] | None = None) -> Discovery:
    """Everything attached (the technician's devices page)."""
    d = Discovery()
    for found, notes in (discover_usb(usb_finder), discover_pcsc(pcsc_lister), discover_serial(serial_lister),
                         discover_cameras(camera_pattern), discover_printers(printer_pattern)):
        d.devices += found
        d.notes += notes
    d.devices += extra or []
    return d


SCANNER_KINDS = ("hidpos", "serial", "camera")


def discover_scanners(usb_backend: Any = None, serial_lister: Callable[[], Iterable] | None = None,
                      camera_pattern: str = "/dev/video*", kinds: Iterable[str] = SCANNER_KINDS
                      ) -> list[FoundDevice]:
    """Scanner candidates, each with its `spec` (the device manager's hot-plug, `kiosk scan list`);
    `kinds` limits the look to the kinds the kiosk uses."""
    wanted = set(kinds)
    out: list[FoundDevice] = []
    if "hidpos" in wanted:
        out += discover_hidpos(usb_backend)[0]
    if "serial" in wanted:
        out += discover_serial(serial_lister)[0]
    if "camera" in wanted:
        out += discover_cameras(camera_pattern)[0]
    return out
