"""Calling through the facility hub (hub migration 0004) on a real PostgreSQL: the queue entry
per visit, the core's calling order in SQL, every action audited, and two counters on two
connections pressing Call next together, many times: never the same patient."""
from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta, timezone

import pytest

from hub_queue_helpers import FACILITY, SETTINGS, Staff, push_visits, service
from kiosk.calling.service import CallingSettings
from kiosk.core.queue.model import QueueRuleError
from kiosk.core.queue.order import waiting_order
from kiosk.facility.calling import COLS, entry_of
from tests.facility.helpers import hub_rows

ROUNDS = 120


def test_every_pushed_visit_becomes_one_waiting_entry(hub):
    push_visits(hub, 3)
    push_visits(hub, 1, start=3, status="cancelled")
    rows = hub_rows(hub, "SELECT number, state, room FROM hub_queue_entries ORDER BY id")
    assert rows == [("A1-000", "waiting", "101"), ("A1-001", "waiting", "101"), ("A1-002", "waiting", "101"),
                    ("A1-003", "cancelled", "101")]


def test_call_next_follows_priority_then_arrival_and_every_action_is_audited(hub):
    push_visits(hub, 3)
    push_visits(hub, 1, start=3, priority="elderly")
    push_visits(hub, 1, start=4, priority="child")
    svc = service(hub)
    svc.sync_counters()
    staff = Staff()
    order = []
    for _ in range(5):
        e = svc.call_next(staff, "Q1")
        order.append(e.number)
        with pytest.raises(QueueRuleError) as busy:
            svc.call_next(staff, "Q1")
        assert busy.value.code == "counter_busy"
        svc.recall(staff, "Q1")
        svc.start(staff, "Q1")
        svc.finish(staff, "Q1")
    # child before elderly (the law's order in DEFAULT_GROUPS), then arrival
    assert order == ["A1-004", "A1-003", "A1-000", "A1-001", "A1-002"]
    assert svc.call_next(staff, "Q1") is None
    kinds = [r[0] for r in hub_rows(hub, "SELECT kind FROM events WHERE kind LIKE 'queue.%%' ORDER BY id")]
    assert kinds == ["queue.call", "queue.recall", "queue.start", "queue.finish"] * 5
    body = hub_rows(hub, "SELECT body FROM events WHERE kind = 'queue.call' ORDER BY id LIMIT 1")[0][0]
    assert body == {"staff": "le.thu", "counter": "Q1", "ticket": "A1-004", "service": "K01", "state": "called"}
    assert "NGƯỜI" not in str(hub_rows(hub, "SELECT body FROM events WHERE kind LIKE 'queue.%%'"))
    calls = hub_rows(hub, "SELECT number, kind, counter_id, room FROM hub_queue_calls ORDER BY id LIMIT 2")
    assert calls == [("A1-004", "call", "Q1", "Q1"), ("A1-004", "recall", "Q1", "Q1")]
    assert [r[0] for r in hub_rows(hub, "SELECT state FROM hub_queue_entries")] == ["done"] * 5


def test_no_show_return_transfer_and_undo_on_the_hub(hub):
    push_visits(hub, 2)
    svc, staff = service(hub), Staff()
    first = svc.call_next(staff, "Q1")
    svc.no_show(staff, "Q1")
    back = svc.return_later(staff, first.number)
    assert back.state.value == "waiting"
    nxt = svc.call_next(staff, "Q1")
    assert nxt.number == "A1-001"           # the returner waits behind those waiting now
    moved = svc.transfer(staff, "Q1", "K04")
    assert (moved.service_code, moved.room, moved.coming_from.service_code) == ("K04", "203", "K01")
    assert svc.waiting("P203")[0].number == "A1-001"
    undone = svc.undo_transfer(staff, "A1-001")
    assert (undone.service_code, undone.state.value, undone.counter_id) == ("K01", "called", "Q1")
    name, born = svc.patient_of(undone)
    assert name == "NGƯỜI THỬ 1" and born == "1980-01-01"


def test_the_sql_order_is_the_core_order(hub):
    """Random queues (priorities, appointments due or not, follow-ups, arrival): the hub's
    ORDER BY and kiosk.core.queue.order.waiting_order agree entry for entry."""
    rng = random.Random(18)
    push_visits(hub, 60)
    groups = ["emergency", "child", "elderly", "merit", "unknown", None]
    now = datetime.now(timezone.utc)
    with hub.connect("hub_desk") as conn, conn.transaction():
        for (eid,) in conn.execute("SELECT id FROM hub_queue_entries").fetchall():
            appt = now + timedelta(minutes=rng.randint(-60, 60)) if rng.random() < 0.4 else None
            conn.execute("UPDATE hub_queue_entries SET priority = %s, appointment_at = %s, follow_up = %s, "
                         "queued_at = %s WHERE id = %s",
                         (rng.choice(groups), appt, rng.random() < 0.15,
                          now - timedelta(minutes=rng.randint(0, 20)), eid))
    svc = service(hub, CallingSettings(SETTINGS.counters, SETTINGS.rooms))
    hub_order = [e.id for e in svc.waiting("Q1")]
    with hub.connect("hub_desk") as conn:
        entries = [entry_of(r) for r in conn.execute(f"SELECT {COLS} FROM hub_queue_entries")]
        db_now = conn.execute("SELECT now()").fetchone()[0]
    core_order = [e.id for e in waiting_order(entries, ["K01", "K02"], db_now, SETTINGS.policy)]
    assert len(hub_order) == 60
    assert hub_order == core_order


