"""HID POS through pyusb with a fake backend replaying report transcripts."""
import pytest

from drivers.scanner.fakeusb import KEYBOARD_REPORT_DESCRIPTOR, UNPLUG, FakeHidPosDevice, FakeUsbBackend
from drivers.scanner.hidpos import (HidPosScanner, PosReassembler, ReportError, find_pos_devices,
                                    parse_report, report_usage_pages)
from drivers.scanner.base import ScannerState

from scanner_helpers import get_read, wait_for

# Transcript in the documented layout (Access-IS product manual, "HID reports - barcode only"):
# a 60-byte boarding-pass barcode split over two 64-byte reports; the first has length 0x38 (56)
# and the "more" bit in byte 63, the second carries the last 4 bytes.
BCBP = b"M1GATHERGOOD/MICHAEL YABCDEF LHRDURAK 3542 052Y003D23  0001"
BCBP = BCBP + b" " * (60 - len(BCBP))
REPORT_1 = bytes.fromhex("02385d5130") + BCBP[:56] + bytes.fromhex("730001")
REPORT_2 = bytes.fromhex("02045d5130") + BCBP[56:] + bytes(52) + bytes.fromhex("730000")

CCCD = ("001095012345|123456789|Nguyễn Văn An|01011995|Nam|Số 12, đường Lê Lợi, "
        "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|01012021").encode()


def reports(payload: bytes, aim=b"]Q1", vendor=b"s"):
    chunks = [payload[i:i + 56] for i in range(0, len(payload), 56)] or [b""]
    out = []
    for i, c in enumerate(chunks):
        more = i < len(chunks) - 1
        out.append(bytes([0x02, len(c)]) + aim + c + bytes(56 - len(c)) + vendor + b"\0" + bytes([more]))
    return out


def test_known_report_layout():
    assert len(REPORT_1) == len(REPORT_2) == 64
    a = parse_report(REPORT_1)
    assert (a.aim, a.more, len(a.data)) == ("]Q0", True, 56)
    r = PosReassembler()
    assert r.feed(REPORT_1) is None and r.partial
    payload = r.feed(REPORT_2)
    assert payload.data == BCBP and payload.aim == "]Q0" and not r.partial


def test_bad_reports_are_rejected():
    with pytest.raises(ReportError):
        parse_report(b"\x01" + bytes(63))
    with pytest.raises(ReportError):
        parse_report(bytes([2, 57]) + bytes(62))


def test_report_descriptor_usage_pages():
    from drivers.scanner.fakeusb import POS_REPORT_DESCRIPTOR
    assert report_usage_pages(POS_REPORT_DESCRIPTOR) == {0x8C}
    assert report_usage_pages(KEYBOARD_REPORT_DESCRIPTOR) == {0x01, 0x07}


def test_discovery_finds_only_the_pos_device():
    kbd = FakeHidPosDevice(vid=0x046D, pid=0xC31C, report_descriptor=KEYBOARD_REPORT_DESCRIPTOR, address=3)
    pos = FakeHidPosDevice(address=7)
    found = find_pos_devices(FakeUsbBackend([kbd, pos]))
    assert [(d.idVendor, d.idProduct) for d, _ in found] == [(0x0C2E, 0x0B87)]


def test_multi_report_payload_disconnect_midway_and_reappear(fast_backoff):
    dev = FakeHidPosDevice()
    sc = HidPosScanner(0x0C2E, 0x0B87, backend=FakeUsbBackend([dev]), backoff=fast_backoff)
    sc.start()
    try:
        assert wait_for(lambda: sc.status().connected)
        assert not dev.kernel_driver and dev.claimed          # detached usbhid, claimed
        multi = reports(CCCD)
        assert len(multi) == 3
        dev.send(*multi)
        r = get_read(sc)
        assert r.data == CCCD and r.decoder == "]Q1" and r.source == "hidpos:0c2e:0b87"

        dev.send(multi[0], UNPLUG)                              # pulled out mid-payload
        assert wait_for(lambda: sc.status().state is ScannerState.ERROR)
        assert sc.status().dropped == 1
        dev.plug()
        assert wait_for(lambda: sc.status().connected)
        dev.send(*reports(b"DN4010123456789", aim=b"]C0"))
        r = get_read(sc)
        assert r.data == b"DN4010123456789"                     # no leftover of the partial one
        assert sc.reads.empty()
        assert sc.status().reconnects >= 1
    finally:
        sc.stop()


def test_first_pos_device_without_vid_pid(fast_backoff):
    dev = FakeHidPosDevice(vid=0x05E0, pid=0x1900)
    sc = HidPosScanner(backend=FakeUsbBackend([dev]), backoff=fast_backoff)
    sc.start()
    try:
        dev.send(REPORT_1, REPORT_2)
        assert get_read(sc).data == BCBP
    finally:
        sc.stop()
