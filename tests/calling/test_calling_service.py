"""The calling service on a real SQLCipher store: tickets become entries, actions are audited,
the database refuses what the rules refuse."""
from __future__ import annotations

import pytest

from calling_helpers import Staff, issue
from kiosk.core.queue.model import EntryState as S, QueueRuleError
from kiosk.security.roles import PermissionDenied, Role


def test_ticket_becomes_a_waiting_entry_with_room_and_priority(store, calling):
    t = issue(store, 1, priority="elderly")[0]
    e = store.queue.by_ticket(t.id)
    assert (e.number, e.state, e.service_code, e.room, e.priority) == (t.number, S.WAITING, "K01", "101", "elderly")


def test_emergency_and_follow_up_are_marked(store, calling):
    t = issue(store, 1, emergency=True)[0]
    assert store.queue.by_ticket(t.id).priority == "emergency"


def test_call_order_priority_first_then_arrival(store, calling, staff, clock):
    issue(store, 3, clock=clock)                               # A1-001..003
    issue(store, 1, priority="child", start=10, clock=clock)   # A1-004
    got = [calling.call_next(staff, "Q1").number]
    calling.start(staff, "Q1")
    calling.finish(staff, "Q1")
    got.append(calling.call_next(staff, "Q1").number)
    assert got == ["A1-004", "A1-001"]


def test_full_cycle_is_audited_and_recorded_for_the_display(store, calling, staff, clock):
    issue(store, 2, clock=clock)
    e = calling.call_next(staff, "Q1")
    assert e.state is S.CALLED and e.counter_id == "Q1"
    assert calling.recall(staff, "Q1").call_count == 2
    assert calling.start(staff, "Q1").state is S.IN_SERVICE
    clock.advance(300)
    done = calling.finish(staff, "Q1")
    assert done.state is S.DONE and store.queue.held_by("Q1") is None
    actions = [a.action for a in store.audit.list(20) if a.action.startswith("queue.")]
    assert actions == ["queue.finish", "queue.start", "queue.recall", "queue.call"]
    assert all(a.actor == "le.thu" and a.role == "reception" for a in store.audit.list(4))
    calls = store.queue.recent_calls("2026-11-20")
    assert [(c["number"], c["kind"], c["room"]) for c in calls] == [("A1-001", "recall", "Q1"), ("A1-001", "call", "Q1")]
    assert store.queue.durations("K01") == [pytest.approx(5.0)]


def test_counter_holds_one_patient(store, calling, staff):
    issue(store, 2)
    calling.call_next(staff, "Q1")
    with pytest.raises(QueueRuleError) as err:
        calling.call_next(staff, "Q1")
    assert err.value.code == "counter_busy"


def test_no_show_return_and_window(store, calling, staff, clock):
    issue(store, 2, clock=clock)
    e = calling.call_next(staff, "Q1")
    assert calling.no_show(staff, "Q1").state is S.NO_SHOW
    clock.advance(30 * 60)
    back = calling.return_later(staff, e.number)
    assert back.state is S.WAITING
    assert calling.call_next(staff, "Q1").number == "A1-002"      # behind those waiting now
    calling.no_show(staff, "Q1")
    clock.advance(61 * 60)
    with pytest.raises(QueueRuleError) as err:
        calling.return_later(staff, "A1-002")
    assert err.value.code == "too_late"


def test_transfer_keeps_origin_and_undo(store, calling, staff):
    issue(store, 1)
    calling.call_next(staff, "Q1")
    calling.start(staff, "Q1")
    moved = calling.transfer(staff, "Q1", "K04")
    assert (moved.state, moved.room, moved.coming_from.room, moved.coming_from.counter_id) == \
        (S.WAITING, "203", "101", "Q1")
    assert store.queue.get(moved.id).coming_from.service_code == "K01"   # kept in the database
    assert [e.number for e in calling.waiting("P203")] == [moved.number]
    undone = calling.undo_transfer(staff, moved.number)
    assert (undone.state, undone.counter_id, undone.service_code) == (S.IN_SERVICE, "Q1", "K01")
    calling.transfer(staff, "Q1", "K04")
    calling.call_next(staff, "P203")
    with pytest.raises(QueueRuleError):
        calling.undo_transfer(staff, moved.number)