def test_two_counters_pressing_call_next_together_never_get_the_same_patient(hub):
    push_visits(hub, 2 * ROUNDS + 10)
    service(hub).sync_counters()
    barrier = threading.Barrier(2)
    got: dict[str, list[str]] = {"Q1": [], "Q2": []}
    errors: list[BaseException] = []

    def counter(cid: str) -> None:
        svc = service(hub)                     # its own connection: another PC
        staff = Staff(f"staff.{cid}")
        try:
            for _ in range(ROUNDS):
                barrier.wait()
                e = svc.call_next(staff, cid)
                got[cid].append(e.number)
                barrier.wait()                 # both hold a patient before either finishes
                svc.start(staff, cid)
                svc.finish(staff, cid)
        except BaseException as exc:   # reported below
            errors.append(exc)
            barrier.abort()
        finally:
            svc.close()

    threads = [threading.Thread(target=counter, args=(c,)) for c in ("Q1", "Q2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    both = got["Q1"] + got["Q2"]
    assert len(both) == 2 * ROUNDS and len(set(both)) == len(both)
    assert sorted(both) == [f"A1-{i:03d}" for i in range(2 * ROUNDS)]     # nobody skipped
    assert hub_rows(hub, "SELECT entry_id FROM hub_queue_calls GROUP BY entry_id HAVING count(*) > 1") == []
    per = dict(hub_rows(hub, "SELECT counter_id, count(*) FROM hub_queue_calls GROUP BY counter_id"))
    assert per == {"Q1": ROUNDS, "Q2": ROUNDS}


def test_the_same_counter_on_two_pcs_holds_one_patient(hub):
    push_visits(hub, 40)
    results: list = []
    barrier = threading.Barrier(2)

    def press() -> None:
        svc = service(hub)
        try:
            barrier.wait()
            try:
                results.append(svc.call_next(Staff(), "Q1").number)
            except QueueRuleError as exc:
                results.append(exc.code)
        finally:
            svc.close()

    for _ in range(15):
        results.clear()
        threads = [threading.Thread(target=press) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r == "counter_busy" for r in results) == [False, True], results
        held = hub_rows(hub, "SELECT count(*) FROM hub_queue_entries WHERE counter_id = 'Q1' AND state = 'called'")
        assert held == [(1,)]
        with hub.connect("hub_desk") as conn:
            conn.execute("UPDATE hub_queue_entries SET state = 'done', counter_id = NULL WHERE counter_id = 'Q1'")
    assert FACILITY == "79001"


def test_pushed_appointments_and_follow_ups_order_the_hub_queue_like_the_kiosk(hub, tmp_path, signer):
    """Issue 18 leftover: random queues made by a kiosk (priority groups, an emergency category,
    imported appointments due or not, follow-ups, some booked for another service) and pushed: the
    hub's queue entries carry the kiosk's appointment times, follow-up flags and calling priority,
    and the hub's ORDER BY equals the core's order over the kiosk's own queue, ticket for ticket."""
    from kiosk.core.clock import FakeClock, local_day
    from kiosk.core.views import PriorityCategory
    from kiosk.demo.facility_people import crowd_person
    from kiosk.store.appointments import AppointmentRow
    from tests.facility.helpers import node
    real_now = datetime.now(timezone.utc)
    start = max(real_now - timedelta(minutes=30),
                datetime.combine(datetime.fromisoformat(local_day(real_now)), datetime.min.time(),
                                 tzinfo=timezone(timedelta(hours=7))) + timedelta(seconds=1))
    for seed, kiosk_id in ((18, "1"), (1818, "2")):
        rng = random.Random(seed)
        clock = FakeClock(start)
        k = node(tmp_path, kiosk_id, hub, signer, clock)
        k.set_reachable(False)                      # the kiosk's own series; pushed when it reconnects
        day = local_day(clock.now())
        base = 100 * seed
        for i in range(40):
            person = crowd_person(base + i)
            service_code = rng.choice(["K01", "K02"])
            if rng.random() < 0.45:
                booked = service_code if rng.random() < 0.85 else "K04"      # some booked for another service
                with k.store.transaction():
                    k.store.appointments.upsert(AppointmentRow(
                        day, real_now + timedelta(minutes=rng.randint(-60, 60)), booked, person.cccd.number,
                        rng.random() < 0.3, ""), "test.csv")
            prio = rng.choice([None, None, PriorityCategory.ELDERLY, PriorityCategory.CHILD, PriorityCategory.MERIT])
            k.checkin(person, service_code, prio)
            clock.advance(rng.randint(1, 30))
        with k.store.transaction():                 # two visits re-categorised as emergencies (MA_DOITUONG_KCB 2)
            for vid in rng.sample([r[0] for r in k.store.conn.execute("SELECT id FROM visits")], 2):
                k.store.conn.execute("UPDATE visits SET ma_doituong_kcb = '2', priority = priority WHERE id = ?",
                                     (vid,))
        k.set_reachable(True)
        assert k.sync()["pushed"] >= 40
        local = k.store.queue.entries(day)
        k.close()
        assert sum(e.appointment_at is not None for e in local) >= 5 and any(e.follow_up for e in local)
        assert sum(e.priority == "emergency" for e in local) == 2
        # the hub's entries carry what the kiosk's entries hold
        hub_facts = {r[0]: r[1:] for r in hub_rows(
            hub, "SELECT number, priority, appointment_at, follow_up FROM hub_queue_entries WHERE state = 'waiting'")}
        assert len(hub_facts) == 40
        for e in local:
            assert hub_facts[e.number] == (e.priority, e.appointment_at, e.follow_up), e.number
        svc = service(hub, CallingSettings(SETTINGS.counters, SETTINGS.rooms))
        with hub.connect("hub_desk") as conn:
            db_now = conn.execute("SELECT now()").fetchone()[0]
        hub_order = [e.number for e in svc.waiting("Q1")]
        core_order = [e.number for e in waiting_order(local, ["K01", "K02"], db_now, SETTINGS.policy)]
        assert len(core_order) == 40 and hub_order == core_order
        # and Call next takes the core's first
        assert svc.call_next(Staff(), "Q1").number == core_order[0]
        svc.close()
        with hub.connect("hub_desk") as conn:         # the next seed's queue alone
            conn.execute("UPDATE hub_queue_entries SET state = 'cancelled', counter_id = NULL")


def test_bookings_imported_after_the_push_reach_the_hub_queue(hub, tmp_path, signer):
    """An appointments file imported after the patients' visits were pushed: the next push sends the
    waiting entries' new bookings (hub_queue_facts), once; the hub's order is the kiosk's again."""
    from kiosk.calling.appointments import import_file
    from kiosk.core.clock import FakeClock, local_day
    from kiosk.demo.facility_people import crowd_person
    from kiosk.core.clock import VN_TZ
    HEADER = "time,service,identity_number,follow_up,note\n"

    def vn(moment) -> str:
        return moment.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M")
    from tests.facility.helpers import node
    real_now = datetime.now(timezone.utc)
    clock = FakeClock(real_now - timedelta(minutes=5))
    k = node(tmp_path, "3", hub, signer, clock)
    people = [crowd_person(7000 + i) for i in range(8)]
    for p in people:
        k.checkin(p, "K01")
        clock.advance(20)
    assert k.sync()["pushed"] >= 8
    assert hub_rows(hub, "SELECT count(*) FROM hub_queue_entries WHERE appointment_at IS NOT NULL OR follow_up") \
        == [(0,)]
    csv = tmp_path / "bookings.csv"
    csv.write_text(HEADER + f"{vn(real_now + timedelta(minutes=5))},K01,{people[5].cccd.number},0,\n"
                            f"{vn(real_now + timedelta(minutes=40))},K01,{people[6].cccd.number},1,\n"
                            f"{vn(real_now - timedelta(minutes=20))},K01,{people[7].cccd.number},0,\n"
                            f"{vn(real_now + timedelta(minutes=1))},K02,{people[4].cccd.number},0,\n",
               encoding="utf-8")
    result, new, updated = import_file(k.store, csv, {"K01", "K02"}, clock.now())
    assert (new, updated, result.errors) == (4, 3, [])
    report = k.pusher.push(k.hub())
    assert report.queue_facts == 3
    assert k.pusher.push(k.hub()).queue_facts == 0                  # sent once
    local = k.store.queue.entries(local_day(clock.now()))
    hub_facts = {r[0]: r[1:] for r in hub_rows(hub, "SELECT number, appointment_at, follow_up FROM hub_queue_entries")}
    assert {e.number: (e.appointment_at, e.follow_up) for e in local} == hub_facts
    svc = service(hub, CallingSettings(SETTINGS.counters, SETTINGS.rooms))
    with hub.connect("hub_desk") as conn:
        db_now = conn.execute("SELECT now()").fetchone()[0]
    core_order = [e.number for e in waiting_order(local, ["K01", "K02"], db_now, SETTINGS.policy)]
    assert [e.number for e in svc.waiting("Q1")] == core_order
    assert core_order[:3] == [local[6].number, local[7].number, local[5].number]   # follow-up, then by time
    svc.close()
    k.close()
