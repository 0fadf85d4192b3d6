"""Building the calling parts from the settings (used by the CLI verbs and the demo)."""
from __future__ import annotations

from typing import Any, Callable

from kiosk.calling.background import BackgroundFeed
from kiosk.calling.feed import DisplayFeed
from kiosk.calling.service import CallingService, CallingSettings


def calling_service(store, cfg, *, accounts: Any = None) -> CallingService:
    svc = CallingService(store, CallingSettings.from_config(cfg), accounts=accounts)
    svc.sync_counters()
    return svc


def staff_accounts(store, cfg):
    from kiosk.security.accounts import StaffAccounts
    from kiosk.security.audit_log import AuditLog
    return StaffAccounts(store, AuditLog(store), store.clock, max_failures=cfg.pin_max_failures,
                         session_minutes=cfg.staff_session_minutes)


def display_feed(cfg, open_store, clock=None) -> DisplayFeed:
    return DisplayFeed(open_store, CallingSettings.from_config(cfg), list(cfg.services), clock=clock,
                       calls_shown=cfg.display_calls_shown)


def display_source(cfg, open_store, clock=None) -> BackgroundFeed:
    """The display's feed on its own thread: the hub's (LISTEN) when `hub_dsn` is set, else the
    local store's (checked every 100 ms). The Qt thread only reads the newest state."""
    from kiosk.facility.wiring import hub_display_feed
    hub = hub_display_feed(cfg, clock)
    if hub is not None:
        return BackgroundFeed(hub, period_s=1.0, name="display-hub").start()
    return BackgroundFeed(display_feed(cfg, open_store, clock), period_s=0.05, name="display-local").start()


def caller_service(store, cfg, *, accounts: Any = None) -> Any:
    """The caller's CallingPort: on the hub when `hub_dsn` is set, else on the local store.
    (Staff sign in on the local store either way; facility staff accounts are the hub's later.)"""
    from kiosk.facility.wiring import hub_calling
    hub = hub_calling(cfg, accounts)
    if hub is None:
        return calling_service(store, cfg, accounts=accounts)
    hub.sync_counters()
    return hub


def announcer(cfg, play=None):
    """The Announcer of the settings, or None when the voice is off."""
    from kiosk.calling.voice.announcer import Announcer, aplay
    from kiosk.calling.voice.engines import engine_from_config
    engine = engine_from_config(cfg)
    if engine is None:
        return None
    return Announcer(engine, volume=cfg.voice_volume, quiet_hours=cfg.voice_quiet_hours, play=play or aplay)


def speak_calls(cfg, announcer_, counters) -> Any:
    """The display's on_calls: announce each new call at its counter/room."""
    by_id = {c.id: c for c in counters}

    def on_calls(calls) -> None:
        for c in calls:
            counter = by_id.get(c["counter_id"])
            is_counter = counter is not None and not counter.room.isdigit()
            announcer_.announce(c["number"], counter.room if counter else c["room"], counter=is_counter)
    return on_calls


def call_speaker(cfg, open_store, *, clock=None, play=None) -> BackgroundFeed | None:
    """`kiosk run` with voice_kiosk_announces: the kiosk itself speaks each new call (hub or local
    queue, followed on a thread of its own); None when that setting or the voice is off."""
    if not cfg.voice_kiosk_announces:
        return None
    voice = announcer(cfg, play=play)
    if voice is None:
        return None
    from kiosk.facility.wiring import hub_display_feed
    feed = hub_display_feed(cfg, clock) or display_feed(cfg, open_store, clock)
    speaker = BackgroundFeed(feed, period_s=0.2, name="call-speaker",
                             on_calls=speak_calls(cfg, voice, CallingSettings.from_config(cfg).counters))
    speaker.also_close.append(voice.close)
    return speaker.start()


def kiosk_call_speaker(cfg, key: bytes, clock=None) -> Callable[[], None]:
    """For `kiosk run` (kiosk/app.py): start the call speaker when configured; returns its closer."""
    from kiosk.store.migrate import open_store
    speaker = call_speaker(cfg, lambda: open_store(cfg.data_dir, key, clock=clock), clock=clock)
    return speaker.close if speaker is not None else (lambda: None)
