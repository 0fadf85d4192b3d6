"""A pyusb backend (`usb.backend.IBackend`) with virtual devices, for tests and the demo.

A `FakeHidPosDevice` replays recorded input reports; it can be unplugged (reads fail with ENODEV,
it leaves the enumeration) and plugged back in. Only what pyusb needs for a HID interface with one
interrupt IN endpoint is implemented.
"""
from __future__ import annotations

import errno
import queue
import threading
from dataclasses import dataclass, field

import usb.backend
import usb.core


@dataclass
class _Desc:
    """A descriptor: pyusb reads fields as attributes."""
    fields: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(name) from None


# A minimal HID POS report descriptor: Usage Page 0x8C, Usage 0x02 (Bar Code Scanner),
# Collection (Application), Report ID 2, 63 bytes input, End Collection.
POS_REPORT_DESCRIPTOR = bytes([0x06, 0x8C, 0x00, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00,
                               0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x3F, 0x09, 0x12, 0x81, 0x02,
                               0xC0])
KEYBOARD_REPORT_DESCRIPTOR = bytes([0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0xC0])


@dataclass
class FakeHidPosDevice:
    vid: int = 0x0C2E
    pid: int = 0x0B87
    report_descriptor: bytes = POS_REPORT_DESCRIPTOR
    bus: int = 1
    address: int = 5
    plugged: bool = True
    reports: "queue.Queue[bytes]" = field(default_factory=queue.Queue)
    claimed: bool = False
    kernel_driver: bool = True
    control_log: list = field(default_factory=list)

    def send(self, *reports: bytes) -> None:
        for r in reports:
            self.reports.put(bytes(r))

    def unplug(self) -> None:
        self.plugged = False
        self.claimed = False

    def plug(self) -> None:
        self.reports = queue.Queue()
        self.kernel_driver = True
        self.plugged = True


class FakeUsbBackend(usb.backend.IBackend):
    def __init__(self, devices: list[FakeHidPosDevice]):
        self.devices = devices
        self._lock = threading.Lock()

    # -- enumeration and descriptors
    def enumerate_devices(self):
        return [d for d in self.devices if d.plugged]

    def get_parent(self, dev):
        return None

    def get_device_descriptor(self, dev):
        return _Desc(dict(bLength=18, bDescriptorType=1, bcdUSB=0x0200, bDeviceClass=0,
                          bDeviceSubClass=0, bDeviceProtocol=0, bMaxPacketSize0=64,
                          idVendor=dev.vid, idProduct=dev.pid, bcdDevice=0x0100,
                          iManufacturer=0, iProduct=0, iSerialNumber=0, bNumConfigurations=1,
                          address=dev.address, bus=dev.bus, port_number=1, port_numbers=(1,),
                          speed=2))

    def get_configuration_descriptor(self, dev, config):
        if config != 0:
            raise IndexError(config)
        return _Desc(dict(bLength=9, bDescriptorType=2, wTotalLength=34, bNumInterfaces=1,
                          bConfigurationValue=1, iConfiguration=0, bmAttributes=0x80,
                          bMaxPower=50, extra_descriptors=[]))

    def get_interface_descriptor(self, dev, intf, alt, config):
        if (intf, alt, config) != (0, 0, 0):
            raise IndexError(intf)
        n = len(dev.report_descriptor)
        hid = [9, 0x21, 0x11, 0x01, 0, 1, 0x22, n & 0xFF, n >> 8]
        return _Desc(dict(bLength=9, bDescriptorType=4, bInterfaceNumber=0, bAlternateSetting=0,
                          bNumEndpoints=1, bInterfaceClass=3, bInterfaceSubClass=0,
                          bInterfaceProtocol=0, iInterface=0, extra_descriptors=hid))

    def get_endpoint_descriptor(self, dev, ep, intf, alt, config):
        if ep != 0:
            raise IndexError(ep)
        return _Desc(dict(bLength=7, bDescriptorType=5, bEndpointAddress=0x81, bmAttributes=0x03,
                          wMaxPacketSize=64, bInterval=1, bRefresh=0, bSynchAddress=0,
                          extra_descriptors=[]))

    # -- handles
    def _check(self, dev):
        if not dev.plugged:
            raise usb.core.USBError("No such device (it may have been disconnected)", -4,
                                    errno.ENODEV)

    def open_device(self, dev):
        self._check(dev)
        return dev

    def close_device(self, dev_handle):
        pass

    def set_configuration(self, dev_handle, config_value):
        self._check(dev_handle)

    def get_configuration(self, dev_handle):
        self._check(dev_handle)
        return 1

    def set_interface_altsetting(self, dev_handle, intf, altsetting):
        self._check(dev_handle)

    def claim_interface(self, dev_handle, intf):
        self._check(dev_handle)
        if dev_handle.kernel_driver:
            raise usb.core.USBError("Resource busy", -6, errno.EBUSY)
        dev_handle.claimed = True

    def release_interface(self, dev_handle, intf):
        dev_handle.claimed = False

    def is_kernel_driver_active(self, dev_handle, intf):
        self._check(dev_handle)
        return dev_handle.kernel_driver

    def detach_kernel_driver(self, dev_handle, intf):
        dev_handle.kernel_driver = False

    def attach_kernel_driver(self, dev_handle, intf):
        dev_handle.kernel_driver = True

    def ctrl_transfer(self, dev_handle, bmRequestType, bRequest, wValue, wIndex, data, timeout):
        self._check(dev_handle)
        dev_handle.control_log.append((bmRequestType, bRequest, wValue, wIndex))
        if bmRequestType == 0x81 and bRequest == 0x06 and wValue >> 8 == 0x22:
            desc = dev_handle.report_descriptor[: len(data)]
            data[: len(desc)] = bytearray(desc) if isinstance(data, bytearray) else \
                type(data)(data.typecode, desc)
            return len(desc)
        return len(data) if data is not None and not isinstance(data, int) else 0

    def intr_read(self, dev_handle, ep, intf, buff, timeout):
        self._check(dev_handle)
        if not dev_handle.claimed:
            raise usb.core.USBError("interface not claimed", -6, errno.EBUSY)
        deadline = max(timeout, 1) / 1000.0
        try:
            report = dev_handle.reports.get(timeout=deadline)
        except queue.Empty:
            self._check(dev_handle)
            raise usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT) from None
        if report == b"":          # queued unplug marker: the device went away mid-stream
            dev_handle.unplug()
            self._check(dev_handle)
        n = min(len(report), len(buff))
        buff[:n] = type(buff)(buff.typecode, report[:n])
        return n


UNPLUG = b""   # put into a device's report queue to unplug it exactly at that point
