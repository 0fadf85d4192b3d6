"""The queue rules: known answers for the calling order and the announcement, and hypothesis
runs of random counter actions (no entry lost, none held twice, priorities respected)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.core.queue import model as m
from kiosk.core.queue.announce import display_text, segments, spoken_text
from kiosk.core.queue.estimate import RunningMedian, estimate_minutes
from kiosk.core.queue.model import Counter, EntryState as S, QueueEntry, QueueRuleError
from kiosk.core.queue.order import CallingPolicy, order_key, pick_next, waiting_order

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
POLICY = CallingPolicy()
ROOM = Counter("P101", "Phòng 101", "Room 101", "101", ("K01",))


def entry(i, minute=0, **kw) -> QueueEntry:
    base = dict(id=i, number=f"A1-{i:03d}", service_code="K01", room="101", state=S.WAITING,
                queued_at=T0 + timedelta(minutes=minute))
    base.update(kw)
    return QueueEntry(**base)


def test_calling_order_known_answer():
    now = T0 + timedelta(minutes=30)
    es = [entry(1, 0), entry(2, 1, priority="elderly"), entry(3, 2, priority="emergency"),
          entry(4, 3, appointment_at=now - timedelta(minutes=5)),
          entry(5, 4, follow_up=True), entry(6, 5, appointment_at=now + timedelta(hours=2)),
          entry(7, 6, priority="child"), entry(8, 7, priority="unknown-group"),
          entry(9, 8, service_code="K02")]
    got = [e.id for e in waiting_order(es, ["K01"], now, POLICY)]
    # emergency, child, elderly, then the follow-up, the due appointment, then arrival (1, 6 early, 8)
    assert got == [3, 7, 2, 5, 4, 1, 6, 8]


def test_configured_groups_change_the_order():
    es = [entry(1, 0, priority="pregnant"), entry(2, 1, priority="elderly")]
    policy = CallingPolicy(groups=("pregnant", "elderly"))
    assert pick_next(es, ROOM, T0, policy).id == 1
    assert pick_next(es, ROOM, T0, POLICY).id == 2


def test_announcement_reads_digits_one_by_one():
    assert display_text("A1-023", "101") == "Mời người bệnh số A1 không hai ba đến phòng 101"
    assert segments("A1-023", "101") == ["chime", "invite", "letter_a", "digit_1", "digit_0", "digit_2",
                                          "digit_3", "to_room", "digit_1", "digit_0", "digit_1"]
    assert spoken_text("B2-U105", "3", counter=True) == \
        "Mời người bệnh số bê hai u một không năm đến quầy ba"


def test_transitions_and_their_errors():
    e = m.call(entry(1), ROOM, T0)
    assert (e.state, e.counter_id, e.call_count) == (S.CALLED, "P101", 1)
    with pytest.raises(QueueRuleError) as err:
        m.call(e, ROOM, T0)
    assert err.value.code == "bad_state"
    with pytest.raises(QueueRuleError) as err:
        m.start(e, "P999", T0)
    assert err.value.code == "not_yours"
    with pytest.raises(QueueRuleError) as err:
        m.call(entry(2, service_code="K05"), ROOM, T0)
    assert err.value.code == "wrong_counter"
    gone = m.no_show(m.recall(e, "P101", T0), "P101", T0)
    assert gone.state is S.NO_SHOW and gone.counter_id is None
    with pytest.raises(QueueRuleError) as err:
        m.return_later(gone, T0 + timedelta(minutes=61), timedelta(minutes=60))
    assert err.value.code == "too_late"
    back = m.return_later(gone, T0 + timedelta(minutes=20), timedelta(minutes=60))
    assert back.state is S.WAITING and back.queued_at == T0 + timedelta(minutes=20)


def test_transfer_keeps_coming_from_and_undoes():
    served = m.start(m.call(entry(1), ROOM, T0), "P101", T0)
    moved = m.transfer(served, "K04", "203", T0 + timedelta(minutes=5))
    assert (moved.state, moved.service_code, moved.room, moved.counter_id) == (S.WAITING, "K04", "203", None)
    assert moved.coming_from.service_code == "K01" and moved.coming_from.room == "101"
    undone = m.undo_transfer(moved)
    assert (undone.state, undone.service_code, undone.counter_id, undone.coming_from) == \
        (S.IN_SERVICE, "K01", "P101", None)
    eye = Counter("P203", "Phòng 203", "Room 203", "203", ("K04",))
    with pytest.raises(QueueRuleError):
        m.undo_transfer(m.call(moved, eye, T0))      # called at the new place: no undo


def test_every_state_has_an_exit_and_reaches_an_end():
    graph: dict[S, set[S]] = {s: set() for s in S}
    for action, (sources, target) in m.TRANSITIONS.items():
        for s in sources:
            graph[s].add(target if action != "undo_transfer" else s)
    for s in S:
        if s not in m.TERMINAL_STATES:
            assert graph[s] - {s}, f"{s} has no exit"
        seen, todo = {s}, [s]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert seen & m.TERMINAL_STATES, f"{s} never ends"


def test_running_median_and_estimate():
    med = RunningMedian(window=3)
    for v in (10, 2, 4, 100):
        med.add(v)
    assert med.median == 4            # window keeps 2, 4, 100
    assert estimate_minutes(0, 5, 6) == 0
    assert estimate_minutes(4, 5.0, 6, counters=2, samples=5) == 10
    assert estimate_minutes(4, 5.0, 6, counters=1, samples=1) == 24   # too few samples: the setting


# ------------------------------------------------------------------ random counter actions

COUNTERS = [Counter("P1", "P1", "P1", "1", ("K01", "K02")), Counter("P2", "P2", "P2", "2", ("K01",)),
            Counter("P3", "P3", "P3", "3", ("K02",))]
GROUPS = [None, None, None, "emergency", "child", "elderly", "disability", "pregnant", "merit"]

action_st = st.tuples(st.sampled_from(["arrive", "call", "recall", "start", "finish", "no_show",
                                       "return", "transfer", "undo", "cancel"]),
                      st.integers(0, 2), st.integers(0, 60), st.sampled_from(GROUPS), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(action_st, min_size=1, max_size=80))
def test_random_actions_keep_the_invariants(actions):
    book: dict[int, QueueEntry] = {}
    now = T0
    for kind, ci, pick, group, flag in actions:
        now += timedelta(seconds=30)
        counter = COUNTERS[ci]
        held = [e for e in book.values() if e.counter_id == counter.id and e.state in m.ACTIVE_AT_COUNTER]
        current = held[0] if held else None
        before = len(book)
        try:
            if kind == "arrive":
                i = len(book) + 1
                book[i] = entry(i, 0, queued_at=now, priority=group, follow_up=flag,
                                service_code="K01" if pick % 2 else "K02")
            elif kind == "call" and current is None:
                nxt = pick_next(book.values(), counter, now, POLICY)
                if nxt is not None:
                    keys = [order_key(e, now, POLICY) for e in book.values()
                            if e.state is S.WAITING and e.service_code in counter.services]
                    assert order_key(nxt, now, POLICY) == min(keys)
                    if nxt.priority is None:        # priorities respected
                        assert not any(e.priority for e in book.values() if e.state is S.WAITING
                                       and e.service_code in counter.services and e.priority in POLICY.groups)
                    book[nxt.id] = m.call(nxt, counter, now)
            elif current is not None and kind in ("recall", "start", "finish", "no_show"):
                fn = {"recall": m.recall, "start": m.start, "finish": m.finish, "no_show": m.no_show}[kind]
                book[current.id] = fn(current, counter.id, now)
            elif kind == "transfer" and current is not None:
                book[current.id] = m.transfer(current, "K02" if current.service_code == "K01" else "K01", "9", now)
            elif book and kind in ("return", "undo", "cancel"):
                e = book[1 + pick % len(book)]
                if kind == "return":
                    book[e.id] = m.return_later(e, now, timedelta(minutes=60))
                elif kind == "undo":
                    undone = m.undo_transfer(e)
                    if undone.counter_id and any(o.counter_id == undone.counter_id and o.id != e.id
                                                 and o.state in m.ACTIVE_AT_COUNTER for o in book.values()):
                        raise QueueRuleError("counter_busy", "origin counter busy")
                    book[e.id] = undone
                else:
                    book[e.id] = m.cancel(e)
        except QueueRuleError:
            pass
        assert len(book) >= before                       # no entry lost
        for c in COUNTERS:                               # none held twice, one patient per counter
            assert len([e for e in book.values() if e.counter_id == c.id
                        and e.state in m.ACTIVE_AT_COUNTER]) <= 1
        for e in book.values():
            assert (e.state in m.ACTIVE_AT_COUNTER) == (e.counter_id is not None)
