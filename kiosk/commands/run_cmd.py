"""`kiosk run` (the kiosk on its screen) and `kiosk demo` (the whole flow on the embedded defaults,
windowed with a device panel, or `--headless` scripted check-ins with screenshots)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("size is WIDTHxHEIGHT, e.g. 1080x1920") from None
    if w < 320 or h < 320:
        raise argparse.ArgumentTypeError("size must be at least 320x320")
    return w, h


def register(sub, parents) -> None:
    from kiosk.commands.argtypes import count
    run = sub.add_parser("run", parents=parents, help="start the kiosk on its screen (full screen)")
    run.add_argument("--key-file", type=Path, default=None, help="database key file (default: setting key_file)")
    run.add_argument("--windowed", action="store_true", help="a window instead of full screen (development)")
    run.add_argument("--size", type=_size, default=None, help="window size WIDTHxHEIGHT (implies --windowed)")
    run.add_argument("--hide-cursor", action="store_true", help="hide the mouse pointer (touch screens)")
    run.add_argument("--kiosk-mode", action="store_true",
                     help="full screen and locked down (the default unless --windowed)")
    run.set_defaults(func=_run)

    demo = sub.add_parser("demo", parents=parents,
                          help="the whole patient flow on simulators (gateway, scanner, chip, printer)")
    demo.add_argument("--headless", action="store_true",
                      help="scripted check-ins offscreen, screenshots and summary.json in --out")
    demo.add_argument("--checkins", type=count, default=3, metavar="N", help="check-ins to script (headless)")
    demo.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help="headless output: DIR/*.png, DIR/summary.json, data in DIR/data")
    demo.add_argument("--gateway", default=None, metavar="URL",
                      help="use this gateway (e.g. a separate `kiosk gateway-sim`) instead of the in-process one")
    demo.add_argument("--wait-sync", type=float, default=None, metavar="SECONDS",
                      help="headless: wait until the outbox has drained (non-zero exit if it has not)")
    demo.add_argument("--size", type=_size, default=None,
                      help="window size WIDTHxHEIGHT (headless default 1080x1920: portrait)")
    demo.add_argument("--no-chip", action="store_true", help="do not start the virtual chip card")
    demo.add_argument("--chip", action="store_true",
                      help="headless: every third check-in lays a virtual chip card (needs pcscd + vpcd, root)")
    demo.add_argument("--scenario", default=None, metavar="NAMES",
                      help="headless: after the check-ins, run failure paths: 'all' or a comma list of "
                           "no_card, expired, gateway_offline, paper_out, unknown_qr, forged_chip, timeout")
    demo.add_argument("--facility", action="store_true",
                      help="the facility: a private PostgreSQL hub, N kiosks, the hub worker and a desk")
    demo.add_argument("--kiosks", type=int, default=3, metavar="N", help="kiosks in the facility demo")
    demo.add_argument("--keep-hub", action="store_true",
                      help="facility, headless: keep the stopped hub cluster and its role secrets in OUT/hub")
    demo.set_defaults(func=_demo)


def _run(args, ctx) -> int:
    """The idle screen first; the store, signing key, gateway client, sync worker and devices are
    built on a worker thread and bound to the window when ready (taps before that are ignored)."""
    from kiosk.app import KioskApp
    from kiosk.store.errors import StoreError
    from kiosk.store.keys import key_provider_from_config
    from kiosk.logsetup import setup_run_logging
    from kiosk.ui.launch import qt_shutdown, quit_on_signals
    cfg = ctx.config
    setup_run_logging(cfg)
    try:
        key = key_provider_from_config(cfg, key_file=args.key_file).load()
    except StoreError as exc:
        print(f"kiosk run: {exc}", file=sys.stderr)
        return 1
    from kiosk.ui.qt import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    kiosk = KioskApp(cfg, key)
    failed: list[str] = []

    def on_error(message: str) -> None:
        failed.append(message)
        print(f"kiosk run: {message}", file=sys.stderr)
        app.exit(1)

    try:
        kiosk.attach_ui(app, staff_mode=True)
        quit_on_signals(app)
        if args.size or args.windowed:
            kiosk.ui.show(fullscreen=False, size=args.size)
        else:
            from kiosk.ui.lockdown import enter_kiosk_mode
            lock = enter_kiosk_mode(app, kiosk.ui.window, hide_cursor=args.hide_cursor)  # exits swallowed

            def exit_kiosk() -> None:                    # staff gesture + technician PIN only
                lock.unlocked = True
                app.quit()
            if getattr(kiosk, "staff", None) is not None:
                kiosk.staff.exit_kiosk = exit_kiosk
        from kiosk.ui.qt import QTimer
        QTimer.singleShot(0, kiosk.notify_ready)         # systemd READY=1 once the idle screen is up
        kiosk.build_in_background(on_ready=lambda: None, on_error=on_error)
        code = app.exec()
        return 1 if failed else code
    finally:
        kiosk.close()
        qt_shutdown()


def _demo(args, ctx) -> int:
    from kiosk.ui.launch import qt_shutdown
    if args.facility:
        from kiosk.demo.facility import run_facility
        return run_facility(ctx.config, args)
    if args.headless:
        if args.out is None:
            print("kiosk demo --headless needs --out DIR", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from kiosk.demo.run import run_headless
        try:
            return run_headless(ctx.config, args)
        finally:
            qt_shutdown()
    if args.wait_sync is not None:
        print("kiosk demo: --wait-sync applies to --headless runs", file=sys.stderr)
        return 2
    from kiosk.demo.run import run_windowed
    try:
        return run_windowed(ctx.config, args)
    finally:
        qt_shutdown()
