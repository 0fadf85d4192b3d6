"""Facility staff accounts and the hub's keyed audit chain (hub migration 0002), on the real cluster."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.facility.hub_staff import HubAudit, HubLink, HubStaffStore, add_staff, list_staff, verify_audit
from kiosk.security.accounts import SignInError, StaffAccounts
from kiosk.security.audit_chain import entry_hash
from kiosk.security.pins import PinPolicyError
from kiosk.security.roles import Role
from tests.facility.desk_helpers import HASHER, PINS, add_accounts


def _accounts(hub, clock=None):
    clock = clock or FakeClock()
    link = HubLink(hub.dsn("hub_desk"))
    return StaffAccounts(HubStaffStore(link, clock), HubAudit(link), clock, HASHER, max_failures=3), link


def test_sign_in_with_a_facility_account_is_audited_at_the_hub(hub):
    add_accounts(hub)
    accounts, link = _accounts(hub)
    try:
        s = accounts.sign_in("le.tan", PINS["le.tan"])
        assert s.role is Role.RECEPTION and s.username == "le.tan"
        with pytest.raises(SignInError) as bad:
            accounts.sign_in("le.tan", "999999")
        assert bad.value.code == "bad_credentials"
        with pytest.raises(SignInError):
            accounts.sign_in("nobody", "604918")
    finally:
        link.close()
    with psycopg.connect(hub.admin_dsn()) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM hub_audit ORDER BY id")]
        client = conn.execute("SELECT client FROM hub_audit WHERE action = 'staff.sign_in'").fetchone()[0]
        assert actions == ["staff.create"] * 3 + ["staff.sign_in", "staff.sign_in_failed"]
        assert verify_audit(conn).ok and verify_audit(conn).entries == 5
    assert client is not None


def test_failures_from_several_desks_are_counted_atomically_and_lock(hub):
    add_accounts(hub)
    desks = [_accounts(hub) for _ in range(6)]
    errors: list[str] = []
    barrier = threading.Barrier(6)

    def guess(accounts):
        barrier.wait()
        try:
            accounts.sign_in("bac.si", "111223")
        except SignInError as exc:
            errors.append(exc.code)
    threads = [threading.Thread(target=guess, args=(a,)) for a, _ in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        with psycopg.connect(hub.admin_dsn()) as conn:
            failures, locked = conn.execute("SELECT failed_attempts, locked_until_ts FROM hub_staff "
                                            "WHERE username = 'bac.si'").fetchone()
        # 6 parallel wrong PINs, lockout after 3: the row lock makes each attempt see the ones before it,
        # so exactly 3 are charged (2 plain refusals, the 3rd locks) and the other 3 find the lock
        assert failures == 3 and locked > 0
        assert sorted(errors) == ["bad_credentials"] * 2 + ["locked"] * 4
        with pytest.raises(SignInError) as still:           # the right PIN does not get past the lock
            desks[0][0].sign_in("bac.si", PINS["bac.si"])
        assert still.value.code == "locked"
    finally:
        for _, link in desks:
            link.close()


def test_hub_chain_hash_is_the_local_chains_hmac_known_answer(hub):
    """The hub computes the entry's HMAC in SQL; kiosk.security.audit_chain computes the same bytes."""
    link = HubLink(hub.dsn("hub_desk"))
    details = json.dumps({"lý do": "thẻ hết hạn\tđã xem", "n": 1}, ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"))
    try:
        HubAudit(link).append("lê.tân", "reception", "visit.override", "visit:79001K1-1", {"lý do": "thẻ hết hạn\tđã xem",
                                                                                          "n": 1})
    finally:
        link.close()
    with psycopg.connect(hub.admin_dsn()) as conn:
        key = bytes(conn.execute("SELECT key FROM hub_audit_key").fetchone()[0])
        row = conn.execute("SELECT at, prev_hash, hash, details FROM hub_audit").fetchone()
    assert row[3] == details and row[1] == "0" * 64
    payload = json.dumps(["0" * 64, row[0], "lê.tân", "reception", "visit.override", "visit:79001K1-1", details],
                         ensure_ascii=False, separators=(",", ":")).encode()
    assert row[2] == "h1:" + hmac.new(key, payload, hashlib.sha256).hexdigest()
    assert row[2] == entry_hash("0" * 64, row[0], "lê.tân", "reception", "visit.override", "visit:79001K1-1",
                                details, key)


def test_tampering_is_caught_and_desks_cannot_touch_key_or_chain(hub):
    add_accounts(hub)
    with hub.connect("hub_desk") as desk:
        for sql in ("SELECT key FROM hub_audit_key", "UPDATE hub_audit SET actor = 'x'", "DELETE FROM hub_audit",
                    "UPDATE hub_audit_head SET count = 0",
                    "INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner) "
                    "VALUES ('dossier', 'x', 'k', '\\x00', 'h', 'kiosk:1')",
                    "UPDATE hub_staff SET role = 'admin'",
                    "INSERT INTO hub_staff (username, display_name, role, pin_hash) VALUES ('x', 'x', 'admin', 'h')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                desk.execute(sql)
            desk.rollback()
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        assert verify_audit(conn).ok
        conn.execute("UPDATE hub_audit SET details = '{\"role\":\"reception\"}' WHERE id = 3")
        bad = verify_audit(conn)
        assert not bad.ok and bad.first_broken_id == 3 and "edited" in bad.reason
        conn.execute("UPDATE hub_audit SET details = '{\"role\":\"admin\"}' WHERE id = 3")
        assert verify_audit(conn).ok
        conn.execute("DELETE FROM hub_audit WHERE id = (SELECT max(id) FROM hub_audit)")
        cut = verify_audit(conn)
        assert not cut.ok and "removed at the end" in cut.reason


def test_staff_policy_and_listing(hub):
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        with pytest.raises(PinPolicyError):
            add_staff(conn, "weak", "Weak", "reception", "123456", hasher=HASHER)
        with pytest.raises(ValueError):
            add_staff(conn, "who", "Who", "janitor", "604918", hasher=HASHER)
        add_staff(conn, "le.tan", "Lê Tân", "reception", PINS["le.tan"], hasher=HASHER)
    with hub.connect("hub_desk") as desk:
        rows = list_staff(desk)
    assert [(r["username"], r["role"], r["failures"]) for r in rows] == [("le.tan", "reception", 0)]


def test_hub_staff_and_audit_commands(hub, tmp_path):
    import os
    import subprocess
    import sys

    def kiosk(*argv, pin=None):
        env = dict(os.environ, PYTHONPATH=os.getcwd())
        if pin is not None:
            env["KIOSK_STAFF_PIN"] = pin
        return subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path), "hub", *argv],
                              capture_output=True, text=True, env=env, timeout=120)
    add = kiosk("staff", "add", "--dsn", hub.admin_dsn(), "--username", "le.tan", "--role", "reception",
                pin=PINS["le.tan"])
    assert add.returncode == 0 and "staff account le.tan (reception) created" in add.stdout, add.stderr
    assert kiosk("staff", "add", "--dsn", hub.admin_dsn(), "--username", "le.tan", "--role", "reception",
                 pin=PINS["le.tan"]).returncode == 1
    weak = kiosk("staff", "add", "--dsn", hub.admin_dsn(), "--username", "x", "--role", "admin", pin="111111")
    assert weak.returncode == 2 and "PIN" in weak.stderr
    listed = kiosk("staff", "list", "--json", "--dsn", hub.dsn("hub_desk"))
    assert [r["username"] for r in json.loads(listed.stdout)] == ["le.tan"]
    ok = kiosk("audit", "verify", "--dsn", hub.admin_dsn())
    assert ok.returncode == 0 and "hub audit chain OK: 1 entries" in ok.stdout
    assert kiosk("audit", "verify", "--dsn", hub.dsn("hub_desk")).returncode == 2     # the key is the owner's
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("UPDATE hub_audit SET actor = 'someone else'")
    bad = kiosk("audit", "verify", "--dsn", hub.admin_dsn())
    assert bad.returncode == 1 and "BROKEN at entry 1" in bad.stderr


def test_kiosk_desk_recipe_with_hub_dsn_logs_in_as_the_desk_role(hub, tmp_path, signer):
    """`kiosk desk` asks for the hub: the password comes from the key-store file, never the TOML."""
    from kiosk.staff import HubStaffServices, staff_services
    from tests.facility.desk_helpers import desk_config
    cfg = desk_config(tmp_path).replace(
        hub_dsn=f"host={hub.cluster.socket_dir} port={hub.cluster.port} user=hub_desk dbname={hub.dbname}",
        hub_password_file=hub.secrets / "hub_desk.password")
    add_accounts(hub)
    services = staff_services(cfg, None, hub=True, hasher=HASHER, sign=signer.sign)()
    try:
        assert isinstance(services, HubStaffServices) and services.live.online and services.tech is None
        assert services.accounts.sign_in("le.tan", PINS["le.tan"]).role is Role.RECEPTION
        user = services.link.execute("SELECT current_user").fetchone()[0]
        assert user == "hub_desk"
    finally:
        services.close()
