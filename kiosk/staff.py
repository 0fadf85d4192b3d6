"""Composition root of staff mode: the store (one connection, used from the staff db worker
only), the staff accounts, the desk and technician services for one data dir. `kiosk desk` and
the patient kiosk (`KioskApp.attach_ui(staff_mode=True)`) build them here and hand them to the
staff windows ready-made; nothing under `kiosk/ui` opens the store or builds a signer or client."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from kiosk.config import Config
from kiosk.core.clock import Clock, SystemClock
from kiosk.desk.context import DeskContext, DeskError
from kiosk.desk.visits import Desk
from kiosk.devices.printer import DriverTicketPrinter, driver_from_config
from kiosk.security.accounts import StaffAccounts
from kiosk.security.audit_log import AuditLog
from kiosk.settings_map import desk_settings, gateway_client, signer
from kiosk.store.db import db_path
from kiosk.store.keys import FileKeyProvider
from kiosk.store.migrate import open_store
from kiosk.technician import provision as tp
from kiosk.technician.provision import ProvisionReport
from kiosk.technician.service import TechContext, TechnicianService

log = logging.getLogger(__name__)


def _unavailable_signer(reason: str) -> Callable[[bytes], bytes]:
    def sign(_xml: bytes) -> bytes:
        raise DeskError(f"the signing key is not usable ({reason}): a technician must fix it")
    return sign


class StaffServices:
    """Store, accounts, desk and technician services for one data dir (build it on the staff db
    worker: it opens the database and loads the signing key)."""

    def __init__(self, cfg: Config, key: bytes, clock: Clock | None = None, *, gateway: Any = None,
                 printer: Any = None, last_scan: Callable[[], Any] | None = None):
        self.cfg, self.clock = cfg, clock or SystemClock()
        clock_ = self.clock

        def reopen(k: bytes):
            return open_store(cfg.data_dir, k, clock=clock_, check_same_thread=False,
                              cache_mib=cfg.db_cache_mib, busy_timeout_ms=cfg.db_busy_timeout_ms)
        self.store = reopen(key)
        self.audit = AuditLog(self.store)
        self.accounts = StaffAccounts(self.store, self.audit, self.clock, max_failures=cfg.pin_max_failures,
                                      session_minutes=cfg.staff_session_minutes)
        sign: Callable[[bytes], bytes]
        try:
            sign = signer(cfg).sign
        except Exception as exc:  # noqa: BLE001 - the desk still works for everything but uploads
            log.warning("staff mode: signing key unusable (%s)", type(exc).__name__)
            sign = _unavailable_signer(type(exc).__name__)
        if gateway is None:
            gateway = gateway_client(cfg, clock=self.clock)
        if printer is None:
            try:
                printer = driver_from_config(cfg)
            except Exception as exc:  # noqa: BLE001 - no printer: reprint says so
                log.warning("staff mode: no printer (%s)", type(exc).__name__)
        desk_ctx = DeskContext(self.store, self.accounts, self.audit, self.clock, desk_settings(cfg), sign,
                               gateway, DriverTicketPrinter(printer, cfg.kiosk_id) if printer else None)
        from kiosk.sync.worker_status import down_text, read_status, status_path
        desk_ctx.sync_trouble = lambda: down_text(read_status(status_path(cfg.data_dir)))
        self.desk = Desk.build(desk_ctx)
        key_provider = FileKeyProvider(cfg.key_file, cfg.data_dir) if cfg.key_provider == "file" else None
        self.tech_ctx = TechContext(self.store, self.accounts, self.audit, self.clock, cfg, key_provider, reopen,
                                    gateway, printer)
        if last_scan is not None:
            self.tech_ctx.last_scan = last_scan

        def rebound(store):
            desk_ctx.store, desk_ctx.audit = store, self.tech_ctx.audit
            self.store, self.audit = store, self.tech_ctx.audit
        self.tech_ctx.on_reopen.append(rebound)
        self.tech = TechnicianService(self.tech_ctx)

    def close(self) -> None:
        self.tech_ctx.store.close()


class HubStaffServices:
    """Staff mode of a desk PC on the facility hub (`hub_dsn` set, desk role): facility staff
    accounts and audit chain at the hub, the desk port's hub adapter, and the live LISTEN feed
    (started here, on the worker, so the window opens knowing whether the hub is there)."""

    tech = None                     # the technician screens work on a kiosk's own store

    def __init__(self, cfg: Config, clock: Clock | None = None, *, dsn: str | None = None, gateway: Any = None,
                 printer: Any = None, sign: Callable[[bytes], bytes] | None = None, hasher: Any = None,
                 desk_name: str | None = None, live_wait_s: float = 3.0):
        from kiosk.facility.desk_live import DeskLive
        from kiosk.facility.dsn import hub_from_config
        from kiosk.facility.hub_desk import HubDesk, HubDeskContext
        from kiosk.facility.hub_staff import HubAudit, HubLink, HubStaffStore
        self.cfg, self.clock = cfg, clock or SystemClock()
        dsn = dsn or hub_from_config(cfg, role="desk")
        if not dsn:
            raise DeskError("no hub configured (setting hub_dsn)")
        from psycopg.conninfo import make_conninfo

        from kiosk.facility.desk_live import KEEPALIVE
        self.link = HubLink(make_conninfo(dsn, **KEEPALIVE))     # a silent TCP link fails, not hangs
        self.live = DeskLive(dsn).start()
        self.live.wait_online(live_wait_s)
        self.audit = HubAudit(self.link)
        self.accounts = StaffAccounts(HubStaffStore(self.link, self.clock), self.audit, self.clock, hasher=hasher,
                                      max_failures=cfg.pin_max_failures, session_minutes=cfg.staff_session_minutes)
        if sign is None:
            try:
                sign = signer(cfg).sign
            except Exception as exc:  # noqa: BLE001 - everything but closing and manual check-in works
                log.warning("hub desk: signing key unusable (%s)", type(exc).__name__)
                sign = _unavailable_signer(type(exc).__name__)
        printer_ = DriverTicketPrinter(printer, cfg.kiosk_id) if printer else None
        self.ctx = HubDeskContext(self.link, self.accounts, self.audit, self.clock, desk_settings(cfg), sign,
                                  gateway=gateway, printer=printer_, desk_name=desk_name or cfg.kiosk_id,
                                  live=self.live)
        self.desk = HubDesk(self.ctx)

    def close(self) -> None:
        self.live.stop()
        self.link.close()


def staff_services(cfg: Config, key: bytes | None, clock: Clock | None = None,
                   **parts: Any) -> Callable[[], Any]:
    """What the staff windows are handed: a recipe the UI runs once on its db worker (never on the
    Qt thread), which returns the built `StaffServices` (or, with `hub=True` and a hub_dsn, the
    `HubStaffServices` of a desk PC on the facility hub)."""
    hub = bool(parts.pop("hub", False)) and bool(cfg.get("hub_dsn", ""))   # `kiosk desk` asks for it

    def build() -> Any:
        if hub:
            return HubStaffServices(cfg, clock, **parts)
        assert key is not None  # a desk without a hub opens the local store
        return StaffServices(cfg, key, clock, **parts)
    return build


def first_run_provisioning(hasher: Any = None) -> Callable[[dict, Path, dict], ProvisionReport]:
    """What the first-run wizard runs on its worker: plan the provisioning document (every check,
    nothing written yet), then apply it (settings file, database key, database, first admin)."""
    def provision(doc: dict, config_path: Path, env: dict) -> ProvisionReport:
        from kiosk.technician.hub_enrolment import enrol_plan
        plan = tp.plan_from_dict(doc, config_path, env)
        enrol_plan(plan)          # with a hub: the hub confirms the kiosk id (or refuses it) first
        return tp.apply(plan, hasher=hasher, actor="first-run")
    return provision


def is_provisioned(cfg: Config) -> bool:
    """Facility code, database key and database all there (else `kiosk desk` runs the wizard)."""
    return bool(cfg.facility_code) and Path(cfg.key_file).exists() and db_path(cfg.data_dir).exists()
