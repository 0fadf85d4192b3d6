"""Technician services: roles enforced in the service layer, key rotation on the real SQLCipher
file, the gateway test against the simulator, diagnostics, crypto-erase, device tests."""
from __future__ import annotations

import json
import zipfile
from types import SimpleNamespace

import pytest

from kiosk.security.roles import PermissionDenied
from kiosk.technician import devices as td
from kiosk.technician.service import TechContext, TechError, TechnicianService
from kiosk.store.db import WrongKeyError, connect, db_path
from kiosk.store.keys import FileKeyProvider
from kiosk.store.migrate import open_store

pytestmark = [pytest.mark.integration]


class FakeUsb:
    def __init__(self, vid, pid, cls):
        self.idVendor, self.idProduct, self.bDeviceClass = vid, pid, cls
        self.iManufacturer = self.iProduct = 0

    def __iter__(self):
        return iter(())


class FakeCard:
    def __init__(self, sw: bytes):
        self.sw, self.sent = sw, []

    def transmit(self, apdu):
        self.sent.append(apdu)
        return self.sw

    def disconnect(self):
        pass


@pytest.fixture
def tech(desk_env, gateway_client, tmp_path):
    env = desk_env
    key_file = env.cfg.key_file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    FileKeyProvider(key_file).replace(env.key)
    cfg = env.cfg.replace(gateway_test_card="DN4010100000101", gateway_test_name="NGUYỄN VĂN THỬ",
                          gateway_test_birth="12/04/1985", gateway_password="very-secret-pw", gateway_officer_name="NGUYỄN THỊ TRA CỨU",
                          gateway_username="79001_kiosk")
    card = FakeCard(b"\x90\x00")
    ctx = TechContext(env.store, env.accounts, env.audit, env.clock, cfg, FileKeyProvider(key_file),
                      reopen=lambda key: open_store(cfg.data_dir, key, clock=env.clock), gateway=gateway_client,
                      printer=env.printer, last_scan=lambda: SimpleNamespace(source="sim", data=b"0" * 12),
                      pcsc_connect=lambda reader: card,
                      discovery=dict(usb_finder=lambda: [FakeUsb(0x0c2e, 0x0b61, 0x03), FakeUsb(0x1d6b, 2, 0x09)],
                                     pcsc_lister=lambda: ["Virtual PCD 00 00"], serial_lister=lambda: [],
                                     camera_pattern=str(tmp_path / "no-video*"),
                                     printer_pattern=str(tmp_path / "no-lp*")))
    yield SimpleNamespace(env=env, ctx=ctx, svc=TechnicianService(ctx), card=card, s=env.s)
    ctx.store.close()


def test_reception_cannot_rotate_the_key_even_calling_the_service(tech):
    for who in ("le.tan", "bac.si"):
        with pytest.raises(PermissionDenied):
            tech.svc.rotate_key(tech.s[who])
    with pytest.raises(PermissionDenied):
        tech.svc.factory_reset(tech.s["le.tan"], "XOA KIOSK 1")
    with pytest.raises(PermissionDenied):
        tech.svc.devices(tech.s["le.tan"])
    assert tech.ctx.key_provider.load() == tech.env.key


def test_key_rotation_rekeys_the_database_and_keeps_working(tech):
    old_key = tech.env.key
    tech.svc.rotate_key(tech.s["ky.thuat"])
    new_key = tech.ctx.key_provider.load()
    assert new_key != old_key
    with pytest.raises(WrongKeyError):
        connect(db_path(tech.ctx.cfg.data_dir), old_key)
    assert tech.ctx.store.audit.list(limit=1)[0].action == "key.rotate"
    from kiosk.security.audit_log import AuditLog
    assert AuditLog(tech.ctx.store).verify().ok


def test_gateway_test_gets_a_token_and_checks_the_test_card(tech):
    result = tech.svc.gateway_test(tech.s["ky.thuat"])
    assert result.token_ok and result.card_code == "000" and result.card_words == "card valid"


