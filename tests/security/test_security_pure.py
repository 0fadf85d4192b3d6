"""Roles, PIN policy and hashing, lockout delays, and the audit hash chain on plain rows."""
import pytest

from kiosk.security.audit_chain import GENESIS, canonical_details, entry_hash, verify_chain
from kiosk.security.pins import PinHasher, PinPolicyError, check_policy, lockout_seconds
from kiosk.security.roles import Permission, Role, allowed


def test_role_matrix():
    assert allowed(Role.RECEPTION, Permission.OVERRIDE_ELIGIBILITY)
    assert not allowed(Role.RECEPTION, Permission.ROTATE_KEY)
    assert not allowed(Role.RECEPTION, Permission.CLOSE_VISIT)
    assert allowed(Role.CLINICIAN, Permission.CLOSE_VISIT)
    assert not allowed(Role.CLINICIAN, Permission.PROVISION)
    assert allowed(Role.TECHNICIAN, Permission.ROTATE_KEY)
    assert not allowed(Role.TECHNICIAN, Permission.VIEW_HEALTH_BOOK)
    assert all(allowed(Role.ADMIN, p) for p in Permission)
    assert not allowed(None, Permission.VIEW_VISITS)


@pytest.mark.parametrize("pin", ["12345", "abc123", "111111", "123456", "987654", ""])
def test_weak_pins_refused(pin):
    with pytest.raises(PinPolicyError):
        check_policy(pin)


def test_pin_hash_is_argon2id_and_verifies():
    hasher = PinHasher(time_cost=1, memory_cost=8 * 1024)
    stored = hasher.hash("482915")
    assert stored.startswith("$argon2id$")
    assert "482915" not in stored
    assert hasher.verify(stored, "482915")
    assert not hasher.verify(stored, "482916")
    assert not hasher.verify("garbage", "482915")


def test_lockout_grows_and_caps():
    assert [lockout_seconds(n, 5) for n in range(5)] == [0, 0, 0, 0, 0]
    assert [lockout_seconds(n, 5) for n in (5, 6, 7)] == [30, 60, 120]
    assert lockout_seconds(40, 5) == 3600


def _chain(n):
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        details = canonical_details({"n": i})
        h = entry_hash(prev, f"2026-11-20T01:0{i}:00+00:00", "staff1", "reception", "reprint", f"ticket:{i}", details)
        rows.append({"id": i, "at": f"2026-11-20T01:0{i}:00+00:00", "actor": "staff1", "role": "reception",
                     "action": "reprint", "target": f"ticket:{i}", "details": details, "prev_hash": prev, "hash": h})
        prev = h
    return rows, f"{n}:{prev}"


def test_chain_verifies_and_names_first_broken_entry():
    rows, head = _chain(5)
    assert verify_chain(rows, head).ok
    edited = [dict(r) for r in rows]
    edited[2]["target"] = "ticket:99"
    verdict = verify_chain(edited, head)
    assert (verdict.ok, verdict.first_broken_id) == (False, 3)
    deleted = rows[:1] + rows[2:]
    assert verify_chain(deleted, head).first_broken_id == 3
    reordered = [rows[0], rows[2], rows[1], rows[3], rows[4]]
    assert verify_chain(reordered, head).first_broken_id == 3
    truncated = rows[:4]
    verdict = verify_chain(truncated, head)
    assert not verdict.ok and "removed at the end" in verdict.reason


def test_keyed_chain_refuses_a_downgrade_and_a_missing_key():
    from kiosk.security.audit_chain import GENESIS, entry_hash, verify_chain
    key = b"k" * 32
    h1 = entry_hash(GENESIS, "t1", "a", None, "x", None, "{}", key)
    h2 = entry_hash(h1, "t2", "a", None, "x", None, "{}")                # unkeyed after a keyed one
    rows = [dict(id=1, prev_hash=GENESIS, hash=h1, at="t1", actor="a", role=None, action="x", target=None,
                 details="{}"),
            dict(id=2, prev_hash=h1, hash=h2, at="t2", actor="a", role=None, action="x", target=None, details="{}")]
    assert h1.startswith("h1:") and verify_chain(rows[:1], f"1:{h1}", key).ok
    assert "no chain key" in verify_chain(rows[:1], f"1:{h1}").reason
    assert "unkeyed entry after keyed" in verify_chain(rows, f"2:{h2}", key).reason
    assert "removed at the end" in verify_chain(rows[:1], f"1:{h1}", key, anchor=f"2:{h2}").reason
