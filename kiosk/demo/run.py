"""Running `kiosk demo`: windowed with the device panel, or headless with scripted check-ins."""
from __future__ import annotations

import functools
import logging
import os
import sys
import time
from pathlib import Path

from kiosk.config import Config
from kiosk.logsetup import setup_run_logging

log = logging.getLogger(__name__)


def _people():
    from kiosk.demo.people import DEMO_PEOPLE
    return DEMO_PEOPLE


def _build(cfg: Config, args, *, root: Path | None, data_dir: Path | None):
    from kiosk.app import KioskApp
    from kiosk.store.keys import FileKeyProvider
    from kiosk.demo.environment import prepare
    env = prepare(cfg, data_dir=data_dir, gateway_url=args.gateway, root=root)
    setup_run_logging(env.config)                  # the masked log file in the demo's data dir
    try:
        key = FileKeyProvider(env.key_file, env.data_dir).load()
        kiosk = KioskApp(env.config, key, create_db=True).build()
        _seed(kiosk, env)
    except BaseException:
        env.close()
        raise
    return env, kiosk


def _seed(kiosk, env) -> None:
    """Returning demo citizens already in the patient cache, with a follow-up booked for today."""
    from kiosk.demo.seed import seed_returning, seed_staff
    if seed_returning(kiosk.cfg, kiosk.key, _people(), kiosk.clock):
        env.notes.append("returning demo patient seeded with a follow-up visit today")
    staff = seed_staff(kiosk.cfg, kiosk.key, kiosk.clock)
    if staff:
        env.notes.append("staff mode (5 taps top-left): " + "; ".join(staff))


def _chip(kiosk, env, args, *, wanted: bool):
    """The virtual chip card behind pcscd, or None (the demo says why and goes on with QR)."""
    if not wanted:
        env.notes.append("virtual chip off")
        return None
    from kiosk.demo.chip import start_demo_chip
    try:
        chip = start_demo_chip(kiosk)
    except Exception as exc:   # pcscd or vpcd missing, not root…: the demo goes on with QR
        env.notes.append(f"virtual chip unavailable ({exc}); continuing with QR")
        return None
    env.notes.append("virtual chip card ready (pcscd + vpcd, reader 'Virtual PCD 00 01')")
    return chip


def run_headless(cfg: Config, args) -> int:
    import json

    from kiosk.ui.demo.headless import HeadlessDriver, write_summary
    from kiosk.ui.qt import application

    scenarios: list[str] = []
    if getattr(args, "scenario", None):
        from kiosk.ui.demo.scenarios import scenario_names
        try:
            scenarios = scenario_names(args.scenario)
        except ValueError as exc:
            print(f"kiosk demo: {exc}", file=sys.stderr)
            return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else out / "data"
    env, kiosk = _build(cfg, args, root=out, data_dir=data_dir)
    app = application(sys.argv[:1])
    chip = None
    try:
        chip = _chip(kiosk, env, args, wanted=args.chip and not args.no_chip)
        kiosk.attach_ui(app, dpi=96.0)
        kiosk.start()
        present = (lambda person: chip.present(person.key)) if chip is not None else None
        driver = HeadlessDriver(app, kiosk, out, _people(), chip_present=present,
                                size=args.size or (1080, 1920))
        t0 = time.perf_counter()
        results = driver.run(max(0, args.checkins))
        if scenarios:
            from kiosk.ui.demo.scenarios import Scenarios
            results += Scenarios(driver, env=env, chip=chip).run(scenarios, len(results))
        elapsed = time.perf_counter() - t0
        from kiosk.demo.calling import call_issued_tickets
        calling = call_issued_tickets(kiosk.cfg, kiosk.key, out)       # issue 18: call what was issued
        sync = _wait_sync(kiosk, args.wait_sync)
        summary = write_summary(out / "summary.json", results, {
            "outbox": kiosk.outbox_stats(),
            "wait_sync": sync,
            "gateway": env.gateway_url,
            "data_dir": str(env.data_dir),
            "printed_images": sorted(p.name for p in (env.data_dir / "tickets").glob("*.png")),
            "screenshots": driver.capture.files,
            "run_seconds": round(elapsed, 3),
            "calling": calling,
            "notes": env.notes,
        })
        for note in env.notes:
            print(f"note: {note}")
        for r in results:
            status = (r.outcome or f"ticket {r.ticket} room {r.room}") if r.ok else f"FAILED: {r.error}"
            print(f"check-in {r.index} ({r.mode}, {r.person}): {status}")
        print(f"called: {' '.join(c['number'] + '@' + c['counter'] for c in calling['called'])}")
        print(f"outbox: {json.dumps(summary['outbox'], ensure_ascii=False)}")
        print(f"wrote {out / 'summary.json'} and {len(driver.capture.files)} screenshots")
        if not summary["ok"]:
            return 1
        if sync is not None and not sync["drained"]:
            print(f"outbox not drained after {args.wait_sync} s", file=sys.stderr)
            return 1
        return 0
    finally:
        if chip is not None:
            chip.close()
        kiosk.close()
        env.close()


