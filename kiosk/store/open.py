"""open_store: the one way to get a Store (connect with the key, migrate to the newest schema, wrap)."""
from __future__ import annotations

from pathlib import Path

from kiosk.core.clock import Clock
from kiosk.store.migrate import open_connection
from kiosk.store.store import Store


def open_store(data_dir: Path, key: bytes, *, create: bool = False, migrations_dir: Path | None = None,
               clock: Clock | None = None, cache_mib: int = 64, busy_timeout_ms: int = 5000,
               check_same_thread: bool = True) -> Store:
    """Open (or create) the database in `data_dir`, migrate it, and wrap it in a Store."""
    if create:
        Path(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = open_connection(data_dir, key, create=create, migrations_dir=migrations_dir,
                           cache_mib=cache_mib, busy_timeout_ms=busy_timeout_ms,
                           check_same_thread=check_same_thread)
    return Store(conn, clock)
