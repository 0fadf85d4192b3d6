"""Facility-wide staff accounts and the hub's audit chain (hub migration 0002).

`HubStaffStore` gives `kiosk.security.accounts.StaffAccounts` what it needs from a store (`staff`,
`transaction()`, `clock`), backed by the hub: the same sign-in code, lockout policy and Argon2 PIN
hashes as a kiosk, with the failure counted in one PostgreSQL transaction that holds the account's
row lock (`get` inside a transaction is `SELECT ... FOR UPDATE`), so parallel guesses from several
desks each see the previous ones. `HubAudit.append` calls the hub's `hub_audit_append` (SECURITY
DEFINER): the chain key never leaves the hub; its entries verify with the local chain's code.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator, Mapping

from kiosk.facility.listen import HubUnavailable
from kiosk.security.audit_chain import ChainVerdict, canonical_details, verify_chain
from kiosk.store.errors import NotFound
from kiosk.store.staff import ROLES, StaffAccount

_COLS = ("id, username, display_name, role, pin_hash, badge, failed_attempts, locked_until_ts, active, "
         "created_at::text, updated_at::text")


def _account(row) -> StaffAccount:
    return StaffAccount(int(row[0]), row[1], row[2], row[3], row[4], row[5], int(row[6]), float(row[7]),
                        bool(row[8]), row[9], row[10])


class HubLink:
    """The desk's one connection to the hub for reads and writes (used from the desk's db worker
    only). A broken connection is replaced on the next call; a hub that does not answer raises
    HubUnavailable, and nothing is written."""

    def __init__(self, dsn: str, *, connect_timeout: float = 2.0):
        self.dsn, self.connect_timeout = dsn, connect_timeout
        self._conn: Any = None
        self._depth = 0
        self.lock = threading.RLock()

    def conn(self):
        import psycopg
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(self.dsn, autocommit=True,
                                             connect_timeout=max(1, int(self.connect_timeout)))
            except psycopg.Error:
                self._conn = None
                raise HubUnavailable() from None
        return self._conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        import psycopg
        with self.lock:
            conn = self.conn()
            self._depth += 1
            try:
                with conn.transaction():
                    yield conn
            except psycopg.OperationalError:
                self.drop()
                raise HubUnavailable() from None
            finally:
                self._depth -= 1

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, query: str, params: Any = None):
        """One statement (inside the current transaction, if any). Outside a transaction, a kept
        connection the hub dropped meanwhile (a restart) is replaced once before giving up."""
        import psycopg
        reused = self._conn is not None and not self.in_transaction
        try:
            return self.conn().execute(query, params)
        except psycopg.OperationalError:
            self.drop()
            if not reused:
                raise HubUnavailable() from None
        try:
            return self.conn().execute(query, params)
        except psycopg.OperationalError:
            self.drop()
            raise HubUnavailable() from None

    def drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:   # noqa: BLE001 - a dead connection may fail to close
                pass
        self._conn = None

    def close(self) -> None:
        self.drop()


class HubStaffRepo:
    """`kiosk.store.staff.StaffRepo`'s reading and lockout methods, against the hub's hub_staff."""

    def __init__(self, link: HubLink):
        self.link = link

    def _one(self, where: str, value: Any, lock: bool = False) -> StaffAccount | None:
        tail = " FOR UPDATE" if lock and self.link.in_transaction else ""
        row = self.link.execute(f"SELECT {_COLS} FROM hub_staff WHERE {where} = %s{tail}", (value,)).fetchone()
        return None if row is None else _account(row)

    def get(self, staff_id: int) -> StaffAccount:
        account = self._one("id", staff_id, lock=True)
        if account is None:
            raise NotFound(f"no staff account {staff_id}")
        return account

    def by_username(self, username: str) -> StaffAccount | None:
        return self._one("username", username)

    def by_badge(self, badge: str) -> StaffAccount | None:
        return self._one("badge", badge)

    def list(self, include_inactive: bool = False) -> list[StaffAccount]:
        where = "" if include_inactive else "WHERE active"
        return [_account(r) for r in self.link.execute(f"SELECT {_COLS} FROM hub_staff {where} ORDER BY username")]

    def record_failure(self, staff_id: int, lock_until_ts: float | None = None) -> int:
        row = self.link.execute(
            "UPDATE hub_staff SET failed_attempts = failed_attempts + 1, "
            "locked_until_ts = coalesce(%s, locked_until_ts), updated_at = now() WHERE id = %s "
            "RETURNING failed_attempts", (lock_until_ts, staff_id)).fetchone()
        if row is None:
            raise NotFound(f"no staff account {staff_id}")
        return int(row[0])

    def reset_failures(self, staff_id: int) -> None:
        self.link.execute("UPDATE hub_staff SET failed_attempts = 0, locked_until_ts = 0, updated_at = now() "
                          "WHERE id = %s", (staff_id,))

    def create(self, *_a, **_k):
        raise PermissionError("facility staff accounts are managed at the hub: kiosk hub staff add")

    update = create


class HubStaffStore:
    """The store-shaped object StaffAccounts works on: `staff`, `transaction()`, `clock`."""

    def __init__(self, link: HubLink, clock):
        self.link, self.clock = link, clock
        self.staff = HubStaffRepo(link)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.link.transaction():
            yield None


class HubAudit:
    """`AuditLog.append` against the hub: the entry joins the caller's transaction on the link."""

    def __init__(self, link: HubLink):
        self.link = link

    def append(self, actor: str, role: str | None, action: str, target: str | None = None,
               details: Mapping | None = None) -> int:
        row = self.link.execute("SELECT hub_audit_append(%s, %s, %s, %s, %s)",
                                (actor, role, action, target, canonical_details(details))).fetchone()
        return int(row[0])

    def recent(self, limit: int = 50) -> list[dict]:
        cur = self.link.execute("SELECT id, at, actor, role, action, target, details FROM hub_audit "
                                "ORDER BY id DESC LIMIT %s", (limit,))
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


