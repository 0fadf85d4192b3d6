"""Opening a store while another thread closes the last connection gives no false "write-ahead log
missing" alarm: the closer's two steps (SQLite removes the -wal, then we remove kiosk.db-inuse)
and the opener's two looks are under one lock (seen on the demo's first start)."""
from __future__ import annotations

import os
import threading

import kiosk.store.db as db
from kiosk.store.migrate import open_store


def test_an_open_between_a_close_and_its_marker_removal_is_no_alarm(tmp_path, monkeypatch):
    key = os.urandom(32)
    open_store(tmp_path, key, create=True).close()
    first = open_store(tmp_path, key, check_same_thread=False)       # kiosk.db-inuse: connections open
    assert (tmp_path / (db.DB_FILENAME + "-inuse")).exists()
    with first.transaction():
        first.settings.set("k", "v")
    closing, go, opened = threading.Event(), threading.Event(), []
    real = db.after_close

    def slow_after_close(path):
        closing.set()            # SQLite has removed the -wal; the marker is still there
        go.wait(10)
        real(path)

    monkeypatch.setattr(db, "after_close", slow_after_close)
    closer = threading.Thread(target=first.close)
    closer.start()
    assert closing.wait(10)
    opener = threading.Thread(target=lambda: opened.append(open_store(tmp_path, key, check_same_thread=False)))
    opener.start()
    opener.join(0.3)
    go.set()
    closer.join(10)
    opener.join(10)
    monkeypatch.setattr(db, "after_close", real)
    assert opened and opened[0].settings.get("k") == "v"
    opened[0].close()
    assert not (tmp_path / (db.DB_FILENAME + db.WAL_NOTE_SUFFIX)).exists()
