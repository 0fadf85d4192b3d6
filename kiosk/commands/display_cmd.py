"""`kiosk display` (the waiting-room TV) and `kiosk caller` (the counter/room panel)."""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub, parents) -> None:
    d = sub.add_parser("display", parents=parents, help="full-screen waiting-room display of the calls")
    d.add_argument("--key-file", type=Path)
    d.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    d.add_argument("--no-voice", action="store_true", help="no announcements from this display")
    d.add_argument("--screenshot", type=Path, metavar="DIR",
                   help="write 1920x1080 and 1080x1920 screenshots to DIR and exit")
    d.set_defaults(func=_display)
    c = sub.add_parser("caller", parents=parents, help="compact caller panel for a counter or clinic room")
    c.add_argument("--key-file", type=Path)
    c.add_argument("--counter", help="preselect this counter/room id")
    c.set_defaults(func=_caller)


def _key_opener(cfg, key_file, check_same_thread: bool = True):
    from kiosk.store.keys import key_provider_from_config
    from kiosk.store.migrate import open_store
    if key_file is not None:
        cfg = cfg.replace(key_file=key_file)
    key = key_provider_from_config(cfg).load()
    return lambda: open_store(cfg.data_dir, key, cache_mib=8, busy_timeout_ms=cfg.db_busy_timeout_ms,
                              check_same_thread=check_same_thread)


def _display(args, ctx) -> int:
    from kiosk.calling.compose import announcer, display_source, speak_calls
    from kiosk.calling.service import counters_from_config
    from kiosk.store.db import StoreError
    from kiosk.ui.qt import QApplication
    cfg = ctx.config
    try:
        opener = _key_opener(cfg, args.key_file)
    except StoreError as exc:
        print(f"kiosk display: {exc}", file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.ui.display.window import DisplayWindow
    feed = display_source(cfg, opener)          # its own thread: hub (LISTEN) or local store
    voice = None if (args.no_voice or args.screenshot) else announcer(cfg)
    on_calls = speak_calls(cfg, voice, counters_from_config(cfg)) if voice else None
    win = DisplayWindow(feed.poll, title=cfg.facility_name or "Bệnh viện", on_calls=on_calls)
    if args.screenshot:
        from kiosk.ui.display.shots import grab_sizes
        _settle(app, win)
        for p in grab_sizes(win, args.screenshot):
            print(p)
        feed.close()
        return 0
    win.showMaximized() if args.windowed else win.showFullScreen()
    code = app.exec()
    feed.close()
    if voice:
        voice.close()
    return code


def _caller(args, ctx) -> int:
    from kiosk.store.db import StoreError
    from kiosk.ui.qt import QApplication
    cfg = ctx.config
    try:
        store = _key_opener(cfg, args.key_file, check_same_thread=False)()   # used on the worker
    except StoreError as exc:
        print(f"kiosk caller: {exc}", file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.ui.caller.panel import CallerPanel
    from kiosk.ui.desk.worker import DbWorker
    worker = DbWorker(name="caller-db")            # Argon2 and every store/hub call run here
    try:
        backend = worker.call(lambda: _caller_backend(store, cfg))
    except Exception as exc:   # the hub refused us: say why, nothing started
        print(f"kiosk caller: {type(exc).__name__}: {exc}", file=sys.stderr)
        worker.shutdown()
        return 1
    panel = CallerPanel(backend, counter_id=args.counter, worker=worker)
    panel.resize(560, 520)
    panel.show()
    code = app.exec()
    worker.call(store.close)
    worker.shutdown()
    return code


def _caller_backend(store, cfg):
    from kiosk.calling.caller import CallerBackend
    from kiosk.calling.compose import caller_service, staff_accounts
    from kiosk.facility.wiring import hub_staff_accounts
    accounts = hub_staff_accounts(cfg) or staff_accounts(store, cfg)    # facility staff when on the hub
    return CallerBackend(store, caller_service(store, cfg, accounts=accounts), accounts)


def _settle(app, win, seconds: float = 3.0) -> None:
    """Let the display's feed thread deliver its first board before a screenshot."""
    import time
    deadline = time.monotonic() + seconds
    while win.stale or win.updates == 0:
        app.processEvents()
        win.tick()
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
