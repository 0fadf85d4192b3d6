"""The repositories hand back status enums, store them as the same words, and refuse unknown ones."""
from __future__ import annotations

import pytest

from kiosk.core.status import OutboxState, TicketStatus, VisitStatus
from kiosk.store.visits import VisitInput
from store_helpers import DAY, add_patient, add_visit_with_ticket


def test_rows_come_back_as_enums_stored_as_plain_words(store):
    p = add_patient(store)
    v, t = add_visit_with_ticket(store, p, ma_lk="S1")
    assert v.status is VisitStatus.WAITING and t.status is TicketStatus.ISSUED
    store.tickets.mark_printed(t.id)
    store.visits.set_status(v.id, VisitStatus.NEEDS_DESK, needs_desk_reason="card_expired")
    raw = store.conn.execute("SELECT v.status, t.status FROM visits v JOIN tickets t ON t.visit_id = v.id "
                             "WHERE v.id = ?", (v.id,)).fetchone()
    assert (type(raw[0]), raw[0], raw[1]) == (str, "needs_desk", "printed")
    entry = store.visits.list_day(DAY)[0]
    assert entry.visit.status is VisitStatus.NEEDS_DESK and entry.ticket_status is TicketStatus.PRINTED
    assert store.visits.count_day(DAY, VisitStatus.NEEDS_DESK) == 1
    item = store.outbox.get(store.outbox.enqueue("checkin", "S1", b"<x/>", v.id))
    assert item.state is OutboxState.PENDING


def test_plain_words_are_still_accepted_and_unknown_ones_refused(store):
    p = add_patient(store)
    v, t = add_visit_with_ticket(store, p, ma_lk="S2")
    assert store.visits.set_status(v.id, "closed").status is VisitStatus.CLOSED
    assert store.visits.get(v.id).closed_at is not None
    assert store.tickets.set_status(t.id, "done").status is TicketStatus.DONE
    with pytest.raises(ValueError, match="visit status must be one of"):
        store.visits.set_status(v.id, "lost")
    with pytest.raises(ValueError, match="ticket status must be one of"):
        store.tickets.set_status(t.id, "lost")
    with pytest.raises(ValueError, match="visit status must be one of"):
        store.visits.create(VisitInput(ma_lk="S3", patient_id=p.id, kiosk_id="1", visit_day=DAY,
                                       service_code="K01", status="gone"))


def test_totals_and_prune_acked_live_on_the_repositories(store, clock):
    from kiosk.store.outbox import Receipt
    p = add_patient(store)
    v, t = add_visit_with_ticket(store, p, ma_lk="S4")
    store.tickets.mark_printed(t.id)
    assert store.visits.totals() == {"visits": 1, "tickets_printed": 1}
    i = store.outbox.enqueue("checkin", "S4", b"<x/>", v.id)
    j = store.outbox.enqueue("dossier", "S4", b"<y/>", v.id)
    store.outbox.lease_due("w", 10, 30.0)
    store.outbox.ack(i, Receipt("GD", None))
    acked_at = store.outbox.oldest_acked_at()
    assert acked_at is not None
    assert store.outbox.prune_acked(acked_at) == 0            # strictly before
    assert store.outbox.prune_acked("9999-01-01T00:00:00+00:00") == 1
    assert store.outbox.get(i) is None and store.outbox.get(j).state is OutboxState.SENDING


def test_the_active_ticket_lookup_still_uses_the_partial_index(store):
    """Status words bound as parameters would hide the partial index's WHERE from SQLite's planner
    (a full scan on the issuing hot path); the query keeps them literal."""
    from kiosk.store.tickets import TicketRepo
    seen = []

    class Recording:
        def execute(self, sql, params=()):
            seen.append((sql, params))
            return store.conn.execute(sql, params)

    TicketRepo(Recording(), store.clock).active_for(1, "K01", DAY)
    (sql, params), = seen
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "USING INDEX tickets_one_active" in plan, plan
    # and the check can fail: the same query with the words bound is a scan
    bound = sql.replace("'cancelled', 'done'", "?, ?")
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + bound, (*params, "cancelled", "done")))
    assert "tickets_one_active" not in plan
