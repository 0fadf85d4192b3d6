"""Key/value settings kept in the database (runtime state such as the audit chain head)."""
from __future__ import annotations

from kiosk.store._base import Repo


class SettingsRepo(Repo):
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set(self, key: str, value: str) -> None:
        self.conn.execute("""INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
                             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                             updated_at = excluded.updated_at""", (key, value, self._now()))

    def delete(self, key: str) -> None:
        self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    def all(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT key, value FROM settings ORDER BY key")}
