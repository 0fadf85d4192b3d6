"""`kiosk demo --facility` (windowed): the facility on one screen.

A private PostgreSQL cluster in a temporary directory (initdb + pg_ctl as an unprivileged user), the
hub schema, roles and the demo staff as facility accounts, one gateway simulator, the hub upload
worker, N kiosk windows (the real patient UI, each kiosk with its own encrypted store and its own
settings, numbering through the hub) and one desk window on the hub (the `hub_desk` role, live over
LISTEN/NOTIFY). Staff sign in at the desk with the demo PINs printed at start.

With `--out DIR` the demo drives itself: a timer runs one scripted check-in on each kiosk window,
waits until the desk window lists them all, saves screenshots of every window to DIR (and
DIR/summary.json), and quits. That is what the headless test runs under QT_QPA_PLATFORM=offscreen.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DESK_USER = ("le.tan", "604918")


@dataclass
class FacilityWindows:
    tmp: Path
    cluster: Any = None
    envs: list = field(default_factory=list)
    kiosks: list = field(default_factory=list)
    desk_services: Any = None
    desk_window: Any = None
    mode: Any = None
    worker: Any = None
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(5)
        if self.desk_window is not None:
            self.desk_window.close()
        if self.mode is not None:
            self.mode.close()
        elif self.worker is not None:
            if self.desk_services is not None:
                self.worker.call(self.desk_services.close)
            self.worker.shutdown()
        for k in self.kiosks:
            k.close()
        for env in reversed(self.envs):
            env.close()
        if self.cluster is not None:
            self.cluster.stop("fast")
        shutil.rmtree(self.tmp, ignore_errors=True)


def _hub_worker(dsn: str, client, facility: str, stop: threading.Event) -> None:
    import psycopg
    from kiosk.facility.worker import HubUploadWorker
    while not stop.is_set():
        try:
            with psycopg.connect(dsn) as conn:
                HubUploadWorker(conn, client, facility, grace=0.5).run_forever(stop=stop.is_set, idle=0.3)
        except psycopg.Error:
            stop.wait(1.0)                    # the hub restarts: try again


def build(cfg, n_kiosks: int, app, *, sign_in: bool) -> FacilityWindows:
    import psycopg

    from kiosk.app import KioskApp
    from kiosk.demo.environment import prepare
    from kiosk.demo.seed import DEMO_STAFF
    from kiosk.facility import schema
    from kiosk.facility.cluster import PrivateCluster
    from kiosk.facility.hub_staff import add_staff
    from kiosk.settings_map import gateway_client
    from kiosk.store.keys import FileKeyProvider

    fw = FacilityWindows(Path(tempfile.mkdtemp(prefix="kiosk-facility-windows-")))
    try:
        fw.cluster = cluster = PrivateCluster(fw.tmp / "pg").init().start()
        schema.create_database(cluster.dsn(), "hub")
        secrets = fw.tmp / "secrets"
        schema.init(cluster.dsn(dbname="hub"), secrets)
        with psycopg.connect(cluster.dsn(dbname="hub"), autocommit=True) as conn:
            for username, name, role, pin in DEMO_STAFF:
                add_staff(conn, username, name, role, pin, actor="demo")
        fw.notes.append("desk sign-in (facility accounts at the hub): "
                        + "; ".join(f"{u} ({r}) PIN {p}" for u, _, r, p in DEMO_STAFF if r != "technician"))

        def hub_settings(role: str) -> dict:
            return {"hub_dsn": f"host={cluster.socket_dir} port={cluster.port} user={role} dbname=hub",
                    "hub_password_file": secrets / f"{role}.password", "hub_tls_required": False,
                    "hub_push_seconds": 0.5}
        first = None
        for i in range(1, n_kiosks + 1):
            root = fw.tmp / f"kiosk{i}"
            if first is not None:             # one facility, one signing identity (the gateway knows one)
                root.mkdir(parents=True, mode=0o700)
                shutil.copytree(first.root / "devcert", root / "devcert")
            env = prepare(cfg, root=root, gateway_url=first.gateway_url if first else None)
            fw.envs.append(env)
            first = first or env
            kcfg = env.config.replace(kiosk_id=str(i), **hub_settings("hub_kiosk"))
            key = FileKeyProvider(env.key_file, env.data_dir).load()
            fw.kiosks.append(KioskApp(kcfg, key, create_db=True).build())
        assert first is not None
        fw.notes.append(f"gateway simulator on {first.gateway_url}; hub on {cluster.socket_dir} port {cluster.port}")
        worker_dsn = cluster.dsn(user="hub_worker", password=(secrets / "hub_worker.password").read_text().strip(),
                                 dbname="hub")
        fw.threads.append(threading.Thread(target=_hub_worker, name="hub-worker", daemon=True,
                                           args=(worker_dsn, gateway_client(first.config), first.config.facility_code,
                                                 fw.stop)))
        fw.threads[-1].start()
        for k in fw.kiosks:
            k.attach_ui(app, dpi=72.0)
            k.start()
        desk_cfg = first.config.replace(kiosk_id="Q1", **hub_settings("hub_desk"))
        _open_desk(fw, desk_cfg, sign_in=sign_in)
        return fw
    except BaseException:
        fw.close()
        raise


def _open_desk(fw: FacilityWindows, desk_cfg, *, sign_in: bool) -> None:
    from kiosk.staff import staff_services
    from kiosk.ui.desk.staff_mode import StaffMode
    from kiosk.ui.desk.window import DeskWindow
    from kiosk.ui.desk.worker import DbWorker
    recipe = staff_services(desk_cfg, None, hub=True)
    if not sign_in:
        fw.mode = StaffMode(recipe)            # the sign-in dialog, then the desk window
        fw.mode.open()
        return
    fw.worker = DbWorker()
    fw.desk_services = fw.worker.call(recipe)
    session = fw.worker.call(fw.desk_services.accounts.sign_in, *DESK_USER)
    fw.desk_window = DeskWindow(fw.desk_services.desk, fw.worker, session)
    fw.desk_window.resize(1366, 768)       # the desk PC size the desk layout is tested at
    fw.desk_window.show()


def _place(app, fw: FacilityWindows) -> tuple[int, int]:
    screen = app.primaryScreen().availableGeometry()
    n = len(fw.kiosks)
    w = max(360, min(540, (screen.width() - 20) // max(1, n)))
    h = round(w * 16 / 9)
    for i, k in enumerate(fw.kiosks):
        k.ui.show(fullscreen=False, size=(w, h))
        k.ui.window.setWindowTitle(f"Kiosk {i + 1}")
        k.ui.window.move(screen.left() + i * (w + 10), screen.top())
    return w, h


def _drive(app, fw: FacilityWindows, out: Path, size: tuple[int, int]) -> dict:
    """One scripted check-in on each kiosk window; then wait for the desk's list to show them all."""
    from kiosk.demo.people import DEMO_PEOPLE
    from kiosk.ui.demo.headless import HeadlessDriver
    people = [p for p in DEMO_PEOPLE if p.cccd_qr or p.bhyt_qr]
    tickets = []
    (out / "steps").mkdir(parents=True, exist_ok=True)
    for i, k in enumerate(fw.kiosks):
        d = HeadlessDriver(app, k, out / "steps", people[i % len(people):] + people[:i % len(people)], size=size,
                           prefix=f"kiosk{i + 1}-")
        r = d.checkin(0)
        tickets.append({"kiosk": k.cfg.kiosk_id, "ok": r.ok, "ticket": r.ticket, "error": r.error})
        if k.parts.facility is not None:
            k.parts.facility.notify()          # push now, not at the next round
    want = sum(1 for t in tickets if t["ok"])
    end = time.monotonic() + 30
    table = fw.desk_window.visits.table if fw.desk_window is not None else None
    while table is not None and table.rowCount() < want and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    desk_rows = [table.item(r, 0).text() for r in range(table.rowCount())] if table is not None else []
    shots = []
    for i, k in enumerate(fw.kiosks):
        name = f"kiosk{i + 1}.png"
        k.ui.window.grab().save(str(out / name))
        shots.append(name)
    for i in range(len(fw.kiosks)):                 # each kiosk's ticket screen, as its patient saw it
        for step in sorted((out / "steps").glob(f"kiosk{i + 1}-*-ticket-vi.png"))[:1]:
            shutil.copyfile(step, out / f"kiosk{i + 1}-ticket.png")
            shots.append(f"kiosk{i + 1}-ticket.png")
    if fw.desk_window is not None:
        app.processEvents()
        fw.desk_window.grab().save(str(out / "desk.png"))
        shots.append("desk.png")
    numbers = [t["ticket"] for t in tickets if t["ok"]]
    return {"ok": want == len(fw.kiosks) and sorted(desk_rows) == sorted(numbers),
            "tickets": tickets, "desk_rows": desk_rows, "screenshots": shots,
            "hub_numbered": all(n and "-" not in n for n in numbers), "notes": fw.notes}


