"""`kiosk demo --facility`: two counters on two "PCs" (threads, each its own hub connection) call
the tickets the kiosks issued from ONE facility queue, pressing Call next at the same moment;
the waiting-room display follows the hub (LISTEN) and is captured to DIR/display/.

The desk first settles the conflict the run provoked (the same patient ticketed at two kiosks: one
visit kept, the other cancelled and so out of the queue), so no patient is called twice."""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
COUNTERS = ("Q1", "Q2")


def _settings(services) -> Any:
    from kiosk.calling.service import CallingSettings
    from kiosk.core.queue.model import Counter
    codes = tuple(s.code for s in services)
    return CallingSettings(tuple(Counter(c, f"Quầy {c[1:]}", f"Counter {c[1:]}", c[1:], codes) for c in COUNTERS),
                           {s.code: s.room for s in services})


def _settle_conflicts(conn) -> int:
    from kiosk.facility.calling_facts import open_conflicts
    from kiosk.facility.desk_ops import resolve_conflict
    rows = open_conflicts(conn)
    for cid, keep in rows:
        resolve_conflict(conn, cid, keep, "demo.desk")
    return len(rows)


def call_through_hub(desk_dsn: str, display_dsn: str, facility: str, services, out: Path | None) -> dict:
    import psycopg

    from kiosk.calling.background import BackgroundFeed
    from kiosk.demo.calling import _DemoCaller
    from kiosk.facility.calling import HubCallingService
    from kiosk.facility.display_feed import HubDisplayFeed
    settings = _settings(services)
    with psycopg.connect(desk_dsn, autocommit=True) as conn:
        settled = _settle_conflicts(conn)
    HubCallingService(lambda: psycopg.connect(desk_dsn), facility, settings).sync_counters()
    service_rows = [{"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en, "room": s.room,
                     "minutes_per_patient": s.minutes_per_patient} for s in services]
    feed = BackgroundFeed(HubDisplayFeed(lambda: psycopg.connect(display_dsn), facility, settings, service_rows),
                          period_s=1.0, name="demo-display").start()
    seen: list[str] = []
    shots: list[str] = []
    by_counter: dict[str, list[str]] = {c: [] for c in COUNTERS}
    errors: list[str] = []
    try:
        window = _display(feed, out)
        if window is not None and out is not None:
            shots += _shots(window, out, "facility-display-waiting")
        barrier = threading.Barrier(len(COUNTERS))

        def counter(cid: str) -> None:
            svc = HubCallingService(lambda: psycopg.connect(desk_dsn), facility, settings)
            who = _DemoCaller()
            try:
                while True:
                    barrier.wait(timeout=30)          # both press Call next at the same moment
                    e = svc.call_next(who, cid)
                    if e is None:
                        break
                    by_counter[cid].append(e.number)
                    svc.start(who, cid)
                    svc.finish(who, cid)
            except threading.BrokenBarrierError:
                pass                                  # the other counter's queue ran out first
            except Exception as exc:   # reported in the summary
                errors.append(f"{cid}: {type(exc).__name__}: {exc}")
            finally:
                barrier.abort()
                svc.close()
        threads = [threading.Thread(target=counter, args=(c,), name=f"demo-{c}") for c in COUNTERS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        total = sum(len(v) for v in by_counter.values())
        deadline = time.monotonic() + 5
        while len(seen) < total and time.monotonic() < deadline:
            seen += [c["number"] for c in feed.poll().new_calls]
            time.sleep(0.05)
        if window is not None and out is not None:
            shots += _shots(window, out, "facility-display-called")
            window.stop()
            window.close()
    finally:
        feed.close()
    from kiosk.facility.calling_facts import calling_facts
    with psycopg.connect(desk_dsn) as conn:
        facts = calling_facts(conn)
    twice, waiting, audited = facts["patients_called_twice"], facts["left_waiting"], facts["audited_calls"]
    numbers = [n for v in by_counter.values() for n in v]
    return {"by_counter": by_counter, "total": len(numbers), "tickets_called_twice": len(numbers) - len(set(numbers)),
            "patients_called_twice": twice, "left_waiting": waiting, "conflicts_settled_by_desk": settled,
            "audited_calls": audited, "display_announced": len(seen), "screenshots": shots, "errors": errors,
            "ok": (not errors and len(numbers) == len(set(numbers)) and not twice and waiting == 0
                   and all(by_counter.values()) and audited == len(numbers))}


def _display(feed, out: Path | None):
    if out is None:
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.ui.display.window import DisplayWindow
    from kiosk.ui.qt import application
    application([])
    deadline = time.monotonic() + 10
    while not feed.ready and time.monotonic() < deadline:
        time.sleep(0.05)
    return DisplayWindow(feed.poll, title="Bệnh viện (demo cơ sở)")


def _shots(window, out: Path, stem: str) -> list[str]:
    from kiosk.ui.display.shots import grab_sizes
    return [str(p.relative_to(out)) for p in grab_sizes(window, out / "display", stem)]
