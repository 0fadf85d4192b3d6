"""A desk PC on the hub for the tests: the real HubStaffServices (hub_desk role, LISTEN feed) with
cheap Argon2 parameters and facility staff accounts made with the hub owner's DSN."""
from __future__ import annotations

from pathlib import Path

import psycopg

from kiosk.config import load
from kiosk.facility.hub_staff import add_staff
from kiosk.security.pins import PinHasher

PINS = {"le.tan": "604918", "bac.si": "815237", "quan.tri": "739251"}
ROLES = {"le.tan": "reception", "bac.si": "clinician", "quan.tri": "admin"}
HASHER = PinHasher(time_cost=1, memory_cost=8 * 1024)


def desk_config(tmp_path: Path, kiosk_id: str = "Q1"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "kiosk.toml").write_text("", encoding="utf-8")
    return load(tmp_path / "kiosk.toml", env={}).replace(
        facility_code="79001", facility_name="Bệnh viện Thử nghiệm", facility_head_code="GD79001",
        kiosk_id=kiosk_id, data_dir=tmp_path / "desk-data", pin_max_failures=3)


def add_accounts(hub) -> None:
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        for user, pin in PINS.items():
            add_staff(conn, user, user.replace(".", " ").title(), ROLES[user], pin, hasher=HASHER)


def desk_services(hub, tmp_path: Path, clock, signer, *, gateway=None, name: str = "Q1"):
    from kiosk.staff import HubStaffServices
    return HubStaffServices(desk_config(tmp_path / name, name), clock, dsn=hub.dsn("hub_desk"), sign=signer.sign,
                            hasher=HASHER, gateway=gateway, desk_name=name)