def run_facility_windows(cfg, args) -> int:
    from kiosk.demo.run import has_display
    from kiosk.ui.qt import QTimer, application
    if not has_display():
        print("kiosk demo --facility: no display (DISPLAY/WAYLAND_DISPLAY unset). Run it on a desktop, under "
              "Xvfb, or use --headless --out DIR.", file=sys.stderr)
        return 2
    app = application(sys.argv[:1])
    scripted = args.out is not None
    fw = build(cfg, max(1, args.kiosks), app, sign_in=scripted)
    result: dict = {}
    try:
        size = _place(app, fw)
        for note in fw.notes:
            print(f"demo: {note}")
        if scripted:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)

            def script():
                try:
                    result.update(_drive(app, fw, out, size))
                except Exception as exc:      # noqa: BLE001 - said in the summary and the exit code
                    result.update({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
                (out / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str),
                                                  encoding="utf-8")
                app.quit()
            QTimer.singleShot(500, script)
        else:
            from kiosk.ui.launch import quit_on_signals
            quit_on_signals(app)
        code = app.exec()
    finally:
        fw.close()
    if scripted:
        for t in result.get("tickets", []):
            print(f"kiosk {t['kiosk']}: {t['ticket'] or t['error']}")
        print(f"desk window lists: {', '.join(result.get('desk_rows', []))}")
        print(f"wrote {Path(args.out) / 'summary.json'}")
        return 0 if result.get("ok") else 1
    return code
