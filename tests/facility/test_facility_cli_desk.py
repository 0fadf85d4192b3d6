"""`kiosk hub init|status` as commands, and the desk's live read model over LISTEN/NOTIFY."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility import schema
from kiosk.facility.listen import DeskFeed, HubUnavailable
from tests.facility.helpers import node


def _kiosk(*argv, data_dir):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    return subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *argv],
                          capture_output=True, text=True, env=env, timeout=120)


def test_hub_init_and_status_commands(pg_cluster, tmp_path, signer):
    schema.create_database(pg_cluster.dsn(), "cli_hub")
    admin = pg_cluster.dsn(dbname="cli_hub")
    out = _kiosk("hub", "init", "--dsn", admin, "--secrets-dir", str(tmp_path / "s"), data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    newest = schema.discover()
    assert (f"hub schema 0 -> {newest[-1][0]}; applied: " + ", ".join(p.name for _, p in newest)) in out.stdout
    again = _kiosk("hub", "init", "--dsn", admin, data_dir=tmp_path)
    assert again.returncode == 0 and "applied: nothing" in again.stdout
    bad = _kiosk("hub", "status", "--dsn", f"host={pg_cluster.socket_dir} port=1 dbname=x", data_dir=tmp_path)
    assert bad.returncode == 1 and "hub unreachable" in bad.stderr
    st = _kiosk("hub", "status", "--json", "--dsn", admin, data_dir=tmp_path)
    assert st.returncode == 0, st.stderr
    body = json.loads(st.stdout)
    assert set(body) >= {"connected", "queues", "kiosks", "uploads_by_owner", "open_conflicts"}


def test_status_reports_lag_queues_and_owners(hub, tmp_path, signer):
    from kiosk.facility.status import format_status, hub_status
    k = node(tmp_path, "3", hub, signer, FakeClock())
    try:
        for i in range(4):
            k.checkin(crowd_person(200 + i), "K02")
        k.sync()
        with hub.connect("hub_desk") as conn:
            st = hub_status(conn)
        assert st["held_numbers"] == {"held": 1, "kiosks": 1, "given_back": 0}     # a busy kiosk (hub 0010)
        assert "numbers held: 1 by 1 busy kiosk(s), 0 given back" in format_status(st)
        assert st["kiosks"][0]["kiosk"] == "3" and st["kiosks"][0]["lag_seconds"] < 60
        assert st["uploads_by_owner"] == {"kiosk:3": {"pending": 4}}
        assert st["connected"]["desks"] >= 1
        assert "kiosk:3: pending 4" in format_status(st)
    finally:
        k.close()


def test_desk_sees_other_kiosks_live_and_refuses_writes_without_hub(hub, tmp_path, signer):
    seen = []
    feed = DeskFeed(hub.dsn("hub_desk"), on_change=seen.append)
    feed.connect()
    a, b = node(tmp_path, "1", hub, signer, FakeClock()), node(tmp_path, "2", hub, signer, FakeClock())
    try:
        got = []
        t = threading.Thread(target=lambda: got.append(feed.wait(timeout=10)))
        t.start()
        t0 = time.monotonic()
        a.checkin(crowd_person(300), "K01")
        a.sync()
        t.join(15)
        assert got and got[0] >= 1 and time.monotonic() - t0 < 10
        b.checkin(crowd_person(301), "K01")
        b.sync()
        feed.wait(timeout=5)
        assert {v["kiosk"] for v in feed.visits.values()} == {"1", "2"}
        assert sorted(v["ticket"] for v in seen) == ["A001", "A002"]
        feed.require_online()
        hub.cluster.stop("immediate")
        try:
            feed.wait(timeout=2)
            assert feed.online is False
            with pytest.raises(HubUnavailable):
                feed.require_online()
        finally:
            hub.cluster.start()
        feed.wait(timeout=2)          # reconnects and resumes from its cursor
        assert feed.online
    finally:
        feed.close(), a.close(), b.close()


def test_desk_does_not_skip_an_event_committed_out_of_id_order(hub):
    feed = DeskFeed(hub.dsn("hub_desk"))
    feed.connect()
    slow, fast = hub.connect("hub_kiosk"), hub.connect("hub_kiosk")
    try:
        slow.execute("INSERT INTO events (kind) VALUES ('x')")          # stays open: its id is taken
        slow_id = slow.execute("SELECT currval('events_id_seq')").fetchone()[0]
        with fast.transaction():
            fast.execute("INSERT INTO events (kind) VALUES ('y')")
            fast_id = fast.execute("SELECT currval('events_id_seq')").fetchone()[0]
        fast.commit()
        assert fast_id > slow_id
        assert feed.wait(timeout=5) == 1 and feed.cursor == fast_id
        slow.commit()                                   # the older id becomes visible after the newer one
        got = feed.wait(timeout=5)
        assert got == 1 and slow_id not in feed._gaps
    finally:
        slow.close(), fast.close(), feed.close()


def test_desk_applies_the_event_its_notification_carries_without_reading_the_feed(hub, tmp_path, signer):
    """Hub migration 0009: the event rides on NOTIFY, so a live desk reads nothing back per wake-up;
    a bare event id (a payload too large for NOTIFY) still makes it read the feed."""
    feed = DeskFeed(hub.dsn("hub_desk"))
    feed.connect()
    reads = []
    real = feed._catch_up
    feed._catch_up = lambda: reads.append(1) or real()
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        tickets = [k.checkin(crowd_person(400 + i), "K02").number for i in range(5)]
        k.sync()
        got, end = 0, time.monotonic() + 10
        while got < 5 and time.monotonic() < end:
            got += feed.wait(timeout=1)
        mine = {v["ticket"]: v for v in feed.visits.values() if v["kiosk"] == "1"}
        assert sorted(mine) == sorted(tickets) and reads == []
        with hub.connect("hub_desk") as conn:
            row = conn.execute("SELECT ma_lk, checked_in_at, status FROM visits WHERE ticket_number = %s",
                               (tickets[0],)).fetchone()
        v = mine[tickets[0]]
        assert (v["ma_lk"], v["checked_in_at"], v["status"], v["service"]) == (row[0], row[1], row[2], "K02")
        import psycopg
        with psycopg.connect(hub.admin_dsn()) as conn:
            eid = conn.execute("INSERT INTO events (kind, ma_lk, kiosk_id, body) VALUES ('visit.changed', %s, '1', "
                               "jsonb_build_object('pad', repeat('x', 8000))) RETURNING id", (row[0],)).fetchone()[0]
        assert feed.wait(timeout=5) >= 1 and reads == [1] and feed.cursor == eid
    finally:
        feed.close(), k.close()