def _wait_sync(kiosk, seconds: float | None) -> dict | None:
    if seconds is None:
        return None
    sync = kiosk.parts.sync
    end = time.monotonic() + seconds
    stats = kiosk.outbox_stats()
    while time.monotonic() < end:
        stats = kiosk.outbox_stats()
        if stats["pending"] == 0 and stats["sending"] == 0:
            return {"drained": True, "seconds": round(seconds - (end - time.monotonic()), 3)}
        if sync is not None and hasattr(sync, "notify"):
            sync.notify()
        time.sleep(0.1)
    return {"drained": False, "seconds": seconds, "pending": stats["pending"], "sending": stats["sending"]}


PANEL_WIDTH = 440
REFERENCE = {"landscape": (1920, 1080), "portrait": (1080, 1920)}   # the layouts the tests check


def demo_geometry(avail_w: int, avail_h: int, requested: tuple[int, int] | None = None):
    """Window size and DPI for the windowed demo: the tested 1920x1080 (or portrait) layout scaled
    down to fit beside the device panel, so nothing is clipped on a small desktop."""
    from kiosk.ui.sizes import DEFAULT_DPI
    if requested:
        w, h = requested
    else:
        room_w, room_h = max(480, avail_w - PANEL_WIDTH - 30), max(480, avail_h - 40)
        ref = REFERENCE["landscape"] if room_w >= room_h else REFERENCE["portrait"]
        s = min(room_w / ref[0], room_h / ref[1], 1.0)
        w, h = round(ref[0] * s), round(ref[1] * s)
    ref = REFERENCE["landscape"] if w >= h else REFERENCE["portrait"]
    return (w, h), DEFAULT_DPI * min(1.0, w / ref[0], h / ref[1])


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True                      # offscreen, vnc, eglfs...: no X/Wayland display needed
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_windowed(cfg: Config, args) -> int:
    from kiosk.ui.demo.panel import DemoAction, DemoPanel, install_hotkeys, qr_actions
    from kiosk.ui.launch import quit_on_signals
    from kiosk.ui.qt import application

    if not has_display():
        print("kiosk demo: no display (DISPLAY/WAYLAND_DISPLAY unset). Run it on a desktop, under "
              "Xvfb (xvfb-run -a ./dev.sh demo), or use --headless --checkins N --out DIR.", file=sys.stderr)
        return 2
    app = application(sys.argv[:1])
    data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else None
    env, kiosk = _build(cfg, args, root=None, data_dir=data_dir)
    chip = None
    try:
        chip = _chip(kiosk, env, args, wanted=not args.no_chip)
        screen = app.primaryScreen().availableGeometry()
        size, dpi = demo_geometry(screen.width(), screen.height(), args.size)
        kiosk.attach_ui(app, staff_mode=True, dpi=dpi)
        kiosk.start()
        scanner = kiosk.parts.sim_scanner
        actions = qr_actions(_people(), scanner.inject)
        if chip is not None:
            actions += [DemoAction(f"chip:{key}", f"Chip card: {key}" + (" (DG13 altered: rejected)"
                                                                          if key == "forged" else ""),
                                   functools.partial(chip.present, key)) for key in chip.keys()]
            actions.append(DemoAction("chip:remove", "Lift the chip card off the reader", chip.remove))
        printer = kiosk.parts.printer
        if hasattr(printer, "set_fault"):
            actions.append(DemoAction("printer:paper_out", "Printer: out of paper",
                                      lambda: printer.set_fault("paper_out")))
            actions.append(DemoAction("printer:ok", "Printer: repaired", lambda: printer.set_fault(None)))
        if env.gateway is not None:
            actions.append(DemoAction("gateway:down", "Gateway: go offline (timeouts)",
                                      lambda: env.gateway.set_faults(drop_before_rate=1.0)))
            actions.append(DemoAction("gateway:up", "Gateway: back online", env.gateway.clear_faults))
        notes = [f"data dir: {env.data_dir}", f"printed tickets: {env.data_dir / 'tickets'}", *env.notes]
        for note in notes:
            print(f"demo: {note}")
        panel = DemoPanel(actions, notes)
        install_hotkeys(kiosk.ui.window, actions)
        kiosk.ui.show(fullscreen=False, size=size)
        kiosk.ui.window.move(screen.left(), screen.top())
        panel.move(screen.left() + size[0] + 20, screen.top())
        panel.resize(PANEL_WIDTH, min(screen.height() - 40, 820))
        panel.show()
        from kiosk.demo.calling import open_calling_windows
        calling_windows = open_calling_windows(kiosk.cfg, kiosk.key)   # noqa: F841 (kept alive)
        quit_on_signals(app)
        return app.exec()
    finally:
        if chip is not None:
            chip.close()
        kiosk.close()
        env.close()
