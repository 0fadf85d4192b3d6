"""Forward-only migration runner: migrations/NNNN_name.sql applied in order, one transaction each.

Each file and its `PRAGMA user_version` bump commit together, so a failing file leaves the
database exactly at the previous version. A database newer than the newest file is refused.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from kiosk.paths import migrations_dir as default_migrations_dir
from kiosk.store.db import connect, db_path
from kiosk.store.errors import MigrationError, SchemaTooNewError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[A-Za-z0-9_\-]+\.sql$")
# A file whose first line is this runs with foreign keys off (a table rebuild: DROP TABLE of a parent
# would cascade); PRAGMA foreign_key_check still runs before its commit.
FOREIGN_KEYS_OFF = "-- kiosk-migrate: foreign_keys=off"


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class MigrationReport:
    before: int
    after: int
    applied: tuple[str, ...]


def discover(directory: Path | None = None) -> list[Migration]:
    """The migration files of `directory`, checked to be numbered 1, 2, 3... without gaps."""
    directory = Path(directory or default_migrations_dir())
    found = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise MigrationError(f"{path}: migration files are named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), path))
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise MigrationError(f"{directory}: expected migration {expected:04d}, found {mig.name}")
    if not found:
        raise MigrationError(f"no migrations in {directory}")
    return found


def latest_version(directory: Path | None = None) -> int:
    """The newest schema this kiosk knows (the highest migration number)."""
    return discover(directory)[-1].version


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (';' inside strings, comments and triggers kept)."""
    statements, current = [], ""
    pieces = sql.split(";")
    for piece in pieces[:-1]:
        current += piece + ";"
        if sqlcipher3.complete_statement(current):
            if _has_code(current):
                statements.append(current.strip())
            current = ""
    current += pieces[-1]
    if _has_code(current) and sqlcipher3.complete_statement(current + ";"):
        statements.append(current.strip() + ";")  # a last statement without its ';'
    elif _has_code(current):
        raise MigrationError("migration ends with an incomplete statement: " + current.strip()[:60])
    return statements


def _has_code(text: str) -> bool:
    without = re.sub(r"--[^\n]*", "", text)
    without = re.sub(r"/\*.*?\*/", "", without, flags=re.S)
    return bool(without.strip().strip(";").strip())


def schema_version(conn) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn, directory: Path | None = None) -> MigrationReport:
    """Bring the database to the newest schema; returns what was applied."""
    migrations = discover(directory)
    newest = migrations[-1].version
    before = schema_version(conn)
    if before > newest:
        raise SchemaTooNewError(before, newest)
    applied = []
    for mig in migrations:
        if mig.version <= before:
            continue
        text = mig.path.read_text(encoding="utf-8")
        statements = split_statements(text)
        fk_off = text.startswith(FOREIGN_KEYS_OFF) and bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if fk_off:
            conn.execute("PRAGMA foreign_keys = OFF")   # a no-op inside a transaction: set before BEGIN
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)  # another process may have migrated meanwhile
            if current >= mig.version:
                conn.execute("ROLLBACK")
                continue
            for statement in statements:
                conn.execute(statement)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise MigrationError(f"{mig.name} leaves {len(problems)} foreign-key violations")
            conn.execute(f"PRAGMA user_version = {mig.version}")
            conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, MigrationError):
                raise
            raise MigrationError(f"migration {mig.name} failed ({exc}); the database stays at "
                                 f"schema {schema_version(conn)}") from exc
        finally:
            if fk_off:
                conn.execute("PRAGMA foreign_keys = ON")
        applied.append(mig.name)
        log.info("applied migration %s", mig.name)
    return MigrationReport(before, schema_version(conn), tuple(applied))


def open_connection(data_dir: Path, key: bytes, *, create: bool = False,
                    migrations_dir: Path | None = None, cache_mib: int = 64,
                    busy_timeout_ms: int = 5000, check_same_thread: bool = True):
    """connect() + migrate(): a connection at the newest schema."""
    conn = connect(db_path(data_dir), key, create=create, cache_mib=cache_mib,
                   busy_timeout_ms=busy_timeout_ms, check_same_thread=check_same_thread)
    try:
        migrate(conn, migrations_dir)
    except BaseException:
        conn.close()
        raise
    return conn


def __getattr__(name: str):
    # `kiosk.store.migrate.open_store` is the old home of kiosk.store.open.open_store; kept as an
    # alias, resolved on use so migrate (which open.py imports) does not import open.py back
    if name == "open_store":
        from kiosk.store.open import open_store
        return open_store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
