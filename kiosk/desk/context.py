"""What every desk service shares: the store, the staff accounts (the role guard), the audit log,
the clock, the facility settings, the signer, the gateway client and the ticket printer.

Desk services are synchronous and use the store from ONE thread (the UI's db worker); they never
touch Qt. Every staff method is wrapped in `@requires(Permission.X)` and writes its audit entry
in the same transaction as its change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from kiosk.core.clock import Clock
from kiosk.core.views import ServiceOption


class DeskError(Exception):
    """A desk action that cannot be done; the message says why (no personal data)."""


@dataclass(frozen=True)
class DeskSettings:
    facility_code: str
    facility_name: str
    kiosk_id: str
    services: tuple[ServiceOption, ...]
    ticket_format: str = "{letter}{kiosk}-{seq:03d}"
    ma_doituong_kcb: str = "1.1"     # default MA_DOITUONG_KCB (kiosk.gateway.codes)
    head_code: str = ""              # MA_TTDV: the facility head's code on XML13/XML14
    elderly_age: int = 75
    revision: str = "3176"           # gateway_revision: the XML13/XML14 layouts

    def service(self, code: str) -> ServiceOption:
        for s in self.services:
            if s.code == code:
                return s
        raise DeskError(f"unknown service code {code!r}")


@dataclass
class DeskContext:
    store: Any                                   # kiosk.store.store.Store
    accounts: Any                                # kiosk.security.accounts.StaffAccounts
    audit: Any                                   # kiosk.security.audit_log.AuditLog
    clock: Clock
    settings: DeskSettings
    sign: Callable[[bytes], bytes]               # XML-DSig signer of the facility
    gateway: Any = None                          # kiosk.gateway.client.GatewayClient, None offline
    printer: Any = None                          # kiosk.core.ports.TicketPrinter
    extras: dict = field(default_factory=dict)
    sync_trouble: Callable[[], str | None] | None = None   # the upload worker is down: staff wording (M4)

    def record(self, session, action: str, target: str | None, details: dict | None = None) -> int:
        """Audit entry for a staff action (call inside the change's transaction)."""
        return self.audit.append(session.username, session.role.value, action, target, details or {})


class DeskPart:
    """Base of the desk services: `self.accounts` is what `@requires` checks against."""

    def __init__(self, ctx: DeskContext):
        self.ctx = ctx
        self.accounts = ctx.accounts

    @property
    def store(self):
        return self.ctx.store
