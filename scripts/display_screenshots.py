"""Screenshots of the waiting-room display for docs/screenshots/display/ (a synthetic morning on a
fresh encrypted store: tickets through the real trigger, calls through the real CallingService).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/display_screenshots.py [docs/screenshots/display]
"""
from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.calling.compose import display_feed  # noqa: E402
from kiosk.calling.service import CallingService, CallingSettings  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.core.clock import FakeClock, local_day  # noqa: E402
from kiosk.security.roles import Role  # noqa: E402
from kiosk.store.migrate import open_store  # noqa: E402
from kiosk.store.patients import DocumentInput, PatientInput  # noqa: E402
from kiosk.store.visits import VisitInput  # noqa: E402

LETTERS = {"K01": "A", "K02": "B", "K03": "C", "K04": "D", "K05": "E"}
ROOMS = {"K01": "101", "K02": "105", "K03": "201", "K04": "203", "K05": "205"}
PLAN = ["K01", "K01", "K02", "K01", "K04", "K01", "K03", "K02", "K01", "K05", "K01", "K04", "K02", "K01",
        "K03", "K01", "K02", "K01", "K04", "K01"]
PRIORITY = {3: "elderly", 7: "child", 12: "pregnant"}


class Staff:
    username, role = "le.tan", Role.RECEPTION


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots" / "display"
    tmp = tempfile.mkdtemp()
    clock = FakeClock(datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc))      # 08:30 in Vietnam
    key = os.urandom(32)
    store = open_store(tmp, key, create=True, clock=clock)
    cfg = load(None, env={}, overrides={"data_dir": tmp, "facility_name": "Bệnh viện Đa khoa Mẫu"})
    svc = CallingService(store, CallingSettings.from_config(cfg), clock=clock)
    svc.sync_counters()
    day = local_day(clock.now())
    for i, code in enumerate(PLAN, start=1):
        with store.transaction():
            p = store.patients.upsert(PatientInput(full_name=f"NGƯỜI MẪU {i}"), [DocumentInput("cccd", f"0010800{i:05d}")])
            v = store.visits.create(VisitInput(f"79001-1-{i:04d}", p.id, "1", day, code, room=ROOMS[code],
                                               priority=PRIORITY.get(i)))
            mark = "U" if i in PRIORITY else ""
            store.tickets.insert(visit_id=v.id, patient_id=p.id, service_code=code, kiosk_id="1", day=day, seq=i,
                                 number=f"{LETTERS[code]}1-{mark}{i:03d}", priority=1 if mark else 0)
        clock.advance(60)
    for room in ("P101", "P105", "P203", "P101", "P201"):
        e = svc.current(room)
        if e is not None:
            svc.start(Staff(), room)
            clock.advance(7 * 60)
            svc.finish(Staff(), room)
        svc.call_next(Staff(), room)
        clock.advance(40)
    svc.recall(Staff(), "P105")
    from kiosk.ui.qt import QApplication
    app = QApplication.instance() or QApplication([])   # noqa: F841
    from kiosk.ui.display.shots import grab_sizes
    from kiosk.ui.display.window import DisplayWindow
    feed = display_feed(cfg, lambda: open_store(tmp, key, clock=clock), clock=clock)
    win = DisplayWindow(feed.poll, title=cfg.facility_name, now=lambda: clock.now())
    for p in grab_sizes(win, out):
        print(p)
    feed._drop()
    win._poll = lambda: feed.poll()
    from kiosk.calling import feed as feed_mod
    feed_mod.STALE_AFTER_S = -1
    feed._open = lambda: (_ for _ in ()).throw(OSError("kiosk restarting"))
    for p in grab_sizes(win, out, "display-updating"):
        print(p)
    store.close()


if __name__ == "__main__":
    main()
