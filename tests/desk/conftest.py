"""Desk and technician fixtures: a real SQLCipher store, real staff accounts (cheap Argon2
parameters), the facility's dev signing identity, the gateway simulator over HTTP and the
simulated printer."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from kiosk.config import load
from kiosk.core.clock import FakeClock
from kiosk.security.accounts import StaffAccounts
from kiosk.security.audit_log import AuditLog
from kiosk.security.pins import PinHasher
from kiosk.security.roles import Role
from kiosk.store import open_store
from kiosk.settings_map import desk_settings

PINS = {"admin": "739251", "le.tan": "604918", "bac.si": "815237", "ky.thuat": "551902"}


@pytest.fixture(scope="session")
def dev_identity(tmp_path_factory):
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    return ensure_dev_identity(tmp_path_factory.mktemp("devcert"), "79001")


@pytest.fixture(scope="session")
def signer(dev_identity):
    from kiosk.gateway.signing import pkcs12_signer
    return pkcs12_signer(dev_identity.p12_path, dev_identity.password)


@pytest.fixture(scope="session")
def gateway_sim(tmp_path_factory, dev_identity):
    from kiosk.demo.sim_cards import start_demo_simulator
    handle = start_demo_simulator(tmp_path_factory.mktemp("sim"), facility_cert_pem=dev_identity.cert_pem)
    yield handle
    handle.stop()


@pytest.fixture
def gateway_client(gateway_sim):
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.sim.server import SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD, SIM_USERNAME
    # every test's kiosk starts a fresh database, so its MA_LKs repeat the previous test's: like two
    # kiosks on one kiosk_id, the gateway would hold someone else's file under them (now a conflict
    # for the desk, never an ack). A fresh gateway per test, then.
    gateway_sim.state.store.reset()
    return GatewayClient(gateway_sim.url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                         facility_code="79001", read_timeout=10)


@pytest.fixture
def desk_config(tmp_path):
    (tmp_path / "kiosk.toml").write_text("", encoding="utf-8")
    return load(tmp_path / "kiosk.toml", env={}).replace(
        facility_code="79001", facility_name="Bệnh viện Thử nghiệm", facility_head_code="GD79001",
        kiosk_id="1", data_dir=tmp_path / "data", key_file=tmp_path / "keys" / "db.key", printer="sim")


@pytest.fixture
def desk_env(tmp_path, desk_config, signer, gateway_client):
    """Store, accounts with one account per role, and the Desk services over them."""
    from drivers.printer.sim import SimPrinter
    from kiosk.desk.visits import Desk
    from kiosk.desk.context import DeskContext
    from kiosk.desk.icd10 import Icd10Index
    from kiosk.devices.printer import DriverTicketPrinter

    clock = FakeClock(datetime.now(timezone.utc).replace(hour=2, minute=0, second=0, microsecond=0))
    key = os.urandom(32)
    store = open_store(desk_config.data_dir, key, create=True, clock=clock, check_same_thread=False)
    audit = AuditLog(store)
    accounts = StaffAccounts(store, audit, clock, PinHasher(time_cost=1, memory_cost=8 * 1024),
                             max_failures=3, session_minutes=5)
    accounts.create(None, "admin", "Quản trị", Role.ADMIN, PINS["admin"])
    admin = accounts.sign_in("admin", PINS["admin"])
    accounts.create(admin, "le.tan", "Lễ tân", Role.RECEPTION, PINS["le.tan"], badge="BADGE-0001")
    accounts.create(admin, "bac.si", "Bác sĩ", Role.CLINICIAN, PINS["bac.si"])
    accounts.create(admin, "ky.thuat", "Kỹ thuật", Role.TECHNICIAN, PINS["ky.thuat"])
    sessions = {name: accounts.sign_in(name, pin) for name, pin in PINS.items()}
    printer_driver = SimPrinter(tmp_path / "tickets")
    ctx = DeskContext(store, accounts, audit, clock, desk_settings(desk_config), signer.sign,
                      gateway_client, DriverTicketPrinter(printer_driver, "1"))
    desk = Desk.build(ctx, Icd10Index.shared())
    yield SimpleNamespace(store=store, audit=audit, accounts=accounts, clock=clock, ctx=ctx, desk=desk,
                          s=sessions, key=key, cfg=desk_config, printer=printer_driver)
    store.close()


def demo_form(key: str = "valid_bhyt", service: str = "K01", **changes):
    """A manual check-in form for one of the synthetic demo people."""
    from kiosk.demo.people import by_key
    from kiosk.desk.checkin import ManualCheckinForm
    ident = by_key(key).identity
    b = ident.birth_date
    values = dict(full_name=ident.full_name, birth_date=str(b), gender=int(ident.person.gender),
                  service_code=service, cccd=ident.cccd.number if ident.cccd else "",
                  card=(ident.bhyt.code15 or ident.bhyt.bhxh_number10) if ident.bhyt else "")
    values.update(changes)
    return ManualCheckinForm(**values)


def nameless_visit(env, typed: str, service: str = "K01") -> int:
    """A first-time patient's visit as the kiosk makes it when an unknown number is typed on the keypad
    (the real resolver and ticket issuer): needs desk, nameless patient, the check-in (XML0) held."""
    from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer
    from kiosk.checkin.resolver import StoreIdentityResolver
    from kiosk.core.ports import IssueRequest
    from kiosk.core.views import ReadSource
    st = env.ctx.settings
    res = StoreIdentityResolver(env.store, env.clock).resolve(ReadSource.TYPED, typed)
    assert res.view.unconfirmed
    issuer = StoreTicketIssuer(env.store, IssuingSettings(st.facility_code, st.kiosk_id, st.services),
                               env.ctx.sign, env.clock, audit=env.audit)
    ticket = issuer.issue(IssueRequest(res, service, None, False, res.cached_eligibility, None))
    return env.store.tickets.get(ticket.ticket_id).visit_id


def shoot(widget, name: str) -> None:
    """Save a screenshot into $DESK_SCREENSHOTS (docs/screenshots when regenerating them)."""
    target = os.environ.get("DESK_SCREENSHOTS")
    if target:
        from pathlib import Path
        Path(target).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(target) / f"{name}.png"))


@pytest.fixture
def worker(qapp):
    from kiosk.ui.desk.worker import DbWorker
    w = DbWorker()
    yield w
    w.shutdown()


def settle(qtbot, worker, timeout=10000):
    """Wait until every job on the db worker ran and its callbacks were delivered."""
    qtbot.waitUntil(lambda: not worker.busy, timeout=timeout)
