"""Composition of the check-in service from the settings and the real parts (for app.py, the
demo and integration tests). The store must be opened with check_same_thread=False: the
service uses it from its one db thread."""
from __future__ import annotations

from typing import Any, Callable

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.ports import StaffAlerter, TicketPrinter
from kiosk.checkin.service import CheckinService
from kiosk.checkin.eligibility import GatewayEligibilityChecker
from kiosk.checkin.resolver import StoreIdentityResolver
from kiosk.checkin.issuing import StoreTicketIssuer
from kiosk.devices.printer import printer_from_config
from kiosk.settings_map import issuing_settings, machine_config, parse_options


def build_checkin_service(cfg: Any, store, *, gateway_client: Any, sign: Callable[[bytes], bytes],
                          printer: TicketPrinter | None = None, clock: Clock | None = None,
                          alerter: StaffAlerter | None = None, vneid: Callable | None = None,
                          runner: Callable | None = None,
                          wrap_issuer: Callable[[Any], Any] | None = None, numbers: Any = None) -> CheckinService:
    """`wrap_issuer(issuer)` lets the app put the ops gate (disk, maintenance) and the sync
    worker's wake-up around the real ticket issuer."""
    clock = clock or SystemClock()
    machine = machine_config(cfg)
    resolver = StoreIdentityResolver(store, clock, options=parse_options(cfg),
                                     cache_hours=cfg.eligibility_cache_hours, vneid=vneid)
    issuer = StoreTicketIssuer(store, issuing_settings(cfg, machine.services), sign, clock,
                               numbers=numbers)   # facility hub numbering (issue 17), None without a hub
    if wrap_issuer is not None:
        issuer = wrap_issuer(issuer)
    return CheckinService(machine, resolver=resolver, checker=GatewayEligibilityChecker(gateway_client),
                          issuer=issuer, printer=printer or printer_from_config(cfg), clock=clock,
                          alerter=alerter, facility_name=cfg.facility_name, runner=runner)
