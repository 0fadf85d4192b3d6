"""PIN lockout that holds (red-team L1, L2): parallel guesses from separate connections (as
parallel CLI processes are) are counted, and a clock moved forward does not unlock for good."""
import os
import threading

import pytest

from kiosk.core.clock import FakeClock
from kiosk.security.accounts import SignInError, StaffAccounts
from kiosk.security.audit_log import AuditLog
from kiosk.security.pins import PinHasher
from kiosk.security.roles import Role
from kiosk.store.migrate import open_store

HASHER = dict(time_cost=2, memory_cost=16 * 1024)   # slow enough that parallel guesses overlap


@pytest.fixture
def kiosk(tmp_path):
    key, clock = os.urandom(32), FakeClock()
    store = open_store(tmp_path / "data", key, create=True, clock=clock)
    accounts = StaffAccounts(store, AuditLog(store), clock, PinHasher(**HASHER), max_failures=5)
    accounts.create(None, "bac.si", "Bác sĩ", Role.ADMIN, "739251")
    store.close()
    return tmp_path / "data", key, clock


def accounts_for(data, key, clock):
    store = open_store(data, key, clock=clock)
    return store, StaffAccounts(store, AuditLog(store), clock, PinHasher(**HASHER), max_failures=5)


def test_sixteen_parallel_wrong_pins_lock_the_account(kiosk):
    data, key, clock = kiosk
    outcomes, verified = [], []
    barrier = threading.Barrier(16)

    def guess(i):
        store, accounts = accounts_for(data, key, clock)
        real_verify = accounts.hasher.verify
        accounts.hasher.verify = lambda h, p: verified.append(i) or real_verify(h, p)
        try:
            barrier.wait()
            accounts.sign_in("bac.si", f"{100000 + i}")
        except SignInError as exc:
            outcomes.append(exc.code)
        finally:
            store.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store, accounts = accounts_for(data, key, clock)
    acc = store.staff.by_username("bac.si")
    # the red team saw 16 verifications, failed_attempts 16 and no lock
    assert len(verified) == 5 and acc.failed_attempts == 5 and acc.locked_until_ts > clock.now().timestamp()
    assert outcomes.count("locked") == 12 and outcomes.count("bad_credentials") == 4
    with pytest.raises(SignInError, match="locked"):
        accounts.sign_in("bac.si", "739251")          # the right PIN waits for the lock too
    store.close()


def test_a_clock_moved_forward_does_not_give_unlimited_guesses(kiosk):
    data, key, clock = kiosk
    store, accounts = accounts_for(data, key, clock)
    codes = []
    for i in range(20):
        try:
            accounts.sign_in("bac.si", f"{200000 + i}")
        except SignInError as exc:
            codes.append(exc.code)
        clock.advance(7200)                            # faketime +2h before each guess
    assert store.staff.by_username("bac.si").failed_attempts == 15      # the hard limit: 3 x max_failures
    with pytest.raises(SignInError, match="admin must set a new PIN"):
        accounts.sign_in("bac.si", "739251")          # even the right PIN, whatever the clock says
    store.close()
