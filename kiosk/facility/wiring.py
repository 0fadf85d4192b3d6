"""What the composition root (kiosk/app.py) takes from the facility wing when `hub_dsn` is set."""
from __future__ import annotations

from typing import Any


def hub_numbers(cfg, closers: list | None = None) -> Any:
    """HubNumbering for the issuer, or None without a hub (the kiosk's own series, as always); its
    `close` (which gives the held numbers back) joins `closers`, the app's shutdown list."""
    if not cfg.get("hub_dsn", ""):
        return None
    from kiosk.facility.dsn import hub_from_config
    from kiosk.facility.numbering import HubNumbering, check_namespaces
    check_namespaces(cfg.ticket_format)
    dsn = hub_from_config(cfg, role="kiosk")
    assert dsn is not None  # hub_dsn is set (checked above)
    numbers = HubNumbering(dsn, cfg.facility_code, cfg.kiosk_id, timeout=float(cfg.get("hub_timeout", 1.0)),
                        retry_after=float(cfg.get("hub_retry_seconds", 10.0)),
                        hold_seconds=float(cfg.get("hub_hold_seconds", 20.0)),
                        claim_wait=float(cfg.get("hub_claim_wait", 0.0)))
    if closers is not None:
        closers.append(numbers.close)
    return numbers


def facility_link(cfg, key: bytes, clock=None) -> Any:
    if not cfg.get("hub_dsn", ""):
        return None
    from kiosk.facility.runner import FacilityLink
    return FacilityLink(cfg, key, clock=clock)


def hub_calling(cfg, accounts: Any = None) -> Any:
    """HubCallingService for a caller panel when `hub_dsn` is set (its role must be a desk's:
    hub_desk), else None (the local store's CallingService)."""
    if not cfg.get("hub_dsn", ""):
        return None
    import psycopg
    from kiosk.calling.service import CallingSettings
    from kiosk.facility.calling import HubCallingService
    from kiosk.facility.dsn import hub_from_config
    dsn = hub_from_config(cfg, role="caller")
    assert dsn is not None  # hub_dsn is set (checked above)
    svc = HubCallingService(lambda: psycopg.connect(dsn, connect_timeout=3), cfg.facility_code,
                            CallingSettings.from_config(cfg), accounts=accounts)
    return svc


def hub_display_feed(cfg, clock=None) -> Any:
    """HubDisplayFeed (LISTEN hub_queue) when `hub_dsn` is set, else None."""
    if not cfg.get("hub_dsn", ""):
        return None
    import psycopg
    from kiosk.calling.service import CallingSettings
    from kiosk.facility.display_feed import HubDisplayFeed
    from kiosk.facility.dsn import hub_from_config
    dsn = hub_from_config(cfg, role="display")
    assert dsn is not None  # hub_dsn is set (checked above)
    return HubDisplayFeed(lambda: psycopg.connect(dsn, connect_timeout=2), cfg.facility_code,
                          CallingSettings.from_config(cfg), list(cfg.services), clock=clock,
                          calls_shown=cfg.display_calls_shown)


def hub_staff_accounts(cfg, clock=None, hasher: Any = None) -> Any:
    """Facility staff accounts at the hub (hub migration 0002) for a caller PC with `hub_dsn`, so a
    counter signs in with the same account on every PC; None without a hub (the kiosk's own)."""
    if not cfg.get("hub_dsn", ""):
        return None
    from kiosk.core.clock import SystemClock
    from kiosk.facility.dsn import hub_from_config
    from kiosk.facility.hub_staff import HubAudit, HubLink, HubStaffStore
    from kiosk.security.accounts import StaffAccounts
    dsn = hub_from_config(cfg, role="caller")
    assert dsn is not None  # hub_dsn is set (checked above)
    link = HubLink(dsn)
    clock = clock or SystemClock()
    return StaffAccounts(HubStaffStore(link, clock), HubAudit(link), clock, hasher=hasher,
                         max_failures=cfg.pin_max_failures, session_minutes=cfg.staff_session_minutes)
