"""Known devices (scanners, card readers, printers, cameras) and which role each plays."""
from __future__ import annotations

from dataclasses import dataclass, fields

from kiosk.store._base import Repo, row_to

ROLES = ("scanner", "reader", "printer", "camera")


@dataclass(frozen=True)
class Device:
    id: int
    role: str
    kind: str
    address: str
    name: str | None
    enabled: bool
    config_json: str | None
    last_seen: str | None


_COLS = ", ".join(f.name for f in fields(Device))


def _device(row) -> Device:
    return row_to(Device, row, enabled=bool(row["enabled"]))


class DeviceRepo(Repo):
    def upsert(self, role: str, kind: str, address: str, *, name: str | None = None,
               enabled: bool | None = None, config_json: str | None = None, seen: bool = True) -> Device:
        """Add or update the device at (role, address); `seen` stamps last_seen now."""
        if role not in ROLES:
            raise ValueError(f"device role must be one of {ROLES}")
        last_seen = self._now() if seen else None
        with self._writing():
            self.conn.execute(
                """INSERT INTO devices (role, kind, address, name, enabled, config_json, last_seen)
                   VALUES (?, ?, ?, ?, coalesce(?, 1), ?, ?)
                   ON CONFLICT (role, address) DO UPDATE SET kind = excluded.kind,
                       name = coalesce(excluded.name, name),
                       enabled = coalesce(?, enabled),
                       config_json = coalesce(excluded.config_json, config_json),
                       last_seen = coalesce(excluded.last_seen, last_seen)""",
                (role, kind, address, name, None if enabled is None else int(enabled), config_json, last_seen,
                 None if enabled is None else int(enabled)))
        row = self.conn.execute(f"SELECT {_COLS} FROM devices WHERE role = ? AND address = ?",
                                (role, address)).fetchone()
        return _device(row)

    def list(self, role: str | None = None, enabled_only: bool = False) -> list[Device]:
        where, params = [], []
        if role:
            where.append("role = ?")
            params.append(role)
        if enabled_only:
            where.append("enabled = 1")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        return [_device(r) for r in self.conn.execute(f"SELECT {_COLS} FROM devices {clause} ORDER BY role, id",
                                                      params)]

    def remove(self, device_id: int) -> None:
        self.conn.execute("DELETE FROM devices WHERE id = ?", (device_id,))