# ------------------------------------------------------------ administration (hub owner's DSN)
def add_staff(admin_conn, username: str, display_name: str, role: str, pin: str, *, hasher: Any = None,
              actor: str = "hub-admin", badge: str | None = None) -> int:
    """Create a facility staff account (PIN policy and Argon2 as on a kiosk), audited at the hub."""
    from kiosk.security.pins import PinHasher, check_policy
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    check_policy(pin)
    pin_hash = (hasher or PinHasher()).hash(pin)
    with admin_conn.transaction():
        row = admin_conn.execute("INSERT INTO hub_staff (username, display_name, role, pin_hash, badge) "
                                 "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                                 (username, display_name, role, pin_hash, badge)).fetchone()
        admin_conn.execute("SELECT hub_audit_append(%s, NULL, 'staff.create', %s, %s)",
                           (actor, f"staff:{row[0]}", canonical_details({"role": role})))
    return int(row[0])


def list_staff(conn) -> list[dict]:
    rows = conn.execute("SELECT username, display_name, role, active, failed_attempts, locked_until_ts "
                        "FROM hub_staff ORDER BY username").fetchall()
    return [{"username": r[0], "display_name": r[1], "role": r[2], "active": r[3], "failures": r[4],
             "locked_until_ts": r[5]} for r in rows]


def verify_audit(admin_conn) -> ChainVerdict:
    """Walk the hub's chain with its key (the owner's DSN reads it): edits, deletions and a cut tail fail."""
    key = admin_conn.execute("SELECT key FROM hub_audit_key").fetchone()[0]
    head = admin_conn.execute("SELECT count, hash FROM hub_audit_head").fetchone()
    cur = admin_conn.execute("SELECT id, at, actor, role, action, target, details, prev_hash, hash "
                             "FROM hub_audit ORDER BY id")
    cols = [c.name for c in cur.description]
    rows = (dict(zip(cols, r)) for r in cur)
    return verify_chain(rows, f"{head[0]}:{head[1]}" if head[0] else None, bytes(key))
