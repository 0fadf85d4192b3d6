"""Calling in the demo (issue 18): the headless run calls the tickets it issued from two
counters sharing one queue and writes the display's screenshots; the windowed demo opens the
waiting-room display and a caller panel beside the kiosk."""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)
DEMO_CALLER = "demo.caller"


class _DemoCaller:
    """The headless demo's staff member at the counters (reception role, audited by this name)."""
    username = DEMO_CALLER

    @property
    def role(self):
        from kiosk.security.roles import Role
        return Role.RECEPTION


def _two_counters(cfg):
    """The demo's counters: the configured ones, or two reception counters sharing every service."""
    if cfg.counters:
        return cfg
    codes = [s["code"] for s in cfg.services]
    return cfg.replace(counters=[
        {"id": "Q1", "room": "1", "name_vi": "Quầy 1", "name_en": "Counter 1", "services": codes},
        {"id": "Q2", "room": "2", "name_vi": "Quầy 2", "name_en": "Counter 2", "services": codes}])


def call_issued_tickets(cfg, key: bytes, out: Path) -> dict:
    """Two counters call everything waiting (serving all but the last two), then the display is
    captured at 1920x1080 and 1080x1920 into out/display/, and the first call rendered to WAV."""
    from kiosk.calling.compose import calling_service, display_feed
    from kiosk.store.migrate import open_store
    from kiosk.ui.display.shots import grab_sizes
    from kiosk.ui.display.window import DisplayWindow
    cfg = _two_counters(cfg)
    store = open_store(cfg.data_dir, key)
    feed = display_feed(cfg, lambda: open_store(cfg.data_dir, key))
    called: list[dict] = []
    try:
        svc = calling_service(store, cfg)
        who = _DemoCaller()
        window = DisplayWindow(feed.poll, title=cfg.facility_name or "Bệnh viện (demo)")
        shots = grab_sizes(window, out / "display", "display-waiting")
        for round_ in range(100):
            progressed = False
            for counter in ("Q1", "Q2"):
                if svc.current(counter) is not None:
                    continue
                e = svc.call_next(who, counter)
                if e is None:
                    continue
                progressed = True
                called.append({"number": e.number, "counter": counter})
                if len(svc.waiting("Q1")) + len(svc.waiting("Q2")) > 0:
                    svc.start(who, counter)
                    svc.finish(who, counter)
            if not progressed:
                break
        shots += grab_sizes(window, out / "display", "display-called")
        window.stop()
        window.close()
        voice = _render_first_call(called, out)
    finally:
        feed.close()
        store.close()
    return {"called": called, "screenshots": [str(p.relative_to(out)) for p in shots], "voice": voice}


def _render_first_call(called: list[dict], out: Path) -> str | None:
    if not called:
        return None
    from kiosk.calling.voice.engines import EspeakEngine, espeak_available
    if not espeak_available():
        return None
    try:
        r = EspeakEngine().render(called[-1]["number"], called[-1]["counter"][1:], counter=True)
    except Exception as exc:   # the demo goes on without the sound file
        log.warning("demo announcement not rendered: %s", exc)
        return None
    path = out / "display" / "announcement.wav"
    path.write_bytes(r.wav_bytes())
    return str(path.relative_to(out))


def open_calling_windows(cfg, key: bytes) -> list:
    """The windowed demo: a display window and a caller panel (sign in with a demo staff PIN)."""
    from kiosk.calling.caller import CallerBackend
    from kiosk.calling.compose import calling_service, display_source, staff_accounts
    from kiosk.store.migrate import open_store
    from kiosk.ui.caller.panel import CallerPanel
    from kiosk.ui.display.window import DisplayWindow
    cfg = _two_counters(cfg)
    feed = display_source(cfg, lambda: open_store(cfg.data_dir, key))     # its own thread
    display = DisplayWindow(feed.poll, title=cfg.facility_name or "Bệnh viện (demo)")
    display.resize(960, 540)
    display.show()
    store = open_store(cfg.data_dir, key, check_same_thread=False)      # the panel's worker thread uses it
    accounts = staff_accounts(store, cfg)
    panel = CallerPanel(CallerBackend(store, calling_service(store, cfg, accounts=accounts), accounts),
                        counter_id="Q1")
    panel.resize(520, 480)
    panel.show()
    return [display, panel, feed, store]
