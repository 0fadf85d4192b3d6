"""Staff management for the admin: list, add, disable / enable, reset a PIN, change a role. Admin only
(MANAGE_STAFF), every change audited in its own transaction; the last active admin can be neither
disabled nor demoted (the kiosk would lose its way in)."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.security.roles import Role

ROLE_WORDS = {"reception": "Lễ tân / reception", "clinician": "Bác sĩ / clinician",
              "technician": "Kỹ thuật / technician", "admin": "Quản trị / admin"}


class StaffAdminError(Exception):
    """A staff change that cannot be made; Vietnamese, then English."""


@dataclass(frozen=True)
class StaffRow:
    staff_id: int
    username: str
    display_name: str
    role: str
    active: bool
    locked: bool


class StaffAdmin:
    def __init__(self, ctx):
        self.ctx = ctx
        self.accounts = ctx.accounts

    @property
    def store(self):
        return self.ctx.store

    def _record(self, session, action: str, staff_id: int, details: dict) -> None:
        self.ctx.audit.append(session.username, session.role.value, action, f"staff:{staff_id}", details)

    @requires(P.MANAGE_STAFF)
    def list(self, session) -> list[StaffRow]:
        now = self.ctx.clock.now().timestamp()
        return [StaffRow(a.id, a.username, a.display_name, a.role, a.active, a.locked_until_ts > now)
                for a in self.store.staff.list(include_inactive=True)]

    @requires(P.MANAGE_STAFF)
    def add(self, session, username: str, display_name: str, role: str, pin: str) -> StaffRow:
        username = username.strip().lower()
        if not username or " " in username:
            raise StaffAdminError("Tên đăng nhập không được trống hoặc có dấu cách / the user name must be one word")
        if role not in ROLE_WORDS:
            raise StaffAdminError("Vai trò không hợp lệ / unknown role")
        if self.store.staff.by_username(username) is not None:
            raise StaffAdminError(f"Tên đăng nhập {username!r} đã có / the user name {username!r} is taken")
        from kiosk.security.pins import PinPolicyError
        try:
            account = self.accounts.create(session, username, display_name.strip() or username, role, pin)
        except PinPolicyError as exc:
            raise StaffAdminError(f"Mã PIN quá yếu / weak PIN: {exc}") from None
        return StaffRow(account.id, account.username, account.display_name, account.role, True, False)

    def _other_admins(self, staff_id: int) -> int:
        return sum(1 for a in self.store.staff.list() if a.role == Role.ADMIN.value and a.id != staff_id)

    @requires(P.MANAGE_STAFF)
    def set_active(self, session, staff_id: int, active: bool) -> None:
        account = self.store.staff.get(staff_id)
        if not active and account.role == Role.ADMIN.value and self._other_admins(staff_id) == 0:
            raise StaffAdminError("Không thể khóa quản trị viên cuối cùng / the last admin cannot be disabled")
        if not active and staff_id == session.staff_id:
            raise StaffAdminError("Không thể tự khóa tài khoản đang dùng / you cannot disable your own account")
        with self.store.transaction():
            self.store.staff.update(staff_id, active=active)
            self._record(session, "staff.enable" if active else "staff.disable", staff_id, {})

    @requires(P.MANAGE_STAFF)
    def set_role(self, session, staff_id: int, role: str) -> None:
        if role not in ROLE_WORDS:
            raise StaffAdminError("Vai trò không hợp lệ / unknown role")
        account = self.store.staff.get(staff_id)
        if account.role == Role.ADMIN.value and role != account.role and self._other_admins(staff_id) == 0:
            raise StaffAdminError("Cần ít nhất một quản trị viên / at least one admin must remain")
        with self.store.transaction():
            self.store.staff.update(staff_id, role=role)
            self._record(session, "staff.set_role", staff_id, {"from": account.role, "to": role})

    @requires(P.MANAGE_STAFF)
    def reset_pin(self, session, staff_id: int, new_pin: str) -> None:
        from kiosk.security.pins import PinPolicyError
        try:
            self.accounts.change_pin(session, staff_id, new_pin)      # audited as staff.change_pin
        except PinPolicyError as exc:
            raise StaffAdminError(f"Mã PIN quá yếu / weak PIN: {exc}") from None
