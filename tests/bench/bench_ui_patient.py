"""The patient UI under load: scan → ticket screen shown, event-loop stalls, cold start.

    .venv/bin/python tests/bench/bench_ui_patient.py --size 1000000 --checkins 200
    .venv/bin/python tests/bench/bench_ui_patient.py --size 20000 --checkins 40     # while developing

Real parts, offscreen: the real window and state machine, a SQLCipher store with SIZE cached
patients, the gateway simulator (refusing every connection during the check-ins: offline →
provisional), RSA-signed issuing, the simulated printer writing PNGs, and the sync worker.
  1. scan → ticket screen shown: from the QR read to the moment the window rendered the ticket,
     taps sent as soon as each screen is on screen (software time; p50/p95);
  2. the longest event-loop stall (a 2 ms QTimer's largest gap) during the check-ins and while
     the sync worker drains the outbox afterwards (target ≤ 50 ms);
  3. cold start to the idle screen against a bare PySide6 window, both as fresh processes in the
     same run, median of 5 (target ≤ 2×; the key is a file, no key derivation).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# ---------------------------------------------------------------- cold start (child processes)

def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    w = QLabel("Xin mời ông/bà làm thủ tục khám bệnh")
    w.resize(1080, 1920)
    w.show()
    app.processEvents()
    w.grab()                      # painted once, as the kiosk's idle screen is below
    print("ready", flush=True)
    os._exit(0)


def child_kiosk() -> None:
    """What `kiosk run` does (settings from KIOSK_* variables set by the parent): the idle screen
    first, the rest built on a worker thread. Prints when the idle screen is painted, then waits
    until the check-in service is bound too (so a broken build fails the benchmark)."""
    from kiosk.app import KioskApp
    from kiosk.config import load
    from kiosk.store.keys import key_provider_from_config
    from kiosk.ui.qt import QApplication
    cfg = load()
    kiosk = KioskApp(cfg, key_provider_from_config(cfg).load())
    app = QApplication([])
    kiosk.attach_ui(app, dpi=96.0)
    kiosk.ui.show(size=(1080, 1920))
    app.processEvents()
    kiosk.ui.window.grab()
    print("ready", flush=True)
    kiosk.build_in_background(on_ready=lambda: (print("bound", flush=True), os._exit(0)),
                              on_error=lambda m: (print(m, file=sys.stderr, flush=True), os._exit(1)))
    app.exec()


def cold_start(root: Path, runs: int = 5) -> None:
    from kiosk.app import KioskApp
    from kiosk.config import load
    from kiosk.store.keys import FileKeyProvider
    from kiosk.demo.environment import prepare
    env = prepare(load(path=None, env={}), root=root, gateway_url="http://127.0.0.1:9")
    KioskApp(env.config, FileKeyProvider(env.key_file, env.data_dir).load(), create_db=True,
             start_sync=False).build().close()              # a provisioned kiosk: db, key, signing key
    settings = {"data_dir": env.data_dir, "key_file": env.key_file, "facility_code": env.config.facility_code,
                "signing_pkcs12": env.config.signing_pkcs12,
                "signing_pkcs12_password_file": env.config.signing_pkcs12_password_file,
                "gateway_url": "http://127.0.0.1:9", "printer": "sim", "scanners": "sim", "metrics_bind": ""}
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    child_env.update({f"KIOSK_{k.upper()}": str(v) for k, v in settings.items()})

    bound: list[float] = []

    def once(kind: str) -> float:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=child_env)
        line = proc.stdout.readline()
        ready = (time.perf_counter() - t0) * 1000
        if kind == "kiosk" and "ready" in line:
            line = proc.stdout.readline()
            bound.append((time.perf_counter() - t0) * 1000)
        if proc.wait(120) != 0 or not line.strip():
            raise SystemExit(f"{kind} child failed: {proc.stderr.read()[-2000:]}")
        return ready
    once("kiosk")                                 # warm the OS file cache for both
    once("bare")
    bare, kiosk = [], []
    for _ in range(runs):
        bare.append(once("bare"))
        kiosk.append(once("kiosk"))
    b, k = statistics.median(bare), statistics.median(kiosk)
    print(f"cold start to first paint (median of {runs}, process start included; the check-in "
          f"service bound and taking scans at {statistics.median(bound[-runs:]):.0f} ms):")
    print(f"  bare PySide6 window {b:7.0f} ms   kiosk idle screen {k:7.0f} ms   ratio {k / b:4.2f}x "
          f"({'OK' if k / b <= 2 else 'OVER'} target ≤ 2x; ≤ 1.5 s: {'OK' if k <= 1500 else 'OVER'})")


# ---------------------------------------------------------------- scan → ticket and stalls

class StallMeter:
    def __init__(self, app, interval_ms: int = 2):
        from kiosk.ui.qt import QTimer
        self.interval = interval_ms
        self.last = time.perf_counter()
        self.gaps: list[float] = []
        self.timer = QTimer(app)
        self.timer.timeout.connect(self._tick)
        self.timer.start(interval_ms)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000 - self.interval)
        self.last = now

    def take(self) -> list[float]:
        gaps, self.gaps = self.gaps, []
        return gaps


def run_checkins(size: int, checkins: int, tmp: Path) -> None:
    import logging
    logging.disable(logging.WARNING)
    from bench_core_checkin import fill, person, qr

    from kiosk.app import KioskApp
    from kiosk.config import load
    from kiosk.core import checkin as c
    from kiosk.store.keys import FileKeyProvider
    from kiosk.store.migrate import open_store
    from kiosk.demo.environment import prepare
    from kiosk.ui.qt import QApplication, Qt, QtTest

    # The gateway simulator runs as its own process, as the real gateway is remote: in-process it
    # would verify XML signatures on this interpreter's GIL and inflate the stalls measured here.
    gw = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway-sim", "--port", "0", "--data-dir",
                           str(tmp / "gw")], stdout=subprocess.PIPE, text=True)
    url = gw.stdout.readline().split(" on ", 1)[1].split()[0]
    env = prepare(load(path=None, env={}).replace(eligibility_deadline=1.0), root=tmp, gateway_url=url)
    if PRINTER != "sim":   # e.g. file:/tmp/x.bin: the ESC/POS path a real kiosk takes, instead of PNG files
        env.config = env.config.replace(printer=PRINTER)
    key = FileKeyProvider(env.key_file, env.data_dir).load()
    store = open_store(env.data_dir, key, create=True)
    filled = fill(store, size)
    store.close()
    print(f"patients cached: {size:,} (filled in {filled:.1f} s)")
    app = QApplication.instance() or QApplication([])
    kiosk = KioskApp(env.config, key).build()
    kiosk.attach_ui(app, dpi=96.0)
    kiosk.ui.show(size=(1080, 1920))
    kiosk.start()
    window = kiosk.ui.window
    shown: dict[type, float] = {}
    window.rendered.connect(lambda s: shown.setdefault(type(s), time.perf_counter()))

    def wait(pred, timeout=15.0):
        end = time.monotonic() + timeout
        while not pred(window.state):
            if time.monotonic() > end:
                raise SystemExit(f"stuck on {type(window.state).__name__}")
            app.processEvents()
            time.sleep(0.0005)

    def tap(widget):
        QtTest.QTest.mouseClick(widget, Qt.MouseButton.LeftButton)

    from kiosk.gateway.sim.server import admin_call
    admin_call(url, "/admin/faults", {"drop_before_rate": 1.0})   # offline during the check-ins
    meter = StallMeter(app)
    rnd = random.Random(11)
    totals, number_shown = [], []
    segs = {"scan→confirm": [], "yes→services": [], "service→ticket": []}
    for n, i in enumerate(rnd.sample(range(size), checkins + 5)):
        shown.clear()
        t0 = time.perf_counter()
        kiosk.on_scan(type("Read", (), {"data": qr(person(i))})())
        wait(lambda s: isinstance(s, c.Confirm) and s.eligibility.status.value != "checking")
        t1 = time.perf_counter()
        tap(window.screens["confirm"].yes)
        wait(lambda s: isinstance(s, c.ChooseService))
        t2 = time.perf_counter()
        svc = window.state.services[n % len(window.state.services)].code
        tap(window.screens["service"].service_buttons[svc])
        wait(lambda s: isinstance(s, (c.TicketShown, c.Problem, c.PrinterFailed)))
        t3 = shown.get(c.TicketShown)
        if t3 is None:
            raise SystemExit(f"check-in {n}: {type(window.state).__name__}")
        tap(window.screens["ticket"].done)
        wait(lambda s: isinstance(s, c.Idle))
        if n < 5:
            meter.take()
            continue                                         # warm-up
        totals.append((t3 - t0) * 1000)
        number_shown.append((shown[c.Printing] - t2) * 1000)
        for k, v in zip(segs, (t1 - t0, t2 - t1, t3 - t2)):
            segs[k].append(v * 1000)
    during = meter.take()
    print(f"scan → ticket screen shown, {checkins} check-ins offline (provisional), through the window:")
    for k, v in segs.items():
        print(f"  {k:15s} p50 {statistics.median(v):7.2f} ms   p95 {pct(v, 0.95):7.2f} ms")
    print(f"  {'total':15s} p50 {statistics.median(totals):7.2f} ms   p95 {pct(totals, 0.95):7.2f} ms   "
          f"({'OK' if pct(totals, 0.95) <= 50 else 'OVER'} target p95 ≤ 50 ms)")
    print(f"  service tapped → number on screen (printing): p50 {statistics.median(number_shown):6.2f} ms   "
          f"p95 {pct(number_shown, 0.95):6.2f} ms")
    admin_call(url, "/admin/faults", method="DELETE")
    kiosk.parts.sync.notify()
    t0 = time.perf_counter()
    drained = False
    while time.perf_counter() - t0 < 120:
        app.processEvents()
        stats = kiosk.outbox_stats()
        if stats["pending"] == 0 and stats["sending"] == 0:
            drained = True
            break
        end = time.perf_counter() + 0.1
        while time.perf_counter() < end:          # keep the loop turning between looks
            app.processEvents()
            time.sleep(0.001)
    drain = meter.take()
    print(f"outbox drained: {drained} in {time.perf_counter() - t0:.1f} s ({stats['acked']} acked)")
    print(f"event-loop stall: max {max(during):.1f} ms during check-ins, max {max(drain):.1f} ms while "
          f"draining ({'OK' if max(max(during), max(drain)) <= 50 else 'OVER'} target ≤ 50 ms); "
          f"p99 {pct(during + drain, 0.99):.1f} ms")
    kiosk.close()
    env.close()
    gw.terminate()
    gw.wait(10)


PRINTER = "sim"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=20_000)
    ap.add_argument("--checkins", type=int, default=40)
    ap.add_argument("--child", choices=("bare", "kiosk"))
    ap.add_argument("--skip-cold", action="store_true")
    ap.add_argument("--printer", default="sim", help="printer setting for the check-ins (default: the demo's PNG printer)")
    args = ap.parse_args()
    global PRINTER
    PRINTER = args.printer
    if args.child == "bare":
        child_bare()
    if args.child == "kiosk":
        child_kiosk()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    try:
        run_checkins(args.size, args.checkins, tmp / "load")
        if not args.skip_cold:
            cold_start(tmp / "cold")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
