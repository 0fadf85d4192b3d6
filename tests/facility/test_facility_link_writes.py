"""The facility link leaves the kiosk's issuing connection alone: a ticket's push writes nothing
locally (its cursors are written late), a pull of patients the kiosk knows writes nothing, new
ones go in short chunks, and a crash before the late write only re-sends what the hub ignores.
`PRAGMA data_version` on the issuing connection changes exactly when another connection committed
a change to the file, which is what empties that connection's page cache."""
from __future__ import annotations

import time

from kiosk.config import load
from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility import pull
from kiosk.facility.cursors import LinkCursors
from kiosk.facility.push import Pusher
from kiosk.facility.runner import FacilityLink
from kiosk.store.migrate import open_store
from tests.facility.helpers import FACILITY, hub_rows, node


def _version(store) -> int:
    return store.conn.execute("PRAGMA data_version").fetchone()[0]


def test_a_push_writes_nothing_locally_until_its_cursors_are_due(hub, tmp_path, signer):
    k = node(tmp_path, "1", hub, signer, FakeClock())
    link_store = open_store(k.store_dir, k.key, clock=FakeClock())
    try:
        k.set_reachable(False)
        for i in range(6):
            k.checkin(crowd_person(300 + i), "K01")
        k.set_reachable(True)
        pusher = Pusher(link_store, FACILITY, "1", persist_every=3600)
        before = _version(k.store)
        with hub.connect() as conn:
            first = pusher.push(conn)
            assert (first.visits, first.new_visits) == (6, 6)
            assert pusher.push(conn).total == 0              # the cursor moved, in memory
        assert _version(k.store) == before                   # the issuing connection's cache stays
        assert pusher.feed.cursor("push.visits") == 0 and pusher.cursors.unwritten == 2
        assert hub_rows(hub, "SELECT count(*) FROM visits") == [(6,)]

        # the kiosk dies before the late write: a new link re-sends, the hub ignores it
        again = Pusher(link_store, FACILITY, "1", persist_every=3600)
        with hub.connect() as conn:
            resent = again.push(conn)
        assert (resent.visits, resent.new_visits, resent.conflicts) == (6, 0, 0)
        assert hub_rows(hub, "SELECT count(*), count(DISTINCT ma_lk) FROM outbox") == [(6, 6)]

        again.cursors.flush()                                # as the link does when it stops
        assert _version(k.store) != before
        last = k.store.conn.execute("SELECT max(id) FROM visits").fetchone()[0]
        assert again.feed.cursor("push.visits") == last and again.cursors.unwritten == 0
    finally:
        link_store.close()
        k.close()


def test_cursors_are_written_when_due_and_never_ahead(tmp_path, signer):
    k = node(tmp_path, "1", None, signer, FakeClock())
    now = [0.0]
    try:
        cursors = LinkCursors(k.store, persist_every=10.0, clock=lambda: now[0])
        cursors.move({"push.visits": 5})
        assert cursors.get("push.visits") == 5 and cursors.feed.cursor("push.visits") == 0
        now[0] = 10.5
        cursors.move({"push.visits": 9, "push.outbox": 4})
        assert (cursors.feed.cursor("push.visits"), cursors.feed.cursor("push.outbox")) == (9, 4)
        assert cursors.unwritten == 0
        cursors.move({"pull.patients": 7}, now=True)          # written with a caller's rows
        assert cursors.feed.cursor("pull.patients") == 7
    finally:
        k.close()


def _seven_at_kiosk_one(hub, tmp_path, signer, first: int):
    """Kiosks 1 and 2; kiosk 1 tickets seven new patients and pushes them (a push only: nothing pulled)."""
    a = node(tmp_path, "1", hub, signer, FakeClock())
    b = node(tmp_path, "2", hub, signer, FakeClock())
    for i in range(7):
        a.checkin(crowd_person(first + i), "K01")
    with hub.connect() as conn:
        assert a.pusher.push(conn).visits == 7
    return a, b


