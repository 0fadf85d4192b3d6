"""The waiting-room display through the hub: a call made on another PC shows on the display's
feed (LISTEN hub_queue, on the feed's own thread); the hub going away shows the calm
"updating…" state and the feed comes back by itself; the caller backend on the hub."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import psycopg
import pytest

from hub_queue_helpers import FACILITY, SETTINGS, Staff, push_visits, service
from kiosk.calling.background import BackgroundFeed
from kiosk.calling.caller import CallerBackend
from kiosk.core.clock import FakeClock
from kiosk.facility.display_feed import HubDisplayFeed

SERVICES = [{"code": "K01", "name_vi": "Khám nội", "name_en": "Internal medicine", "room": "101"},
            {"code": "K04", "name_vi": "Khám nhi", "name_en": "Paediatrics", "room": "203"}]


class Link:
    """Connects the display to the hub, or refuses while `down` (the hub restarting)."""

    def __init__(self, hub):
        self.hub, self.down, self.opened = hub, False, 0

    def __call__(self):
        if self.down:
            raise psycopg.OperationalError("connection refused (test: hub down)")
        self.opened += 1
        return self.hub.connect("hub_kiosk", application_name="test-display")


def wait_for(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(0.01)
    raise AssertionError("condition not reached")


def test_a_call_on_another_pc_reaches_the_display_feed_through_listen(hub):
    push_visits(hub, 3)
    svc = service(hub)
    svc.sync_counters()
    feed = HubDisplayFeed(Link(hub), FACILITY, SETTINGS, SERVICES)
    bg = BackgroundFeed(feed, period_s=5.0, name="display-hub").start()    # long wait: only NOTIFY wakes it
    try:
        first = wait_for(lambda: (lambda s: s if s.board else None)(bg.poll()))
        assert first.board.calls == () and not first.stale
        q1 = next(r for r in first.board.rooms if r.counter_id == "Q1")
        assert q1.next_numbers == ("A1-000", "A1-001", "A1-002")
        reads = bg.reads
        svc.call_next(Staff(), "Q2")
        got: list = []

        def seen():
            st = bg.poll()
            got.extend(st.new_calls)
            return st.board if st.board and st.board.calls else None
        board = wait_for(seen, timeout=4.0)                   # well before the 5 s wait would end
        assert (board.calls[0].number, board.calls[0].place_vi) == ("A1-000", "Quầy 2")
        assert [c["number"] for c in got] == ["A1-000"]
        assert next(r for r in board.rooms if r.counter_id == "Q2").serving == "A1-000"
        assert bg.reads == reads + 1                          # one notification, one read
        assert not any("NGƯỜI" in str(line) for line in board.calls + board.rooms)
    finally:
        bg.close()
        svc.close()


def test_hub_gone_shows_updating_and_the_feed_recovers_by_itself(hub):
    push_visits(hub, 2)
    svc = service(hub)
    svc.sync_counters()
    clock = FakeClock(datetime.now(timezone.utc))
    link = Link(hub)
    feed = HubDisplayFeed(link, FACILITY, SETTINGS, SERVICES, clock=clock)
    assert feed.poll().board is not None
    link.down = True
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as admin:     # the hub restarts: our session is cut
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-display'")
    feed.wait(0.5)                                 # the dead link is noticed on the feed's thread
    assert feed._conn is None
    assert feed.poll().stale is False              # a blink: the last board stays a moment
    clock.advance(3.1)
    assert feed.poll().stale is True               # then the calm "updating…", no stale numbers
    assert feed.poll().board is None
    svc.call_next(Staff(), "Q1")
    link.down = False
    clock.advance(1.1)
    st = feed.poll()
    assert not st.stale and st.board.calls[0].number == "A1-000"     # fresh numbers after the gap
    assert link.opened == 2
    feed.close()
    svc.close()


def test_caller_backend_on_the_hub_shows_the_masked_patient(hub):
    push_visits(hub, 2, priority="elderly")
    svc = service(hub)

    class Accounts:
        def sign_in(self, username, pin):
            return Staff(username)
    backend = CallerBackend(None, svc, Accounts())
    backend.sign_in("le.thu", "591846")
    e = backend.act("next", "Q1")
    cur = backend.current("Q1")
    assert (cur.number, cur.masked_name, cur.birth_year, cur.priority_en) == (e.number, "NGƯỜI T** 0", "1980",
                                                                             "Elderly")
    assert backend.waiting("Q1") == ["A1-001"]
    svc.close()


def test_display_feed_survives_many_calls_without_missing_an_announcement(hub):
    push_visits(hub, 30)
    svc = service(hub)
    svc.sync_counters()
    bg = BackgroundFeed(HubDisplayFeed(Link(hub), FACILITY, SETTINGS, SERVICES), period_s=1.0).start()
    heard: list[str] = []
    try:
        wait_for(lambda: bg.poll().board)
        stop = threading.Event()

        def listen():
            while not stop.is_set():
                heard.extend(c["number"] for c in bg.poll().new_calls)
                time.sleep(0.005)
        t = threading.Thread(target=listen)
        t.start()
        for _ in range(10):
            for cid in ("Q1", "Q2"):
                svc.call_next(Staff(), cid)
                svc.start(Staff(), cid)
                svc.finish(Staff(), cid)
        wait_for(lambda: len(heard) >= 20)
        stop.set()
        t.join()
    finally:
        bg.close()
        svc.close()
    assert heard == [f"A1-{i:03d}" for i in range(20)]


def test_calls_committed_out_of_id_order_are_all_announced(hub):
    """Two counters at once: the call that took the lower id may commit last; it is still heard."""
    push_visits(hub, 40)
    service(hub).sync_counters()
    bg = BackgroundFeed(HubDisplayFeed(Link(hub), FACILITY, SETTINGS, SERVICES), period_s=1.0).start()
    wait_for(lambda: bg.ready)
    slow = hub.connect("hub_desk")
    with slow.transaction():                     # a call that took its id first and commits last
        slow.execute("INSERT INTO hub_queue_calls (entry_id, facility_code, day, number, counter_id, room, kind, "
                     "staff) SELECT id, facility_code, day, number, 'Q9', 'Q9', 'call', 'late' FROM "
                     "hub_queue_entries ORDER BY id DESC LIMIT 1")
        called: list[str] = []

        def counter(cid: str) -> None:
            svc = service(hub)
            for _ in range(5):
                e = svc.call_next(Staff(), cid)
                called.append(e.number)
                svc.start(Staff(), cid)
                svc.finish(Staff(), cid)
            svc.close()
        threads = [threading.Thread(target=counter, args=(c,)) for c in ("Q1", "Q2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        heard: list[str] = []
        wait_for(lambda: heard.extend(c["number"] for c in bg.poll().new_calls) or len(heard) >= 10)
    slow.close()                                 # the late call committed as the block ended
    wait_for(lambda: heard.extend(c["number"] for c in bg.poll().new_calls) or len(heard) >= 11)
    bg.close()
    assert sorted(heard) == sorted(called + ["A1-039"])


def test_with_hub_dsn_the_caller_and_the_display_use_the_hub(hub, tmp_path):
    """The composition `kiosk caller` / `kiosk display` use: hub_dsn set -> the hub's calling port
    and the hub's LISTEN feed (the local store is not even opened)."""
    from kiosk.calling.compose import caller_service, display_source
    from kiosk.config import load
    from kiosk.facility.calling import HubCallingService
    c = hub.cluster
    counters = [{"id": x.id, "room": x.room, "services": list(x.services), "name_vi": x.name_vi,
                 "name_en": x.name_en} for x in SETTINGS.counters]

    def cfg(role: str):
        return load(None, env={}, overrides={
            "data_dir": tmp_path / "data", "facility_code": FACILITY, "counters": counters,
            "hub_dsn": f"host={c.socket_dir} port={c.port} user={role} dbname={hub.dbname}",
            "hub_password_file": hub.secrets / f"{role}.password"})
    push_visits(hub, 2)

    def no_store():
        raise AssertionError("the local store is not used with a hub")
    svc = caller_service(None, cfg("hub_desk"))
    assert isinstance(svc, HubCallingService)
    feed = display_source(cfg("hub_kiosk"), no_store)
    try:
        wait_for(lambda: feed.ready)
        svc.call_next(Staff(), "Q1")
        board = wait_for(lambda: (lambda s: s.board if s.board and s.board.calls else None)(feed.poll()))
        assert board.calls[0].number == "A1-000" and board.calls[0].place_en == "Counter 1"
    finally:
        feed.close()
        svc.close()