def test_devices_listing_assignment_and_live_tests(tech):
    found = tech.svc.devices(tech.s["ky.thuat"])
    by_addr = {d.address: d for d in found.devices}
    assert "1d6b:0002" not in by_addr                        # hubs are not devices
    scanner = by_addr["0c2e:0b61"]
    assert scanner.suggested_role == "scanner" and scanner.driver_kind == "hidpos"
    tech.svc.assign(tech.s["ky.thuat"], scanner, "scanner")
    again = {d.address: d for d in tech.svc.devices(tech.s["ky.thuat"]).devices}
    assert again["0c2e:0b61"].assigned_role == "scanner"
    assert tech.svc.test_scanner(tech.s["ky.thuat"]).summary == "last scan from sim: 12 bytes"
    ok = tech.svc.test_reader(tech.s["ky.thuat"], "Virtual PCD 00 00")
    assert ok.ok and tech.card.sent == [td.EMRTD_SELECT]
    tech.card.sw = b"\x6a\x82"
    assert not tech.svc.test_reader(tech.s["ky.thuat"], "Virtual PCD 00 00").ok
    printed = tech.svc.test_printer(tech.s["ky.thuat"])
    assert printed.ok and printed.detail.exists()
    tech.env.printer.set_fault("paper_out")
    assert tech.svc.test_printer(tech.s["ky.thuat"]).summary == "printer: paper_out"


def test_certificate_status_warns_before_expiry(tech):
    from datetime import timedelta
    from kiosk.gateway.sim.devcert import generate_key_and_cert
    key, cert = generate_key_and_cert("soon", days=10)
    status = tech.svc.cert_status(tech.s["ky.thuat"], signer_loader=lambda: SimpleNamespace(certificate=cert))
    assert status.level == "warning" and "expires in" in status.message
    tech.env.clock.advance(timedelta(days=12).total_seconds())
    with pytest.raises(PermissionDenied, match="inactivity"):      # the session ended meanwhile
        tech.svc.cert_status(tech.s["ky.thuat"], signer_loader=lambda: SimpleNamespace(certificate=cert))
    again = tech.env.accounts.sign_in("ky.thuat", "551902")
    status = tech.svc.cert_status(again, signer_loader=lambda: SimpleNamespace(certificate=cert))
    assert status.level == "expired"


def test_diagnostics_bundle_redacts_secrets(tech, tmp_path):
    logs = tech.ctx.cfg.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "kiosk.log").write_text("INFO card check: maKetQua 000 -> valid\n")
    path = tech.svc.diagnostics(tech.s["ky.thuat"], tmp_path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert {"settings.json", "versions.json", "devices.json", "outbox.json", "audit_verify.json",
                "logs/kiosk.log"} <= names
        blob = b"".join(z.read(n) for n in names)
        settings = json.loads(z.read("settings.json"))
    assert b"very-secret-pw" not in blob and settings["gateway_password"] == "***"
    assert not any(n.endswith((".db", ".key", ".p12")) for n in names)
    # minor 26: the bundle is 0600 and names no person (officer, gateway account)
    import stat
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for name in ("gateway_officer_name", "gateway_username"):
        assert settings[name] in ("", "***")
        if getattr(tech.ctx.cfg, name):
            assert getattr(tech.ctx.cfg, name).encode() not in blob


def test_factory_reset_needs_the_typed_phrase_and_erases_the_key_first(tech):
    with pytest.raises(TechError, match="XOA KIOSK 1"):
        tech.svc.factory_reset(tech.s["admin"], "yes")
    key_path = tech.ctx.key_provider.path
    removed = tech.svc.factory_reset(tech.s["admin"], "XOA KIOSK 1")
    assert removed[0] == str(key_path) and not key_path.exists()
    assert not tech.ctx.cfg.data_dir.exists()
    tech.ctx.store = SimpleNamespace(close=lambda: None)