def test_a_pull_writes_only_patients_new_here_in_short_chunks(hub, tmp_path, signer):
    a, b = _seven_at_kiosk_one(hub, tmp_path, signer, 400)
    try:
        hub_last = hub_rows(hub, "SELECT max(id) FROM patients")[0][0]

        # kiosk 1's own patients come back: nothing to write, the cursor moves in memory
        mine = open_store(a.store_dir, a.key, clock=FakeClock())
        try:
            cursors = LinkCursors(mine, persist_every=3600)
            before = _version(a.store)
            with hub.connect() as conn:
                assert pull.pull(conn, mine, "1", cursors=cursors).patients == 0
            assert _version(a.store) == before
            assert cursors.get("pull.patients") == hub_last and cursors.feed.cursor("pull.patients") == 0
        finally:
            mine.close()

        # kiosk 2 learns all 7, three per transaction, each chunk with its cursor
        commits = []
        b.store.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        with hub.connect() as conn:
            got = pull.pull(conn, b.store, "2", chunk=3, cursors=LinkCursors(b.store, persist_every=3600))
        b.store.conn.set_trace_callback(None)
        assert got.patients == 7 and len(commits) >= 3
        assert LinkCursors(b.store).get("pull.patients") == hub_last
        assert all(b.store.patients.find_any(crowd_person(400 + i).lookup_keys()) for i in range(7))
    finally:
        a.close()
        b.close()


def test_a_tickets_round_only_pushes(hub, tmp_path, signer):
    """The link pulls on the hub's events at most once per hub_push_seconds; the round a ticket
    wakes only pushes, and writes nothing in the issuing connection's file."""
    k = node(tmp_path, "1", hub, signer, FakeClock())
    c = hub.cluster
    cfg = load(None, env={}, overrides={
        "data_dir": k.store_dir, "facility_code": FACILITY, "kiosk_id": "1", "hub_push_seconds": 30.0,
        "hub_dsn": f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user=hub_kiosk",
        "hub_password_file": hub.secrets / "hub_kiosk.password"})
    link = FacilityLink(cfg, k.key, clock=FakeClock()).start()
    try:
        deadline = time.monotonic() + 20
        while link.pulls < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert link.online and link.pulls == 1               # the first round pulls
        before = _version(k.store)
        k.set_reachable(False)                               # numbered locally: no hub round trip here
        for i in range(3):
            k.checkin(crowd_person(500 + i), "K02")
            link.notify()
            assert link.wait_pushed(10)
        assert hub_rows(hub, "SELECT count(*) FROM visits") == [(3,)]
        assert link.pulls == 1
        # (a connection's own commits leave its data_version alone; the link's would move it)
        assert _version(k.store) == before
    finally:
        link.stop()
    assert _version(k.store) != before                       # its cursors, written when it stopped
    k.close()


def test_a_pull_gives_way_to_a_waiting_push_and_goes_on_later(hub, tmp_path, signer):
    a, b = _seven_at_kiosk_one(hub, tmp_path, signer, 600)
    try:
        with hub.connect() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM patients ORDER BY id").fetchall()]
            cursors = LinkCursors(b.store, persist_every=3600)
            first = pull.pull(conn, b.store, "2", chunk=3, cursors=cursors, interrupt=lambda: True)
            assert (first.complete, first.patients) == (False, 3)          # one chunk, then the push goes first
            assert cursors.get("pull.patients") == ids[2] == LinkCursors(b.store).get("pull.patients")
            rest = pull.pull(conn, b.store, "2", chunk=3, cursors=cursors, interrupt=lambda: False)
        assert (rest.complete, rest.patients) == (True, 4)
        assert all(b.store.patients.find_any(crowd_person(600 + i).lookup_keys()) for i in range(7))
    finally:
        a.close()
        b.close()
