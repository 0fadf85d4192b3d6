"""Staff accounts: storage only (PIN hashing, roles and lockout policy live in kiosk.security)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from kiosk.store._base import Repo, row_to
from kiosk.store.errors import NotFound

ROLES = ("reception", "clinician", "technician", "admin")


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    display_name: str = field(repr=False)
    role: str
    pin_hash: str = field(repr=False)
    badge: str | None = field(repr=False)
    failed_attempts: int
    locked_until_ts: float
    active: bool
    created_at: str
    updated_at: str


_COLS = ", ".join(f.name for f in fields(StaffAccount))
_EDITABLE = ("display_name", "role", "pin_hash", "badge", "active")


def _account(row) -> StaffAccount:
    return row_to(StaffAccount, row, active=bool(row["active"]))


class StaffRepo(Repo):
    def create(self, username: str, display_name: str, role: str, pin_hash: str,
               badge: str | None = None) -> StaffAccount:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        now = self._now()
        with self._writing():
            cur = self.conn.execute(
                """INSERT INTO staff (username, display_name, role, pin_hash, badge, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""", (username, display_name, role, pin_hash, badge, now, now))
        return self.get(cur.lastrowid)

    def get(self, staff_id: int) -> StaffAccount:
        row = self.conn.execute(f"SELECT {_COLS} FROM staff WHERE id = ?", (staff_id,)).fetchone()
        if row is None:
            raise NotFound(f"no staff account {staff_id}")
        return _account(row)

    def by_username(self, username: str) -> StaffAccount | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM staff WHERE username = ?", (username,)).fetchone()
        return None if row is None else _account(row)

    def by_badge(self, badge: str) -> StaffAccount | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM staff WHERE badge = ?", (badge,)).fetchone()
        return None if row is None else _account(row)

    def list(self, include_inactive: bool = False) -> list[StaffAccount]:
        where = "" if include_inactive else "WHERE active = 1"
        return [_account(r) for r in self.conn.execute(f"SELECT {_COLS} FROM staff {where} ORDER BY username")]

    def update(self, staff_id: int, **changes) -> StaffAccount:
        """Change display_name, role, pin_hash, badge or active."""
        unknown = set(changes) - set(_EDITABLE)
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        if "role" in changes and changes["role"] not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        if "active" in changes:
            changes["active"] = int(bool(changes["active"]))
        sets = ", ".join(f"{c} = ?" for c in changes)
        with self._writing():
            cur = self.conn.execute(f"UPDATE staff SET {sets + ', ' if sets else ''}updated_at = ? WHERE id = ?",
                                    (*changes.values(), self._now(), staff_id))
        if cur.rowcount == 0:
            raise NotFound(f"no staff account {staff_id}")
        return self.get(staff_id)

    def delete(self, staff_id: int) -> None:
        self.conn.execute("DELETE FROM staff WHERE id = ?", (staff_id,))

    def record_failure(self, staff_id: int, lock_until_ts: float | None = None) -> int:
        """Count a failed PIN; optionally lock until an epoch time. Returns the new count."""
        self.conn.execute(
            """UPDATE staff SET failed_attempts = failed_attempts + 1,
                   locked_until_ts = coalesce(?, locked_until_ts), updated_at = ? WHERE id = ?""",
            (lock_until_ts, self._now(), staff_id))
        row = self.conn.execute("SELECT failed_attempts FROM staff WHERE id = ?", (staff_id,)).fetchone()
        if row is None:
            raise NotFound(f"no staff account {staff_id}")
        return row[0]

    def reset_failures(self, staff_id: int) -> None:
        self.conn.execute("UPDATE staff SET failed_attempts = 0, locked_until_ts = 0, updated_at = ? WHERE id = ?",
                          (self._now(), staff_id))
