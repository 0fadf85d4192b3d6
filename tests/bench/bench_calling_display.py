"""Benchmark: how long a call takes to reach the waiting-room display on the same machine.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_calling_display.py [--calls 40]

A writer thread (its own connection, as a caller panel would be) calls patients at irregular
intervals; the real DisplayWindow polls its feed every 100 ms (PRAGMA data_version) and redraws.
Latency = commit of the call -> the board showing it (measured when the window hands the new
call to the voice, right after redrawing). Bound: 300 ms (issue 18). Also the cost of an idle poll.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from kiosk.calling.compose import display_feed  # noqa: E402
from kiosk.calling.service import CallingService, CallingSettings  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.core.clock import local_day, SystemClock  # noqa: E402
from kiosk.security.roles import Role  # noqa: E402
from kiosk.store.migrate import open_store  # noqa: E402
from kiosk.store.patients import DocumentInput, PatientInput  # noqa: E402
from kiosk.store.visits import VisitInput  # noqa: E402


class Staff:
    username, role = "bench", Role.RECEPTION


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument("--on-qt-thread", action="store_true",
                    help="poll the feed on the Qt thread (the display before it got its own feed thread)")
    args = ap.parse_args()
    tmp, key = tempfile.mkdtemp(), os.urandom(32)
    store = open_store(tmp, key, create=True)
    cfg = load(None, env={}, overrides={"data_dir": tmp})
    settings = CallingSettings.from_config(cfg)
    CallingService(store, settings).sync_counters()
    day = local_day(SystemClock().now())
    for i in range(args.calls + 5):
        with store.transaction():
            p = store.patients.upsert(PatientInput(full_name=f"NGƯỜI THỬ {i}"), [DocumentInput("cccd", f"0010800{i:05d}")])
            v = store.visits.create(VisitInput(f"79001-1-{i:05d}", p.id, "1", day, "K01", room="101"))
            store.tickets.insert(visit_id=v.id, patient_id=p.id, service_code="K01", kiosk_id="1", day=day,
                                 seq=i + 1, number=f"A1-{i + 1:03d}")
    committed: dict[str, float] = {}
    latencies: list[float] = []

    from kiosk.ui.qt import QApplication
    app = QApplication.instance() or QApplication([])
    from kiosk.ui.display.window import DisplayWindow
    feed = display_feed(cfg, lambda: open_store(tmp, key))
    done = threading.Event()

    def on_calls(calls) -> None:
        now = time.perf_counter()
        for c in calls:
            latencies.append((now - committed[c["number"]]) * 1000)
        if len(latencies) >= args.calls:
            done.set()
            app.quit()

    if args.on_qt_thread:
        poll = feed.poll
    else:           # as `kiosk display` runs it: the feed on its own thread, the window takes the newest board
        from kiosk.calling.background import BackgroundFeed
        bg = BackgroundFeed(feed, period_s=0.05).start()
        poll = bg.poll
    win = DisplayWindow(poll, on_calls=on_calls)
    win.resize(1920, 1080)
    win.show()

    def writer() -> None:
        with open_store(tmp, key) as s:
            svc = CallingService(s, settings)
            rnd = random.Random(5)
            time.sleep(0.5)
            for _ in range(args.calls):
                time.sleep(rnd.uniform(0.15, 0.45))
                if svc.current("P101") is not None:
                    svc.start(Staff(), "P101")
                    svc.finish(Staff(), "P101")
                e = svc.call_next(Staff(), "P101")      # commits inside
                committed[e.number] = time.perf_counter()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    app.exec()
    t.join(5)
    latencies.sort()
    print(f"calls {len(latencies)}: commit -> on screen median {statistics.median(latencies):.0f} ms, "
          f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms, max {latencies[-1]:.0f} ms (bound 300 ms)")
    if not args.on_qt_thread:
        bg.close()
        feed = display_feed(cfg, lambda: open_store(tmp, key))
        feed.poll()
    t0 = time.perf_counter()
    n = 2000
    for _ in range(n):
        feed.poll()
    print(f"idle poll (data_version unchanged): {(time.perf_counter() - t0) / n * 1e6:.1f} µs")
    win.stop()
    feed.close()
    store.close()


if __name__ == "__main__":
    main()
