"""USB HID POS scanners (HID usage page 0x8C) through pyusb.

Report layout assumed (the HID POS "Scanned Data Report" as documented by Access-IS for its
readers and as sent by Honeywell and Zebra scanners in HID POS mode; keep it configurable):

    byte 0      report id (0x02)
    byte 1      number of data bytes in this report (0..56)
    bytes 2-4   AIM symbology identifier, e.g. "]Q1" for a QR code
    bytes 5-60  data, zero padded
    byte 61     vendor symbology id (Honeywell: 's' = QR)
    byte 62     reserved
    byte 63     bit 0 set: more data follows in the next report

A payload longer than 56 bytes (every CCCD QR) spans several reports; they are joined until a
report without the "more" bit. A device that vanishes mid-payload drops the partial payload.

Sources and assumptions: the layout and its two-report example are from the Access-IS reader
manuals; a public WebHID driver for Honeywell/Zebra/Datalogic in HID POS mode reads the same
offsets (AIM id after the length, Honeywell's code id at 61, "more" at 63). That driver takes
one byte fewer than the length says; we take the length as the data byte count, as Access-IS
documents: check a new model with `kiosk scan test --source hidpos:VID:PID` (prints hex).
Other vendors' own HID formats (e.g. Microscan: id 1, length, 62 data bytes) need another
`ReportLayout`.
"""
from __future__ import annotations

import array
import errno
import threading
from dataclasses import dataclass
from pathlib import Path

import usb.core
import usb.util

from drivers.scanner.base import DeviceGone, ScannerError, Sink, ThreadedScanner

POS_USAGE_PAGE = 0x8C
HID_CLASS = 3
GET_DESCRIPTOR = 0x06
REPORT_DESCRIPTOR = 0x22
HONEYWELL_VID = 0x0C2E


@dataclass(frozen=True)
class ReportLayout:
    report_id: int = 0x02
    length_at: int = 1
    aim_at: int = 2
    data_at: int = 5
    data_max: int = 56
    vendor_symbology_at: int = 61
    flags_at: int = 63
    more_bit: int = 0x01


@dataclass(frozen=True)
class PosChunk:
    data: bytes
    aim: str
    more: bool


@dataclass(frozen=True)
class PosPayload:
    data: bytes
    aim: str           # AIM symbology identifier of the first report, e.g. "]Q1"


class ReportError(ScannerError):
    """An input report that is not a scanned-data report (wrong id, bad length)."""


def parse_report(report: bytes, layout: ReportLayout = ReportLayout()) -> PosChunk:
    if not report or report[0] != layout.report_id:
        raise ReportError(f"not a scanned-data report (id {report[0] if report else None})")
    if len(report) <= layout.data_at:
        raise ReportError(f"report too short ({len(report)} bytes)")
    n = report[layout.length_at]
    if n > layout.data_max:
        raise ReportError(f"data length {n} exceeds {layout.data_max}")
    data = report[layout.data_at: layout.data_at + n]
    aim = report[layout.aim_at: layout.aim_at + 3].decode("latin-1").rstrip("\0")
    more = len(report) > layout.flags_at and bool(report[layout.flags_at] & layout.more_bit)
    return PosChunk(bytes(data), aim, more)


class PosReassembler:
    """Joins multi-report payloads. `feed()` returns a payload when the last report arrives."""

    def __init__(self, layout: ReportLayout = ReportLayout(), max_bytes: int = 8192):
        self.layout = layout
        self.max_bytes = max_bytes
        self._parts: list[bytes] = []
        self._aim = ""

    @property
    def partial(self) -> bool:
        return bool(self._parts)

    def feed(self, report: bytes) -> PosPayload | None:
        chunk = parse_report(report, self.layout)
        if not self._parts:
            self._aim = chunk.aim
        self._parts.append(chunk.data)
        if sum(map(len, self._parts)) > self.max_bytes:
            self.reset()
            raise ReportError("payload exceeds the size limit")
        if chunk.more:
            return None
        payload = PosPayload(b"".join(self._parts), self._aim)
        self._parts = []
        return payload

    def reset(self) -> bool:
        """Forget a partial payload; True if there was one."""
        had, self._parts = bool(self._parts), []
        return had


def report_usage_pages(descriptor: bytes) -> set[int]:
    """Usage Page values declared in a HID report descriptor (short items only)."""
    pages, i = set(), 0
    while i < len(descriptor):
        prefix = descriptor[i]
        if prefix == 0xFE:                         # long item: skip
            i += 3 + (descriptor[i + 1] if i + 1 < len(descriptor) else 0)
            continue
        size = (0, 1, 2, 4)[prefix & 0x03]
        if prefix & 0xFC == 0x04:                  # global item, tag 0: Usage Page
            pages.add(int.from_bytes(descriptor[i + 1: i + 1 + size], "little"))
        i += 1 + size
    return pages


def hid_interfaces(dev) -> list:
    cfg = dev.get_active_configuration() if _configured(dev) else dev[0]
    return [intf for intf in cfg if intf.bInterfaceClass == HID_CLASS]


def _configured(dev) -> bool:
    try:
        dev.get_active_configuration()
        return True
    except usb.core.USBError:
        return False


SYSFS_USB = "/sys/bus/usb/devices"


def is_pos_interface(dev, intf, sysfs: str | None = SYSFS_USB) -> bool | None:
    """True/False from the interface's report descriptor; None if it cannot be read."""
    desc = _sysfs_report_descriptor(dev, intf.bInterfaceNumber, sysfs) if sysfs else None
    if desc is None:
        desc = _usb_report_descriptor(dev, intf)
    if desc is None:
        return None
    return POS_USAGE_PAGE in report_usage_pages(desc)


