"""Hub schema: plain SQL migrations (migrations/hub/NNNN_name.sql) and the least-privilege roles.

`init` runs as the hub's owner (an administrator DSN, used once); kiosks, desks and the hub worker
then log in as `hub_kiosk`, `hub_desk` and `hub_worker`, members of NOLOGIN group roles with only
the grants they need. None of them is a superuser or owns a table.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from kiosk.facility.dsn import write_secret

LOGIN_ROLES = {"hub_kiosk": "kiosk_group", "hub_desk": "desk_group", "hub_worker": "worker_group"}
_NAME = re.compile(r"^(\d{4})_[A-Za-z0-9_\-]+\.sql$")


def hub_migrations_dir() -> Path:
    from kiosk.paths import migrations_dir
    return Path(migrations_dir()) / "hub"


@dataclass(frozen=True)
class InitReport:
    before: int
    after: int
    applied: tuple[str, ...]
    roles: tuple[str, ...]


def discover(directory: Path | None = None) -> list[tuple[int, Path]]:
    directory = Path(directory or hub_migrations_dir())
    found = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"{path}: hub migrations are named NNNN_name.sql")
        found.append((int(m.group(1)), path))
    # numbers are handed out per engineer, so a branch may lack a lower one: strictly increasing
    # is the rule (two files with one number would be applied in an arbitrary order)
    for (before, prev), (version, path) in zip(found, found[1:]):
        if version == before:
            raise ValueError(f"{directory}: two hub migrations numbered {version:04d}: {prev.name}, {path.name}")
    return found


def current_version(conn) -> int:
    row = conn.execute("SELECT to_regclass('hub_schema_migrations')").fetchone()
    if row[0] is None:
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM hub_schema_migrations").fetchone()[0])


def init(admin_dsn: str, secrets_dir: Path | None = None, directory: Path | None = None) -> InitReport:
    """Apply every pending hub migration (one transaction each) and make sure the login roles
    exist; a new role's password is written to `<secrets_dir>/<role>.password` (0600)."""
    applied = []
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS hub_schema_migrations (version integer PRIMARY KEY, "
                     "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        before = current_version(conn)
        done = {r[0] for r in conn.execute("SELECT version FROM hub_schema_migrations")}
        for version, path in discover(directory):
            if version in done:      # by number, not "<= newest": a lower number merged later still runs
                continue
            with conn.transaction():
                conn.execute(path.read_text())
                conn.execute("INSERT INTO hub_schema_migrations (version, name) VALUES (%s, %s)",
                             (version, path.name))
            applied.append(path.name)
        after = current_version(conn)
        made = []
        for role, group in LOGIN_ROLES.items():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if exists:
                continue
            password = secrets.token_urlsafe(24)
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {} IN ROLE {}")
                         .format(sql.Identifier(role), sql.Literal(password), sql.Identifier(group)))
            if secrets_dir is not None:
                write_secret(Path(secrets_dir) / f"{role}.password", password)
            made.append(role)
        dbname = conn.info.dbname
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO kiosk_group, desk_group, worker_group")
                     .format(sql.Identifier(dbname)))
    return InitReport(before, after, tuple(applied), tuple(made))


def create_database(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