def test_clinician_may_call_technician_may_not(store, calling):
    issue(store, 1)
    with pytest.raises(PermissionDenied):
        calling.call_next(Staff("tech", Role.TECHNICIAN), "Q1")
    assert calling.call_next(Staff("bs.an", Role.CLINICIAN), "Q1") is not None


def test_cancelled_ticket_leaves_the_queue(store, calling, staff):
    t = issue(store, 1)[0]
    store.tickets.set_status(t.id, "cancelled")
    assert store.queue.by_ticket(t.id).state is S.CANCELLED
    assert calling.call_next(staff, "Q1") is None


def test_database_refuses_a_second_patient_at_a_counter(store, calling, staff):
    import sqlcipher3
    issue(store, 2)
    calling.call_next(staff, "Q1")
    with pytest.raises(sqlcipher3.IntegrityError):
        store.conn.execute("UPDATE queue_entries SET state = 'called', counter_id = 'Q1' WHERE state = 'waiting'")


def test_follow_up_booked_for_today_is_a_follow_up(store, calling, staff, clock):
    from kiosk.core.clock import local_day
    from kiosk.store.visits import VisitInput
    day = local_day(clock.now())
    first = issue(store, 1)[0]                      # an earlier visit that booked today's follow-up
    store.tickets.set_status(first.id, "cancelled")  # (its own ticket is not in today's queue)
    walk_in = issue(store, 1, start=50, clock=clock)[0]
    with store.transaction():
        store.conn.execute("UPDATE visits SET follow_up_date = ?, follow_up_service = 'K01' WHERE id = ?",
                           (day, first.visit_id))
        v = store.visits.create(VisitInput("79001-1-FU", first.patient_id, "2", day, "K01", room="101"))
        t = store.tickets.insert(visit_id=v.id, patient_id=first.patient_id, service_code="K01", kiosk_id="2",
                                 day=day, seq=1, number="A2-001")
    assert store.queue.by_ticket(t.id).follow_up is True and store.queue.by_ticket(walk_in.id).follow_up is False
    assert calling.call_next(staff, "Q1").number == "A2-001"     # before the walk-in who came first


def test_desk_priority_change_reaches_the_waiting_entry(store, calling, staff):
    a, b = issue(store, 2)
    store.visits.set_priority(b.visit_id, "disability")
    assert store.queue.by_ticket(b.id).priority == "disability"
    assert calling.call_next(staff, "Q1").number == b.number


def test_layers():
    """core/queue imports only core; the display and caller UI never reach the store or services."""
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "kiosk"

    def imports(path):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield node.module
            elif isinstance(node, ast.Import):
                yield from (a.name for a in node.names)
    for f in (root / "core" / "queue").glob("*.py"):
        bad = [m for m in imports(f) if m.startswith("kiosk.") and not m.startswith("kiosk.core")]
        assert not bad, (f.name, bad)
    for folder in ("display", "caller"):
        for f in (root / "ui" / folder).glob("*.py"):
            bad = [m for m in imports(f) if m.startswith(("kiosk.store", "kiosk.calling", "PySide6", "kiosk.gateway"))]
            assert not bad, (f.name, bad)


def test_requeue_puts_a_mistaken_call_back_in_its_place(store, calling, staff, clock):
    issue(store, 2, clock=clock)
    first = calling.call_next(staff, "Q1")
    back = calling.requeue(staff, "Q1")
    assert back.state is S.WAITING and back.queued_at == first.queued_at
    assert calling.call_next(staff, "Q2").number == first.number
