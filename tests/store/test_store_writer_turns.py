"""Writers of one process take turns on a database file (kiosk.store.db.writer_lock) before SQLite's
busy handler: every connection to the file shares the turn, a transaction holds it to its end,
a thread waits for it at most its busy timeout, and the same thread may nest as before."""
from __future__ import annotations

import os
import threading

import pytest
import sqlcipher3

from kiosk.store.db import DB_FILENAME, writer_lock
from kiosk.store.migrate import open_store


def _open(tmp_path, key, **kw):
    return open_store(tmp_path, key, create=True, check_same_thread=False, **kw)


def test_every_connection_to_a_file_shares_one_turn(tmp_path):
    key = os.urandom(32)
    a, b = _open(tmp_path / "x", key), _open(tmp_path / "x", key)
    other = _open(tmp_path / "y", key)
    try:
        assert a.conn.kiosk_writer is b.conn.kiosk_writer is writer_lock(tmp_path / "x" / DB_FILENAME)
        assert other.conn.kiosk_writer is not a.conn.kiosk_writer
    finally:
        for s in (a, b, other):
            s.close()


def test_a_transaction_holds_the_turn_and_the_next_writer_follows_it(tmp_path):
    key = os.urandom(32)
    a, b = _open(tmp_path, key), _open(tmp_path, key)
    inside, release, order = threading.Event(), threading.Event(), []

    def first():
        with a.transaction():
            a.settings.set("turn", "first")
            inside.set()
            release.wait(10)
            order.append("first committed")

    t = threading.Thread(target=first)
    t.start()
    try:
        assert inside.wait(10)
        taken = []
        probe = threading.Thread(target=lambda: taken.append(a.conn.kiosk_writer.acquire(blocking=False)))
        probe.start()
        probe.join()
        assert taken == [False]                      # held for the whole transaction

        def second():
            with b.transaction():
                order.append("second began")
                b.settings.set("turn", "second")
        t2 = threading.Thread(target=second)
        t2.start()
        t2.join(0.3)
        assert t2.is_alive() and order == []         # waiting for its turn
        release.set()
        t.join(10)
        t2.join(10)
        assert order == ["first committed", "second began"]
        assert a.settings.get("turn") == "second"
    finally:
        release.set()
        a.close()
        b.close()


def test_a_writer_waits_at_most_its_busy_timeout(tmp_path):
    key = os.urandom(32)
    a, b = _open(tmp_path, key), _open(tmp_path, key, busy_timeout_ms=200)
    inside, release = threading.Event(), threading.Event()

    def hold():
        with a.transaction():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert inside.wait(10)
        with pytest.raises(sqlcipher3.OperationalError, match="locked"):
            with b.transaction():
                pass
    finally:
        release.set()
        t.join(10)
        a.close()
        b.close()


def test_the_same_thread_nests_as_before(tmp_path):
    key = os.urandom(32)
    a, b = _open(tmp_path, key), _open(tmp_path, key, busy_timeout_ms=100)
    try:
        with a.transaction():
            a.settings.set("k", "1")
            with a.transaction():                    # a savepoint: no second turn needed
                a.settings.set("k", "2")
            # a second connection from the same thread gets SQLite's answer, not a hang
            with pytest.raises(sqlcipher3.OperationalError, match="locked"):
                with b.transaction():
                    b.settings.set("k", "3")
        assert b.settings.get("k") == "2"
    finally:
        a.close()
        b.close()
