"""Raw access to the append-only audit log; the hash chain is kiosk.security.audit_chain's job.

Triggers in the schema refuse UPDATE and DELETE, so this repository only appends and reads.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Iterator, Mapping

from kiosk.store._base import Mappable, Repo, row_to


@dataclass(frozen=True)
class AuditEntry(Mappable):
    id: int
    at: str
    actor: str
    role: str | None
    action: str
    target: str | None
    details: str | None
    prev_hash: str
    hash: str


_IN = ("at", "actor", "role", "action", "target", "details", "prev_hash", "hash")
_COLS = ", ".join(f.name for f in fields(AuditEntry))


class AuditRepo(Repo):
    def append(self, row: Mapping) -> int:
        """Insert one entry whose fields (at, actor, role, action, target, details, prev_hash,
        hash) the caller computed; returns its id."""
        cur = self.conn.execute(f"INSERT INTO audit_log ({', '.join(_IN)}) VALUES ({', '.join('?' * len(_IN))})",
                                tuple(row.get(c) for c in _IN))
        return cur.lastrowid

    def iter_all(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in id order, read in batches so a long log never sits in memory at once."""
        last = 0
        while True:
            rows = self.conn.execute(f"SELECT {_COLS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                                     (last, batch)).fetchall()
            if not rows:
                return
            for r in rows:
                yield row_to(AuditEntry, r)
            last = rows[-1]["id"]

    def last(self) -> AuditEntry | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else row_to(AuditEntry, row)

    def list(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        if action:
            rows = self.conn.execute(f"SELECT {_COLS} FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT ?",
                                     (action, limit))
        else:
            rows = self.conn.execute(f"SELECT {_COLS} FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [row_to(AuditEntry, r) for r in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
