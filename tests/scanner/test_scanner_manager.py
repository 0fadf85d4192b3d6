"""Device manager: specs, discovery, cross-scanner de-duplication, hot-plug, restart after death."""
import threading
from types import SimpleNamespace

import pytest

from drivers.discovery import FoundDevice, discover_cameras, discover_scanners, discover_serial
from drivers.manager import DeviceManager
from drivers.scanner.fakeusb import FakeHidPosDevice, FakeUsbBackend
from drivers.scanner.sim import SimScanner, SimStep
from drivers.scanner.spec import ScannerOptions, SpecError, parse_spec

from scanner_helpers import wait_for

DATA = "001095012345||Lê Văn Dũng|03031985|Nam|Đà Nẵng|01012023".encode()


def test_parse_spec():
    assert (parse_spec("camera:0").kind, parse_spec("camera:0").arg) == ("camera", "0")
    assert parse_spec("serial:/dev/ttyACM0@115200").arg == "/dev/ttyACM0@115200"
    assert str(parse_spec("hidpos:0c2e:0B87")) == "hidpos:0c2e:0B87"
    assert parse_spec("wedge").kind == "wedge" and parse_spec("sim").kind == "sim"
    for bad in ("floppy:0", "camera", "hidpos:zz:01", "hidpos:1234", "serial:"):
        with pytest.raises(SpecError):
            parse_spec(bad)


def test_discovery_of_usb_serial_and_cameras(tmp_path):
    be = FakeUsbBackend([FakeHidPosDevice(vid=0x05E0, pid=0x1200)])
    ports = [SimpleNamespace(device="/dev/ttyACM0", description="Scanner CDC", vid=0x0C2E, pid=0x0901),
             SimpleNamespace(device="/dev/ttyS0", description="n/a", vid=None, pid=None)]
    for n in ("video0", "video2", "videoX"):
        (tmp_path / n).touch()
    found = discover_scanners(be, lambda: ports, str(tmp_path / "video*"))
    assert [d.spec for d in found] == ["hidpos:05e0:1200", "serial:/dev/ttyACM0", "camera:0", "camera:2"]
    assert [(d.vid, d.pid) for d in found[:2]] == [(0x05E0, 0x1200), (0x0C2E, 0x0901)]
    assert discover_serial(lambda: []) == ([], []) and discover_cameras(str(tmp_path / "none*")) == ([], [])
    only = discover_scanners(be, lambda: ports, str(tmp_path / "video*"), kinds=("serial",))
    assert [d.spec for d in only] == ["serial:/dev/ttyACM0"]


def test_same_code_from_two_scanners_is_delivered_once(fast_backoff):
    got = []
    mgr = DeviceManager(["sim", "sim"], got.append, ScannerOptions(backoff=fast_backoff),
                        hold_off=2.0, poll_interval=60, discover=lambda: [])
    mgr.start()
    try:
        a, b = mgr.scanners
        assert wait_for(lambda: a.status().connected and b.status().connected)
        a.inject(DATA)
        b.inject(DATA)                                   # the patient scanned twice
        a.inject(b"DN4010123456789")
        assert wait_for(lambda: len(got) == 2)
        assert wait_for(lambda: a.status().reads + b.status().reads == 3)
        assert sorted(r.data for r in got) == sorted([DATA, b"DN4010123456789"])
        lines = mgr.status().lines()
        assert len(lines) == 2 and all("connected" in ln for ln in lines)
        assert not any("Dũng" in ln for ln in lines)      # status never carries payloads
    finally:
        mgr.stop()


def test_hotplug_reported_as_added_and_removed():
    present = [FoundDevice("serial", "/dev/ttyACM0", spec="serial:/dev/ttyACM0")]
    events = []
    mgr = DeviceManager([], lambda r: None, poll_interval=60, discover=lambda: list(present),
                        on_hotplug=lambda a, r: events.append((a, r)))
    mgr.start()
    try:
        cam = FoundDevice("camera", "camera:0", spec="camera:0")
        present.append(cam)
        assert mgr.poll_hotplug() == ([cam], [])
        present.pop(0)
        assert mgr.poll_hotplug() == ([], [FoundDevice("serial", "/dev/ttyACM0", spec="serial:/dev/ttyACM0")])
        assert mgr.poll_hotplug() == ([], [])
        assert len(events) == 2
        assert [d.spec for d in mgr.status().discovered] == ["camera:0"]
    finally:
        mgr.stop()


class Crashy(SimScanner):
    """A scanner whose thread dies the first time (a bug escaping the reconnect loop)."""
    crashed = 0

    def _run(self):
        if Crashy.crashed == 0:
            Crashy.crashed += 1
            raise SystemExit("thread dies")
        super()._run()


def test_dead_thread_is_restarted_with_backoff(monkeypatch):
    got = []
    mgr = DeviceManager([], got.append, poll_interval=60, discover=lambda: [])
    mgr.start()
    sc = Crashy([SimStep(b"after restart")], sink=mgr._deliver)
    mgr.scanners.append(sc)
    threading.excepthook, old = (lambda args: None), threading.excepthook
    try:
        sc.start()
        assert wait_for(lambda: not sc.alive)
        assert mgr.check_threads(now=0.0) == []           # schedules the restart after a delay
        assert mgr.check_threads(now=0.1) == []           # not yet
        assert mgr.check_threads(now=100.0) == [sc.source]
        assert wait_for(lambda: [r.data for r in got] == [b"after restart"])
    finally:
        threading.excepthook = old
        mgr.stop()
