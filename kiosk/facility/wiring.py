"""What the composition root (kiosk/app.py) takes from the facility wing when `hub_dsn` is set."""
from __future__ import annotations

from typing import Any


def hub_numbers(cfg) -> Any:
    """HubNumbering for the issuer, or None without a hub (the kiosk's own series, as always)."""
    if not cfg.get("hub_dsn", ""):
        return None
    from kiosk.facility.dsn import hub_from_config
    from kiosk.facility.numbering import HubNumbering, check_namespaces
    check_namespaces(cfg.ticket_format)
    dsn = hub_from_config(cfg, role="kiosk")
    return HubNumbering(dsn, cfg.facility_code, cfg.kiosk_id, timeout=float(cfg.get("hub_timeout", 1.0)),
                        retry_after=float(cfg.get("hub_retry_seconds", 10.0)))


def facility_link(cfg, key: bytes, clock=None) -> Any:
    if not cfg.get("hub_dsn", ""):
        return None
    from kiosk.facility.runner import FacilityLink
    return FacilityLink(cfg, key, clock=clock)
