"""Staff roles and what each may do. Checked in the service layer, not only hidden in the UI."""
from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    RECEPTION = "reception"
    CLINICIAN = "clinician"
    TECHNICIAN = "technician"
    ADMIN = "admin"


class Permission(str, Enum):
    VIEW_VISITS = "view_visits"
    MANUAL_CHECKIN = "manual_checkin"
    OVERRIDE_ELIGIBILITY = "override_eligibility"
    REPRINT = "reprint"
    CANCEL_VISIT = "cancel_visit"
    CHANGE_PRIORITY = "change_priority"
    MOVE_SERVICE = "move_service"
    CLOSE_VISIT = "close_visit"
    VIEW_HEALTH_BOOK = "view_health_book"
    EDIT_HEALTH_NOTES = "edit_health_notes"
    MANAGE_OUTBOX = "manage_outbox"
    PROVISION = "provision"
    MANAGE_DEVICES = "manage_devices"
    ROTATE_KEY = "rotate_key"
    MANAGE_STAFF = "manage_staff"
    EXPORT_DIAGNOSTICS = "export_diagnostics"
    FACTORY_RESET = "factory_reset"
    VIEW_AUDIT = "view_audit"
    CALL_PATIENTS = "call_patients"


P = Permission
_DESK = {P.VIEW_VISITS, P.MANUAL_CHECKIN, P.OVERRIDE_ELIGIBILITY, P.REPRINT, P.CANCEL_VISIT,
         P.CHANGE_PRIORITY, P.MOVE_SERVICE, P.MANAGE_OUTBOX, P.CALL_PATIENTS}
_CLINIC = {P.VIEW_VISITS, P.CLOSE_VISIT, P.VIEW_HEALTH_BOOK, P.EDIT_HEALTH_NOTES, P.REPRINT, P.CALL_PATIENTS}
_TECH = {P.PROVISION, P.MANAGE_DEVICES, P.ROTATE_KEY, P.EXPORT_DIAGNOSTICS, P.MANAGE_OUTBOX, P.VIEW_AUDIT}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECEPTION: frozenset(_DESK),
    Role.CLINICIAN: frozenset(_CLINIC),
    Role.TECHNICIAN: frozenset(_TECH),
    Role.ADMIN: frozenset(Permission),
}
del P


class PermissionDenied(Exception):
    """The signed-in role may not do this; the message names the action, never personal data."""

    def __init__(self, role: str | None, permission: Permission):
        self.role, self.permission = role, permission
        who = f"role '{role}'" if role else "no staff session"
        super().__init__(f"{who} may not {permission.value.replace('_', ' ')}")


def allowed(role: Role | str | None, permission: Permission) -> bool:
    if role is None:
        return False
    return permission in ROLE_PERMISSIONS[Role(role)]
