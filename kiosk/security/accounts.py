"""Staff sign-in: PIN (or badge + PIN) with lockout, sessions that end on inactivity, and the
`requires` guard every staff service method goes through (the UI hiding a button is not enough).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, TypeVar

from kiosk.core.clock import Clock
from kiosk.security.pins import PinHasher, check_policy, lockout_seconds
from kiosk.security.roles import Permission, PermissionDenied, Role, allowed

F = TypeVar("F", bound=Callable)


class SignInError(Exception):
    """Why a sign-in failed, without saying whether the account exists (except when locked)."""

    def __init__(self, code: str, message: str, retry_after: float = 0.0):
        super().__init__(message)
        self.code, self.retry_after = code, retry_after


@dataclass
class StaffSession:
    staff_id: int
    username: str
    role: Role
    started: float
    last_activity: float

    def can(self, permission: Permission) -> bool:
        return allowed(self.role, permission)


class SessionExpired(PermissionDenied):
    def __init__(self, permission: Permission):
        Exception.__init__(self, "the staff session ended after inactivity: sign in again")
        self.role, self.permission = None, permission


class StaffAccounts:
    """Accounts over `store.staff`, audited through `audit.append(...)` in the same transaction."""

    def __init__(self, store, audit, clock: Clock, hasher: PinHasher | None = None,
                 max_failures: int = 5, session_minutes: float = 5.0, hard_limit: int | None = None):
        self.store, self.audit, self.clock = store, audit, clock
        self.hasher = hasher or PinHasher()
        self.max_failures = max_failures
        # after this many wrong PINs in a row only an admin's new PIN unlocks (whatever the clock says)
        self.hard_limit = hard_limit or 3 * max_failures
        self.session_seconds = session_minutes * 60

    # ---- accounts
    def create(self, actor: StaffSession | None, username: str, display_name: str, role: Role | str,
               pin: str, badge: str | None = None):
        """Admins create accounts; with no account at all, the first-run wizard creates the first admin."""
        first_run = not self.store.staff.list(include_inactive=True)
        if not first_run:
            self.require(actor, Permission.MANAGE_STAFF)
        elif Role(role) != Role.ADMIN:
            raise PermissionDenied(None, Permission.MANAGE_STAFF)
        check_policy(pin)
        pin_hash = self.hasher.hash(pin)  # slow: callers keep this off the UI thread
        with self.store.transaction():
            account = self.store.staff.create(username, display_name, Role(role).value, pin_hash, badge)
            self.audit.append(actor.username if actor else "first-run", actor.role.value if actor else None,
                              "staff.create", f"staff:{account.id}", {"role": Role(role).value})
        return account

    def change_pin(self, actor: StaffSession, staff_id: int, new_pin: str) -> None:
        """Own PIN with a live session; another account's PIN needs MANAGE_STAFF."""
        if actor.staff_id != staff_id:
            self.require(actor, Permission.MANAGE_STAFF)
        elif not self.active(actor):
            raise SessionExpired(Permission.MANAGE_STAFF)
        else:
            self.touch(actor)
        check_policy(new_pin)
        pin_hash = self.hasher.hash(new_pin)
        with self.store.transaction():
            self.store.staff.update(staff_id, pin_hash=pin_hash)
            self.store.staff.reset_failures(staff_id)
            self.audit.append(actor.username, actor.role.value, "staff.change_pin", f"staff:{staff_id}", {})

    # ---- sign-in
    def sign_in(self, username: str, pin: str) -> StaffSession:
        return self._sign_in(self.store.staff.by_username(username), pin, "username")

    def sign_in_badge(self, badge: str, pin: str) -> StaffSession:
        return self._sign_in(self.store.staff.by_badge(badge), pin, "badge")

    def _sign_in(self, account, pin: str, how: str) -> StaffSession:
        if account is None or not account.active:
            self.hasher.verify(_DUMMY_HASH, pin)  # same cost as a real check: no account probing
            raise SignInError("bad_credentials", "wrong user or PIN")
        # Reserve the attempt atomically (red-team L1): re-read the account, check the lock and
        # charge a failure in one write transaction *before* the slow PIN check, so parallel
        # guesses each see the previous ones; a right PIN gives the charge back below.
        with self.store.transaction():
            fresh = self.store.staff.get(account.id)
            now_wall = self.clock.now().timestamp()
            if fresh.failed_attempts >= self.hard_limit:
                raise SignInError("locked", "too many wrong PINs: an admin must set a new PIN for this account",
                                  float("inf"))
            if fresh.locked_until_ts > now_wall:
                wait = fresh.locked_until_ts - now_wall
                raise SignInError("locked", f"account locked, try again in {int(wait) + 1} s", wait)
            failures = fresh.failed_attempts + 1
            delay = lockout_seconds(failures, self.max_failures)
            self.store.staff.record_failure(account.id, now_wall + delay if delay else None)
        if not self.hasher.verify(fresh.pin_hash, pin):
            with self.store.transaction():
                self.audit.append(account.username, account.role, "staff.sign_in_failed", f"staff:{account.id}",
                                  {"failures": failures, "locked_seconds": delay, "via": how})
            if failures >= self.hard_limit:
                # a count, not a time: a clock moved forward (L2) does not unlock it
                raise SignInError("locked", "too many wrong PINs: an admin must set a new PIN for this account",
                                  float("inf"))
            if delay:
                raise SignInError("locked", f"too many wrong PINs: locked for {int(delay)} s", delay)
            raise SignInError("bad_credentials", "wrong user or PIN")
        with self.store.transaction():
            self.store.staff.reset_failures(account.id)
            self.audit.append(account.username, account.role, "staff.sign_in", f"staff:{account.id}", {"via": how})
        mono = self.clock.monotonic()
        return StaffSession(account.id, account.username, Role(account.role), mono, mono)

    # ---- sessions and the guard
    def active(self, session: StaffSession | None) -> bool:
        return session is not None and self.clock.monotonic() - session.last_activity <= self.session_seconds

    def touch(self, session: StaffSession) -> None:
        session.last_activity = self.clock.monotonic()

    def require(self, session: StaffSession | None, permission: Permission) -> StaffSession:
        if session is None:
            raise PermissionDenied(None, permission)
        if not self.active(session):
            raise SessionExpired(permission)
        if not session.can(permission):
            raise PermissionDenied(session.role.value, permission)
        self.touch(session)
        return session


def requires(permission: Permission) -> Callable[[F], F]:
    """Decorator for service methods `(self, session, ...)`: `self.accounts.require()` runs first."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(self, session, *args, **kwargs):
            self.accounts.require(session, permission)
            return fn(self, session, *args, **kwargs)
        guarded.permission = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]
    return wrap


_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$0nWQeSBhmDmJD3Hd4Ly5v0fn1o0zZ9Yx2TH+YgjqTJk"
