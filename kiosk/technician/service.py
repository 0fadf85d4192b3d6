"""The technician's service layer: devices and their roles with live tests, certificate and key
status with expiry warnings, database key rotation, the gateway connectivity test, the diagnostics
bundle and the factory reset. Provisioning is kiosk.technician.provision.

Every method checks the role (`@requires`); a reception account cannot rotate the key even by
calling this class directly. Gateway calls and key work are slow: the UI calls from a worker.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.technician import devices as td
EXPIRY_WARN_DAYS = 30


class TechError(Exception):
    """A technician action that cannot be done; the message says what to fix."""


@dataclass
class TechContext:
    store: Any
    accounts: Any
    audit: Any
    clock: Any
    cfg: Any                                     # kiosk.config.Config (the effective settings)
    key_provider: Any = None                     # kiosk.store.keys.FileKeyProvider of the database key
    reopen: Callable[[bytes], Any] | None = None  # opens the store with a key (after a rotation)
    gateway: Any = None                          # GatewayClient
    printer: Any = None                          # printer driver with print_ticket(TicketLayout)
    last_scan: Callable[[], Any] = lambda: None  # the newest scanner read (ScanRead) or None
    pcsc_connect: Callable[[str], Any] | None = None
    camera_open: Callable[[int], Any] | None = None
    discovery: dict = field(default_factory=dict)   # keyword overrides for tech_devices.discover
    on_reopen: list = field(default_factory=list)   # callbacks(store) after the store was reopened

    def rebind(self, store) -> None:
        """Point everything at a reopened store (the old connection is closed after a rotation)."""
        from kiosk.security.audit_log import AuditLog
        self.store, self.audit = store, AuditLog(store)
        self.accounts.store, self.accounts.audit = store, self.audit
        for callback in self.on_reopen:
            callback(store)

    def record(self, session, action: str, target: str | None, details: dict | None = None) -> int:
        return self.audit.append(session.username, session.role.value, action, target, details or {})


@dataclass(frozen=True)
class CertStatus:
    source: str                   # pkcs12 / pkcs11
    subject: str
    not_after: str | None
    days_left: int | None
    level: str                    # ok, warning, expired, error
    message: str


@dataclass(frozen=True)
class GatewayTest:
    token_ok: bool
    token_ms: float
    card_code: str | None
    card_words: str
    card_ms: float
    message: str


class TechnicianService:
    def __init__(self, ctx: TechContext):
        self.ctx = ctx
        self.accounts = ctx.accounts
        from kiosk.technician.staff import StaffAdmin
        self.staff = StaffAdmin(ctx)

    @property
    def store(self):
        return self.ctx.store

    # ------------------------------------------------------------ devices
    @requires(P.MANAGE_DEVICES)
    def devices(self, session) -> td.Discovery:
        found = td.discover(**self.ctx.discovery)
        assigned = {(d.address): d.role for d in self.store.devices.list()}
        found.devices = [replace(d, assigned_role=assigned.get(d.address)) for d in found.devices]
        return found

    @requires(P.MANAGE_DEVICES)
    def assign(self, session, device: td.FoundDevice, role: str) -> Any:
        with self.store.transaction():
            row = self.store.devices.upsert(role, device.driver_kind or device.kind, device.address,
                                            name=device.name, enabled=True)
            self.ctx.record(session, "device.assign", f"device:{row.id}",
                            {"role": role, "kind": row.kind, "address": device.address})
        return row

    @requires(P.MANAGE_DEVICES)
    def test_scanner(self, session) -> td.DeviceTestResult:
        read = self.ctx.last_scan()
        if read is None:
            result = td.DeviceTestResult(False, "no scan yet: scan any QR code")
        else:
            data = getattr(read, "data", b"")
            result = td.DeviceTestResult(True, f"last scan from {getattr(read, 'source', '?')}: {len(data)} bytes")
        return self._tested(session, "scanner", result)

    @requires(P.MANAGE_DEVICES)
    def test_reader(self, session, reader: str) -> td.DeviceTestResult:
        return self._tested(session, "reader", td.pcsc_card_test(reader, self.ctx.pcsc_connect))

    @requires(P.MANAGE_DEVICES)
    def test_printer(self, session) -> td.DeviceTestResult:
        if self.ctx.printer is None:
            return td.DeviceTestResult(False, "no printer configured")
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return self._tested(session, "printer", td.print_test_page(self.ctx.printer, self.ctx.cfg.facility_name,
                                                                   self.ctx.cfg.kiosk_id, when))

    @requires(P.MANAGE_DEVICES)
    def test_camera(self, session, index: int = 0) -> td.DeviceTestResult:
        return self._tested(session, "camera", td.camera_frame(index, self.ctx.camera_open))

    def _tested(self, session, what: str, result: td.DeviceTestResult) -> td.DeviceTestResult:
        with self.store.transaction():
            self.ctx.record(session, "device.test", what, {"ok": result.ok})
        return result

    # ------------------------------------------------------------ certificate and keys
    @requires(P.PROVISION)
    def cert_status(self, session, signer_loader: Callable[[], Any] | None = None) -> CertStatus:
        cfg = self.ctx.cfg
        try:
            if signer_loader is None:
                from kiosk.settings_map import signer as signer_of
                signer = signer_of(cfg)
            else:
                signer = signer_loader()
            cert = signer.certificate
        except Exception as exc:  # noqa: BLE001 - SigningError, missing file, token absent
            return CertStatus(cfg.signing_source, "", None, None, "error", f"signing key unusable: {exc}")
        not_after = cert.not_valid_after_utc
        days = (not_after - self.ctx.clock.now()).days
        level = "expired" if days < 0 else "warning" if days < EXPIRY_WARN_DAYS else "ok"
        message = {"expired": "Chứng thư đã HẾT HẠN / the certificate has EXPIRED: uploads will be refused",
                   "warning": f"Chứng thư sắp hết hạn / the certificate expires in {days} days: renew it",
                   "ok": f"Còn hiệu lực / valid for {days} more days"}[level]
        return CertStatus(cfg.signing_source, cert.subject.rfc4514_string(), not_after.isoformat(), days, level,
                          message)

    @requires(P.ROTATE_KEY)
    def rotate_key(self, session) -> Path:
        """Rotate the database key in place: PRAGMA rekey on a connection of its own, then reopen.

        PRAGMA rekey cannot run inside a transaction, so the audit entry follows the rotation
        (written with the new key); a failed rotation is audited with the old key, unchanged.
        """
        from kiosk.store.keys import FileKeyProvider
        from kiosk.store.rekey import rekey
        ctx = self.ctx
        if ctx.key_provider is None or ctx.reopen is None:
            raise TechError("key rotation needs the key file provider and a way to reopen the store")
        old = ctx.key_provider
        staged = FileKeyProvider(Path(str(old.path) + ".next"))
        data_dir = Path(ctx.cfg.data_dir)
        ctx.store.close()
        try:
            result = rekey(data_dir, old, old, new_path=old.path, old_path=old.path, staged=staged)
        except Exception as exc:
            ctx.rebind(ctx.reopen(old.load()))
            with ctx.store.transaction():
                ctx.record(session, "key.rotate_failed", "database", {"error": type(exc).__name__})
            raise TechError(f"key rotation failed, the old key is kept: {exc}") from None
        ctx.rebind(ctx.reopen(old.load()))
        with ctx.store.transaction():
            ctx.record(session, "key.rotate", "database", {"resumed": result.resumed})
        return result.key_path

    # ------------------------------------------------------------ gateway
    @requires(P.PROVISION)
    def gateway_test(self, session) -> GatewayTest:
        from kiosk.gateway.results import GatewayError, code_info
        cfg, client = self.ctx.cfg, self.ctx.gateway
        if client is None:
            raise TechError("no gateway client configured")
        t0 = time.monotonic()
        try:
            client.token()
            token_ok, message = True, "token received"
        except GatewayError as exc:
            token_ok, message = False, f"token refused or unreachable: {exc}"
        t1 = time.monotonic()
        code, words = None, "no test card configured (gateway_test_card)"
        card = getattr(cfg, "gateway_test_card", "")
        if token_ok and card:
            result = client.check_card(card, cfg.gateway_test_name, cfg.gateway_test_birth)
            code, words = result.code, code_info(result.code).staff_detail
        t2 = time.monotonic()
        with self.store.transaction():
            self.ctx.record(session, "gateway.test", cfg.gateway_url, {"token_ok": token_ok, "card_code": code})
        return GatewayTest(token_ok, (t1 - t0) * 1000, code, words, (t2 - t1) * 1000, message)

    @requires(P.PROVISION)
    def hub_test(self, session) -> list:
        """The facility hub check (kiosk.facility.hub_check: connect, a least-privilege role, TLS
        when hub_dsn says verify-full, the schema version), audited like the gateway test."""
        from kiosk.facility.hub_check import check_hub
        cfg = self.ctx.cfg
        if not cfg.hub_dsn:
            raise TechError("Ki-ốt độc lập: chưa cài máy chủ cơ sở / standalone kiosk: no hub_dsn set")
        pw = cfg.hub_password_file
        items = check_hub(cfg.hub_dsn, pw if str(pw) not in ("", ".") else None, tls_required=cfg.hub_tls_required)
        with self.store.transaction():
            self.ctx.record(session, "hub.test", "hub", {i.name: i.ok for i in items})
        return items

    # ------------------------------------------------------------ diagnostics and reset
    @requires(P.EXPORT_DIAGNOSTICS)
    def diagnostics(self, session, out_path: Path) -> Path:
        from kiosk.technician.diag import write_bundle
        found = td.discover(**self.ctx.discovery)
        path = write_bundle(Path(out_path), self.ctx.cfg, self.store, found)
        with self.store.transaction():
            self.ctx.record(session, "diagnostics.export", path.name, {"bytes": path.stat().st_size})
        return path

    @requires(P.FACTORY_RESET)
    def factory_reset(self, session, typed: str) -> list[str]:
        """Crypto-erase after a typed confirmation: the key file first, then the data files."""
        from kiosk.technician.diag import confirmation_phrase, crypto_erase
        expected = confirmation_phrase(self.ctx.cfg)
        if typed.strip() != expected:
            raise TechError(f"type exactly: {expected}")
        with self.store.transaction():
            self.ctx.record(session, "factory.reset", "kiosk", {"kiosk_id": self.ctx.cfg.kiosk_id})
        self.store.close()
        return crypto_erase(self.ctx.key_provider.path if self.ctx.key_provider else Path(self.ctx.cfg.key_file),
                            Path(self.ctx.cfg.data_dir))

    @requires(P.VIEW_AUDIT)
    def audit_tail(self, session, limit: int = 50) -> list:
        return self.store.audit.list(limit=limit)


def settings_json(cfg) -> str:
    return json.dumps(cfg.redacted(), ensure_ascii=False, indent=1, default=str)