def _sysfs_report_descriptor(dev, num: int, root: str) -> bytes | None:
    # Linux exposes each bound HID interface's descriptor; reading it needs no claim/detach,
    # so discovery never disturbs keyboards that usbhid owns.
    base = Path(root)
    if not base.is_dir():
        return None
    for d in base.iterdir():
        try:
            if (int((d / "busnum").read_text()) == dev.bus
                    and int((d / "devnum").read_text()) == dev.address):
                for f in d.glob(f"{d.name}:*.{num}/*/report_descriptor"):
                    return f.read_bytes()
        except (OSError, ValueError):
            continue
    return None


def _usb_report_descriptor(dev, intf) -> bytes | None:
    length = 4096
    extra = bytes(getattr(intf, "extra_descriptors", None) or b"")
    if len(extra) >= 9 and extra[1] == 0x21:       # HID descriptor: wDescriptorLength at 7
        length = int.from_bytes(extra[7:9], "little") or length
    try:
        # Straight to the backend: Device.ctrl_transfer would claim the interface first, which
        # fails (EBUSY) while usbhid is bound and must not be forced during discovery.
        ctx = dev._ctx
        ctx.managed_open()
        buf = array.array("B", bytes(length))
        n = ctx.backend.ctrl_transfer(ctx.handle, 0x81, GET_DESCRIPTOR, REPORT_DESCRIPTOR << 8,
                                      intf.bInterfaceNumber, buf, 500)
        return bytes(buf[:n])
    except (usb.core.USBError, NotImplementedError, AttributeError):
        return None


def find_pos_devices(backend=None, vid: int | None = None, pid: int | None = None) -> list[tuple]:
    """(device, interface) pairs: HID POS interfaces, or for a given VID:PID its HID interfaces."""
    match = {}
    if vid is not None:
        match["idVendor"] = vid
    if pid is not None:
        match["idProduct"] = pid
    found = []
    sysfs = SYSFS_USB if backend is None else None     # sysfs describes only the real bus
    for dev in usb.core.find(find_all=True, backend=backend, **match) or []:
        try:
            intfs = hid_interfaces(dev)
        except usb.core.USBError:
            continue
        pos = [i for i in intfs if is_pos_interface(dev, i, sysfs)]
        if pos:
            found += [(dev, i) for i in pos]
        elif vid is not None and intfs:
            found.append((dev, intfs[0]))          # configured explicitly: trust the VID:PID
    return found


def _gone(exc: usb.core.USBError) -> bool:
    return exc.errno in (errno.ENODEV, errno.EIO, errno.ESHUTDOWN, errno.EPIPE) \
        or getattr(exc, "backend_error_code", None) == -4


class HidPosScanner(ThreadedScanner):
    """Reads a HID POS scanner by VID:PID (or the first HID POS device) on its own thread."""

    def __init__(self, vid: int | None = None, pid: int | None = None, backend=None,
                 layout: ReportLayout = ReportLayout(), sink: Sink | None = None,
                 source: str | None = None, read_timeout_ms: int = 200, **kw):
        src = source or ("hidpos" if vid is None else f"hidpos:{vid:04x}:{pid or 0:04x}")
        super().__init__(src, sink, **kw)
        self.vid, self.pid, self._backend = vid, pid, backend
        self._reasm = PosReassembler(layout)
        self._timeout = read_timeout_ms

    def _session(self, stop: threading.Event) -> None:
        found = find_pos_devices(self._backend, self.vid, self.pid)
        if not found:
            raise DeviceGone(f"{self.source}: no HID POS device")
        dev, intf = found[0]
        num = intf.bInterfaceNumber
        ep = usb.util.find_descriptor(intf, custom_match=lambda e: usb.util.endpoint_direction(
            e.bEndpointAddress) == usb.util.ENDPOINT_IN)
        if ep is None:
            raise ScannerError(f"{self.source}: interface {num} has no IN endpoint")
        try:
            try:
                if dev.is_kernel_driver_active(num):
                    dev.detach_kernel_driver(num)     # usbhid binds it as hidraw otherwise
            except (NotImplementedError, usb.core.USBError):
                pass
            usb.util.claim_interface(dev, num)
            if dev.idVendor == HONEYWELL_VID:
                self._honeywell_pos_mode(dev, num)
            self._connected()
            self._read_loop(dev, ep, stop)
        finally:
            if self._reasm.reset():
                self._dropped()
            try:
                usb.util.dispose_resources(dev)
            except usb.core.USBError:
                pass

    def _read_loop(self, dev, ep, stop: threading.Event) -> None:
        size = max(64, ep.wMaxPacketSize)
        while not stop.is_set():
            try:
                report = bytes(dev.read(ep.bEndpointAddress, size, timeout=self._timeout))
            except usb.core.USBTimeoutError:
                continue
            except usb.core.USBError as exc:
                if _gone(exc):
                    raise DeviceGone(f"{self.source}: device lost") from exc
                raise
            if not report:
                continue
            try:
                payload = self._reasm.feed(report)
            except ReportError:
                self._reasm.reset()
                self._dropped()
                continue
            if payload is not None:
                self._emit(payload.data, payload.aim or None)

    @staticmethod
    def _honeywell_pos_mode(dev, num: int) -> None:
        # Honeywell readers are reported to need feature report 0xFE = 0x01 before they send
        # scanned-data reports (UNCONFIRMED on our models); harmless if ignored.
        try:
            dev.ctrl_transfer(0x21, 0x09, 0x0300 | 0xFE, num, bytes([0xFE, 0x01]), timeout=500)
        except (usb.core.USBError, NotImplementedError):
            pass
