"""QA minor 26/27: what holds personal data or keys is private. kiosk.db 0600, tickets 0700/0600,
the demo's key under its own root (never loose in a shared parent directory)."""
from __future__ import annotations

import os
import stat

import pytest

from drivers.printer.layout import TicketLayout
from drivers.printer.sim import SimPrinter


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_is_created_0600_even_with_a_loose_umask(tmp_path):
    from kiosk.store.db import connect, db_path
    old = os.umask(0o022)
    try:
        conn = connect(db_path(tmp_path / "data"), os.urandom(32), create=True)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    finally:
        os.umask(old)
    assert mode(db_path(tmp_path / "data")) == 0o600
    for extra in ("-wal", "-shm"):
        p = db_path(tmp_path / "data").with_name("kiosk.db" + extra)
        if p.exists():
            assert mode(p) & 0o077 == 0


def test_an_old_0644_database_is_made_private_when_opened(tmp_path):
    from kiosk.store.db import connect, db_path
    key = os.urandom(32)
    path = db_path(tmp_path)
    connect(path, key, create=True).close()
    os.chmod(path, 0o644)
    connect(path, key).close()
    assert mode(path) == 0o600


def test_printed_tickets_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        printer = SimPrinter(tmp_path / "tickets")
        path = printer.print_ticket(TicketLayout(number="A1-001", lines=("Khám Nội", "Phòng 101"), name="t1"))
    finally:
        os.umask(old)
    assert mode(tmp_path / "tickets") == 0o700 and mode(path) == 0o600


@pytest.mark.integration
def test_the_demo_key_goes_under_the_demos_own_root(tmp_path):
    from kiosk.config import load
    from kiosk.demo.environment import prepare
    (tmp_path / "empty.toml").write_text("")
    shared = tmp_path / "shared"
    env = prepare(load(tmp_path / "empty.toml", env={}), data_dir=shared / "mydemo")
    try:
        assert not (shared / "demo.key").exists()                       # not loose in the shared parent
        assert env.key_file.parent == shared / "mydemo-demo" and env.key_file.exists()
        assert mode(env.key_file) == 0o600 and mode(env.key_file.parent) == 0o700
        assert shared / "mydemo" not in env.key_file.parents             # nor inside the data it protects
    finally:
        env.close()
