"""The app's scanners under the device manager: the wedge stays out (it lives in the Qt window),
the same code from a HID POS scanner, the simulator and the wedge counts once within
`scanner_hold_off`, a pulled-out USB scanner is reported and read again when it is back, and a
scanner thread that died is restarted."""
from __future__ import annotations

import threading
import time

import pytest

from drivers.scanner.base import Backoff, ScanRead
from drivers.scanner.fakeusb import UNPLUG, FakeHidPosDevice, FakeUsbBackend
from drivers.scanner.spec import ScannerOptions
from kiosk.config import load
from kiosk.devices.scanners import KioskScanners
from kiosk.settings_map import scanner_options

CCCD = "001095012345||Lê Văn Dũng|03031985|Nam|Đà Nẵng|01012023".encode()


def wait_for(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def pos_reports(payload: bytes, aim: bytes = b"]Q1") -> list[bytes]:
    """HID POS input reports (64 bytes, report id 2): length, AIM id, 56 data bytes, vendor, more."""
    chunks = [payload[i:i + 56] for i in range(0, len(payload), 56)] or [b""]
    return [bytes([0x02, len(c)]) + aim + c + bytes(56 - len(c)) + b"s\0" + bytes([i < len(chunks) - 1])
            for i, c in enumerate(chunks)]


@pytest.fixture
def usb():
    dev = FakeHidPosDevice()
    return dev, FakeUsbBackend([dev])


@pytest.fixture
def scanners(usb):
    dev, backend = usb
    got: list[ScanRead] = []
    events: list = []
    cfg = load(None, env={"KIOSK_SCANNER_HOLD_OFF": "0.4", "KIOSK_SCANNERS": '["wedge", "sim", "hidpos:0c2e:0b87"]'})
    opts = scanner_options(cfg, usb_backend=backend, backoff=Backoff(first=0.05, cap=0.2, jitter=0.0))
    ks = KioskScanners(cfg.scanners, opts, got.append, poll_interval=3600,
                       on_hotplug=lambda added, removed: events.append((added, removed)))
    ks.start()
    yield ks, dev, got, events
    ks.stop()


def test_the_wedge_is_left_to_the_window_and_the_sim_is_exposed(scanners):
    ks, _dev, _got, _events = scanners
    assert ks.specs == ["sim", "hidpos:0c2e:0b87"]
    assert [s.source for s in ks.scanners] == ["sim", "hidpos:0c2e:0b87"]
    assert ks.sim is ks.scanners[0]
    assert ks.manager.dedupe.hold_off == 0.4                  # scanner_hold_off reached the manager


def test_one_code_from_three_scanners_counts_once(scanners, usb):
    ks, dev, got, _events = scanners
    assert wait_for(lambda: all(st.connected for st in ks.status()))
    dev.send(*pos_reports(CCCD))
    assert wait_for(lambda: len(got) == 1)
    ks.sim.inject(CCCD)                                        # the patient scanned again elsewhere
    ks.deliver(ScanRead("wedge", CCCD, time.time()))      # and on the keyboard wedge
    assert wait_for(lambda: ks.sim.status().reads == 1)
    time.sleep(0.1)
    assert [r.data for r in got] == [CCCD]
    assert got[0].source == "hidpos:0c2e:0b87"
    ks.sim.inject(b"DN4010123456789")                          # another code passes at once
    assert wait_for(lambda: [r.data for r in got] == [CCCD, b"DN4010123456789"])
    time.sleep(0.45)                                           # the hold-off has passed
    ks.deliver(ScanRead("wedge", CCCD, time.time()))
    assert [r.data for r in got][-1] == CCCD and len(got) == 3


def test_a_pulled_usb_scanner_is_reported_and_read_again_when_back(scanners):
    ks, dev, got, events = scanners
    hid = ks.scanners[1]
    assert wait_for(lambda: hid.status().connected)
    dev.send(UNPLUG)
    dev.unplug()
    assert wait_for(lambda: not hid.status().connected)
    added, removed = ks.manager.poll_hotplug()
    assert (added, [d.spec for d in removed]) == ([], ["hidpos:0c2e:0b87"])
    assert events and [d.spec for d in events[-1][1]] == ["hidpos:0c2e:0b87"]
    dev.plug()
    added, removed = ks.manager.poll_hotplug()
    assert ([d.spec for d in added], removed) == (["hidpos:0c2e:0b87"], [])
    assert wait_for(lambda: hid.status().connected)
    dev.send(*pos_reports(b"DN4010123456789", aim=b"]C0"))
    assert wait_for(lambda: [r.data for r in got] == [b"DN4010123456789"])
    assert hid.status().reconnects >= 1


def test_a_dead_scanner_thread_is_restarted(scanners, monkeypatch):
    ks, _dev, got, _events = scanners
    sim = ks.sim
    assert wait_for(lambda: sim.status().connected)
    real_run, calls = sim._run, []

    def dies_once():
        calls.append(1)
        if len(calls) == 1:
            raise SystemExit("a bug escaped the reconnect loop")
        real_run()
    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    sim.stop()
    sim._stop.clear()                                          # as if it had never been stopped
    sim._run = dies_once
    sim._thread = threading.Thread(target=sim._run, daemon=True)
    sim._thread.start()
    assert wait_for(lambda: not sim.alive and sim.died)
    assert ks.manager.check_threads(now=0.0) == []            # restart scheduled after a backoff
    assert ks.manager.check_threads(now=1000.0) == ["sim"]
    assert wait_for(lambda: sim.alive and sim.status().connected)
    sim.inject(b"after restart")
    assert wait_for(lambda: [r.data for r in got] == [b"after restart"])


def test_scanner_options_come_from_the_settings():
    cfg = load(None, env={"KIOSK_SCANNER_HOLD_OFF": "1.5", "KIOSK_SCANNER_SERIAL_BAUD": "115200"})
    opts = scanner_options(cfg)
    assert isinstance(opts, ScannerOptions) and (opts.hold_off, opts.baud) == (1.5, 115200)
