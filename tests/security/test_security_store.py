"""Accounts, lockout, sessions and the audit chain against a real SQLCipher store."""
import os

import pytest

from kiosk.core.clock import FakeClock
from kiosk.security.accounts import SessionExpired, SignInError, StaffAccounts, requires
from kiosk.security.audit_log import AuditLog
from kiosk.security.pins import PinHasher
from kiosk.security.roles import Permission, PermissionDenied, Role
from kiosk.store import open_store


@pytest.fixture
def env(tmp_path):
    clock = FakeClock()
    store = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock)
    audit = AuditLog(store)
    accounts = StaffAccounts(store, audit, clock, PinHasher(time_cost=1, memory_cost=8 * 1024),
                             max_failures=3, session_minutes=5)
    admin = None
    admin_acc = accounts.create(None, "admin", "Quản trị", Role.ADMIN, "739251")
    admin = accounts.sign_in("admin", "739251")
    accounts.create(admin, "le.tan", "Lễ tân 1", Role.RECEPTION, "604918")
    accounts.create(admin, "ky.thuat", "Kỹ thuật", Role.TECHNICIAN, "551902")
    yield store, audit, accounts, clock, admin_acc
    store.close()


class KeyService:
    """A stand-in service shaped like the real ones: the guard runs before the body."""

    def __init__(self, accounts):
        self.accounts, self.rotated = accounts, 0

    @requires(Permission.ROTATE_KEY)
    def rotate(self, session):
        self.rotated += 1


def test_reception_cannot_rotate_key_even_calling_the_service(env):
    store, audit, accounts, clock, _ = env
    service = KeyService(accounts)
    reception = accounts.sign_in("le.tan", "604918")
    with pytest.raises(PermissionDenied, match="reception"):
        service.rotate(reception)
    with pytest.raises(PermissionDenied):
        service.rotate(None)
    assert service.rotated == 0
    service.rotate(accounts.sign_in("ky.thuat", "551902"))
    assert service.rotated == 1


def test_first_account_must_be_admin_and_later_ones_need_manage_staff(tmp_path):
    clock = FakeClock()
    store = open_store(tmp_path / "d", os.urandom(32), create=True, clock=clock)
    accounts = StaffAccounts(store, AuditLog(store), clock, PinHasher(time_cost=1, memory_cost=8 * 1024))
    with pytest.raises(PermissionDenied):
        accounts.create(None, "x", "X", Role.RECEPTION, "739251")
    accounts.create(None, "admin", "A", Role.ADMIN, "739251")
    with pytest.raises(PermissionDenied):
        accounts.create(None, "y", "Y", Role.ADMIN, "739251")
    store.close()


def test_lockout_with_growing_delay(env):
    store, audit, accounts, clock, _ = env
    for _ in range(2):
        with pytest.raises(SignInError) as err:
            accounts.sign_in("le.tan", "000001")
        assert err.value.code == "bad_credentials"
    with pytest.raises(SignInError) as err:
        accounts.sign_in("le.tan", "000001")
    assert err.value.code == "locked" and err.value.retry_after == 30
    with pytest.raises(SignInError) as err:  # even the right PIN waits out the lock
        accounts.sign_in("le.tan", "604918")
    assert err.value.code == "locked"
    clock.advance(31)
    with pytest.raises(SignInError) as err:
        accounts.sign_in("le.tan", "000001")
    assert err.value.retry_after == 60  # the delay doubles
    clock.advance(61)
    session = accounts.sign_in("le.tan", "604918")
    assert session.role is Role.RECEPTION
    assert store.staff.by_username("le.tan").failed_attempts == 0


def test_unknown_user_and_wrong_pin_look_the_same(env):
    _, _, accounts, _, _ = env
    with pytest.raises(SignInError) as a:
        accounts.sign_in("nobody", "604918")
    with pytest.raises(SignInError) as b:
        accounts.sign_in("le.tan", "999999")
    assert (a.value.code, str(a.value)) == (b.value.code, str(b.value))


def test_session_ends_after_inactivity(env):
    _, _, accounts, clock, _ = env
    session = accounts.sign_in("le.tan", "604918")
    clock.advance(4 * 60)
    accounts.require(session, Permission.REPRINT)  # activity extends the session
    clock.advance(4 * 60)
    accounts.require(session, Permission.REPRINT)
    clock.advance(5 * 60 + 1)
    with pytest.raises(SessionExpired):
        accounts.require(session, Permission.REPRINT)


