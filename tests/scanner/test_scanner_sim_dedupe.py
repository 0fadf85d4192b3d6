"""The simulator's scripted reads and faults, and the de-duplication window."""
from drivers.scanner.base import ScanRead, ScannerState
from drivers.scanner.dedupe import Deduper
from drivers.scanner.sim import Fault, SimScanner, SimStep, garble

from scanner_helpers import get_read, wait_for

DATA = "001095012345|123456789|Nguyễn Văn An|01011995|Nam|Hà Nội|01012021".encode()


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_script_with_faults(fast_backoff):
    script = [SimStep(DATA), SimStep(DATA, fault=Fault.GARBLED), SimStep(DATA, fault=Fault.HALF),
              SimStep(fault=Fault.DISCONNECT), SimStep(b"after reconnect")]
    sc = SimScanner(script, seed=7, backoff=fast_backoff)
    sc.start()
    try:
        assert get_read(sc).data == DATA
        g = get_read(sc).data
        assert len(g) == len(DATA) and g != DATA
        assert g == garble(DATA, __import__("random").Random(7))     # deterministic for a seed
        assert get_read(sc).data == DATA[: len(DATA) // 2]
        assert get_read(sc).data == b"after reconnect"
        assert sc.status().reconnects == 1 and sc.status().connected
        sc.inject(b"live")
        assert get_read(sc).data == b"live"
    finally:
        sc.stop()
    assert sc.status().state is ScannerState.STOPPED


def test_finite_script_finishes():
    sc = SimScanner([SimStep(b"a"), SimStep(b"b")], finite=True)
    sc.start()
    assert wait_for(sc.finished.is_set)
    assert [sc.reads.get_nowait().data for _ in range(2)] == [b"a", b"b"]


def test_dedupe_two_scanners_one_read():
    clock = Clock()
    d = Deduper(hold_off=2.0, clock=clock)
    a = ScanRead("hidpos", DATA, 0.0)
    b = ScanRead("camera:0", DATA, 0.0)
    assert d.accept(a) is True
    clock.t += 0.3
    assert d.accept(b) is False            # the same code from the other scanner
    assert d.accept(ScanRead("camera:0", b"other", 0.0)) is True
    clock.t += 2.5                         # gone for longer than the hold-off: a new read
    assert d.accept(b) is True


def test_dedupe_window_slides_while_the_code_stays_in_view():
    clock = Clock()
    d = Deduper(hold_off=1.0, clock=clock)
    hits = []
    for _ in range(60):                    # 3 s of camera frames at 20 fps, the code always visible
        hits.append(d.accept(DATA))
        clock.t += 0.05
    assert hits.count(True) == 1
    clock.t += 1.01
    assert d.accept(DATA) is True
    fixed = Deduper(hold_off=1.0, clock=clock, sliding=False)
    seen = []
    for _ in range(60):
        seen.append(fixed.accept(DATA))
        clock.t += 0.05
    assert seen.count(True) == 3           # a fixed window re-reports every hold-off


def test_dedupe_across_threads():
    import threading
    d = Deduper(hold_off=5.0)
    results = []
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        results.append(d.accept(DATA))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