def test_the_hub_caller_signs_in_with_a_facility_staff_account(hub, tmp_path):
    """On the hub a counter signs in with its facility account (hub migration 0002), the same on
    every PC; a wrong PIN is refused; the calls are audited under that name."""
    from kiosk.calling.compose import caller_service
    from kiosk.config import load
    from kiosk.facility.hub_staff import add_staff
    from kiosk.facility.wiring import hub_staff_accounts
    from kiosk.security.accounts import SignInError
    from kiosk.security.pins import PinHasher
    from tests.facility.helpers import hub_rows
    c = hub.cluster
    cfg = load(None, env={}, overrides={
        "data_dir": tmp_path / "data", "facility_code": FACILITY,
        "counters": [{"id": "Q1", "room": "Q1", "services": ["K01"], "name_vi": "Quầy 1", "name_en": "Counter 1"}],
        "hub_dsn": f"host={c.socket_dir} port={c.port} user=hub_desk dbname={hub.dbname}",
        "hub_password_file": hub.secrets / "hub_desk.password"})
    hasher = PinHasher(1, 1024)
    with psycopg.connect(hub.admin_dsn()) as admin:
        add_staff(admin, "tran.binh", "Trần Bình", "reception", "591846", hasher=hasher)
    push_visits(hub, 1)
    accounts = hub_staff_accounts(cfg, hasher=hasher)
    backend = CallerBackend(None, caller_service(None, cfg, accounts=accounts), accounts)
    with pytest.raises(SignInError):
        backend.sign_in("tran.binh", "000000")
    backend.sign_in("tran.binh", "591846")
    assert backend.act("next", "Q1").number == "A1-000"
    body = hub_rows(hub, "SELECT body FROM events WHERE kind = 'queue.call'")[0][0]
    assert body["staff"] == "tran.binh" and body["counter"] == "Q1"
    backend.service.close()