def test_audit_chain_verifies_and_names_tampered_entry(env):
    store, audit, accounts, clock, _ = env
    for i in range(5):
        audit.append("le.tan", "reception", "ticket.reprint", f"ticket:{i}", {"reason": "paper jam"})
    verdict = audit.verify()
    assert verdict.ok and verdict.entries == store.audit.count()
    entries = list(store.audit.iter_all())
    victim = entries[4]
    # tamper below the application: drop the append-only trigger as an attacker with the key would
    store.conn.execute("DROP TRIGGER audit_log_no_update")
    store.conn.execute("UPDATE audit_log SET target = 'ticket:99' WHERE id = ?", (victim.id,))
    verdict = audit.verify()
    assert (verdict.ok, verdict.first_broken_id) == (False, victim.id) and "edited" in verdict.reason


def _entries(store, audit, n):
    base = store.audit.count()
    for i in range(n):
        audit.append("le.tan", "reception", "visit.cancel", f"visit:{i}", {})
    return [e.id for e in store.audit.iter_all()][base:]


def test_audit_detects_a_deleted_entry(env):
    store, audit, _, _, _ = env
    ids = _entries(store, audit, 4)
    store.conn.execute("DROP TRIGGER audit_log_no_delete")
    store.conn.execute("DELETE FROM audit_log WHERE id = ?", (ids[1],))
    assert audit.verify().first_broken_id == ids[2]


def test_audit_detects_reordered_entries(env):
    store, audit, _, _, _ = env
    ids = _entries(store, audit, 4)
    store.conn.execute("DROP TRIGGER audit_log_no_update")
    a, b = ids[1], ids[2]
    rows = {r["id"]: dict(r) for r in store.conn.execute("SELECT * FROM audit_log WHERE id IN (?, ?)", (a, b))}
    cols = ("at", "actor", "role", "action", "target", "details", "prev_hash", "hash")
    for src, dst in ((a, b), (b, a)):
        store.conn.execute(f"UPDATE audit_log SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                           (*[rows[src][c] for c in cols], dst))
    verdict = audit.verify()
    assert (verdict.ok, verdict.first_broken_id) == (False, a) and "reordered" in verdict.reason


def test_audit_detects_a_removed_tail(env):
    store, audit, _, _, _ = env
    ids = _entries(store, audit, 3)
    store.conn.execute("DROP TRIGGER audit_log_no_delete")
    store.conn.execute("DELETE FROM audit_log WHERE id = ?", (ids[-1],))
    verdict = audit.verify()
    assert not verdict.ok and "removed at the end" in verdict.reason


def test_append_only_triggers_refuse_edits(env):
    store, audit, _, _, _ = env
    ids = _entries(store, audit, 1)
    with pytest.raises(Exception, match="append-only"):
        store.conn.execute("UPDATE audit_log SET actor = 'x' WHERE id = ?", (ids[0],))
    with pytest.raises(Exception, match="append-only"):
        store.conn.execute("DELETE FROM audit_log WHERE id = ?", (ids[0],))


def test_sign_in_events_are_audited(env):
    store, audit, accounts, _, _ = env
    with pytest.raises(SignInError):
        accounts.sign_in("le.tan", "111112")
    actions = [e.action for e in store.audit.list(limit=3)]
    assert actions[0] == "staff.sign_in_failed"
    assert audit.verify().ok


def test_badge_sign_in_needs_the_badge_and_the_pin(env):
    store, audit, accounts, _, _ = env
    admin = accounts.sign_in("admin", "739251")
    accounts.create(admin, "bac.si", "Bác sĩ", Role.CLINICIAN, "582913", badge="BADGE-0042")
    session = accounts.sign_in_badge("BADGE-0042", "582913")
    assert (session.username, session.role) == ("bac.si", Role.CLINICIAN)
    assert store.audit.list(limit=1)[0].action == "staff.sign_in"
    for badge, pin in (("BADGE-0042", "582914"), ("BADGE-9999", "582913")):
        with pytest.raises(SignInError) as err:
            accounts.sign_in_badge(badge, pin)
        assert err.value.code == "bad_credentials"


def test_change_pin_own_or_with_manage_staff_and_only_while_signed_in(env):
    store, _, accounts, clock, _ = env
    reception = accounts.sign_in("le.tan", "604918")
    tech_id = store.staff.by_username("ky.thuat").id
    with pytest.raises(PermissionDenied):
        accounts.change_pin(reception, tech_id, "284716")
    accounts.change_pin(reception, reception.staff_id, "284716")
    with pytest.raises(SignInError):
        accounts.sign_in("le.tan", "604918")
    reception = accounts.sign_in("le.tan", "284716")
    clock.advance(5 * 60 + 1)
    with pytest.raises(SessionExpired):             # an abandoned session cannot change the PIN
        accounts.change_pin(reception, reception.staff_id, "395827")
    admin = accounts.sign_in("admin", "739251")
    accounts.change_pin(admin, tech_id, "395827")
    assert accounts.sign_in("ky.thuat", "395827").role is Role.TECHNICIAN
    assert accounts.audit.verify().ok
