"""OutboxRepo on a real SQLCipher file: states, leases, receipts, and the caller's transaction."""
from __future__ import annotations

import pytest

from kiosk.store.outbox import OutboxConflict, OutboxKind, OutboxRepo, OutboxState, Receipt


def tx(conn, fn):
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = fn()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return out


@pytest.fixture
def repo(conn, clock):
    return OutboxRepo(conn, clock)


def test_enqueue_is_idempotent_and_refuses_other_bytes(repo):
    a = repo.enqueue("checkin", "LK1", b"<signed/>")
    assert repo.enqueue(OutboxKind.CHECKIN, "LK1", b"<signed/>") == a
    with pytest.raises(OutboxConflict):
        repo.enqueue("checkin", "LK1", b"<other/>")
    # the dossier of the same visit shares the MA_LK: a different item
    b = repo.enqueue("dossier", "LK1", b"<env/>")
    assert b != a
    item = repo.get(a)
    assert item.state is OutboxState.PENDING and item.payload == b"<signed/>"
    import hashlib
    assert item.payload_sha256 == hashlib.sha256(b"<signed/>").hexdigest()


def test_enqueue_rolls_back_with_the_callers_transaction(conn, repo):
    conn.execute("BEGIN IMMEDIATE")
    repo.enqueue("checkin", "LK-RB", b"x")
    conn.execute("ROLLBACK")
    assert repo.find("checkin", "LK-RB") is None
    assert not conn.in_transaction


def test_enqueue_does_not_commit_by_itself(conn, repo):
    conn.execute("BEGIN IMMEDIATE")
    repo.enqueue("checkin", "LK-X", b"x")
    assert conn.in_transaction
    conn.execute("COMMIT")


def test_lease_due_takes_due_items_in_order_and_counts_attempts(conn, repo, clock):
    ids = [repo.enqueue("checkin", f"LK{i}", b"p%d" % i) for i in range(5)]
    got = tx(conn, lambda: repo.lease_due("w1", 3, 60.0))
    assert [i.id for i in got] == ids[:3]
    assert all(i.state is OutboxState.SENDING and i.lease_owner == "w1" and i.attempts == 1 for i in got)
    assert got[0].lease_until_ts == pytest.approx(clock.now().timestamp() + 60.0)
    rest = tx(conn, lambda: repo.lease_due("w2", 10, 60.0))
    assert [i.id for i in rest] == ids[3:]
    assert tx(conn, lambda: repo.lease_due("w3", 10, 60.0)) == []


def test_retry_schedules_and_only_the_owner_may_answer(conn, repo, clock):
    i = repo.enqueue("checkin", "LK", b"p")
    tx(conn, lambda: repo.lease_due("w1", 1, 60.0))
    assert not repo.schedule_retry(i, "intruder", delay=5, code="HTTP 503", error="x", needs_reconcile=False)
    assert repo.schedule_retry(i, "w1", delay=5, code="HTTP 503", error="busy", needs_reconcile=True)
    item = repo.get(i)
    assert item.state is OutboxState.PENDING and item.needs_reconcile and item.last_code == "HTTP 503"
    assert item.next_attempt_ts == pytest.approx(clock.now().timestamp() + 5)
    assert tx(conn, lambda: repo.lease_due("w1", 1, 60.0)) == []      # not due yet
    clock.advance(5.1)
    assert [x.id for x in tx(conn, lambda: repo.lease_due("w1", 1, 60.0))] == [i]
    assert repo.get(i).attempts == 2


def test_clock_jumping_back_does_not_strand_items(conn, repo, clock):
    i = repo.enqueue("checkin", "LK", b"p")
    tx(conn, lambda: repo.lease_due("w", 1, 60.0))
    repo.schedule_retry(i, "w", delay=100, code="c", error=None, needs_reconcile=False)
    clock.advance(-10_000)   # the wall clock was set back by hours
    assert tx(conn, lambda: repo.lease_due("w", 1, 60.0, max_delay=1800)) != []


def test_reclaim_marks_orphans_for_reconciliation(conn, repo, clock):
    a = repo.enqueue("checkin", "A", b"a")
    b = repo.enqueue("dossier", "B", b"b")
    tx(conn, lambda: repo.lease_due("w", 1, 10.0))
    clock.advance(1)
    tx(conn, lambda: repo.lease_due("w", 1, 100.0))
    clock.advance(20)   # a's lease expired, b's has not
    assert repo.reclaim_leases(expired_only=True, retry_after=3) == 1
    ia, ib = repo.get(a), repo.get(b)
    assert ia.state is OutboxState.PENDING and ia.needs_reconcile and ia.lease_owner is None
    assert ia.next_attempt_ts == pytest.approx(clock.now().timestamp() + 3)
    assert ib.state is OutboxState.SENDING
    assert repo.reclaim_leases(expired_only=False) == 1
    assert repo.get(b).needs_reconcile


def test_ack_keeps_the_first_receipt_and_clears_the_lease(conn, repo):
    i = repo.enqueue("dossier", "LK", b"p")
    tx(conn, lambda: repo.lease_due("w", 1, 60.0))
    assert repo.ack(i, Receipt("GD-1", "2026-11-20T08:30:00+07:00", "ok"))
    assert not repo.ack(i, Receipt("GD-2", None, None))
    item = repo.get(i)
    assert item.state is OutboxState.ACKED and item.receipt == Receipt("GD-1", "2026-11-20T08:30:00+07:00", "ok")
    assert item.lease_owner is None and item.acked_at


def test_dead_letter_and_requeue(conn, repo):
    i = repo.enqueue("dossier", "LK", b"p")
    j = repo.enqueue("dossier", "LK2", b"q")
    tx(conn, lambda: repo.lease_due("w", 2, 60.0))
    assert repo.mark_dead(i, "w", code="205", message="MA_CSKCB sai")
    assert repo.mark_dead(j, "w", code="205", message="sai")
    assert repo.get(i).state is OutboxState.DEAD and repo.get(i).last_error == "MA_CSKCB sai"
    assert repo.requeue(i)
    item = repo.get(i)
    assert item.state is OutboxState.PENDING and item.next_attempt_ts == 0 and item.payload == b"p"
    assert repo.requeue_dead() == 1
    assert not repo.requeue(999)


def test_make_due_now_keeps_the_reconcile_grace(conn, repo, clock):
    a = repo.enqueue("checkin", "A", b"a")
    b = repo.enqueue("checkin", "B", b"b")
    tx(conn, lambda: repo.lease_due("w", 2, 60.0))
    repo.schedule_retry(a, "w", delay=500, code="NET", error=None, needs_reconcile=False)
    repo.schedule_retry(b, "w", delay=500, code="NET", error=None, needs_reconcile=True)
    assert repo.make_due_now(reconcile_grace=4) == 2
    now = clock.now().timestamp()
    assert repo.get(a).next_attempt_ts == pytest.approx(now)
    assert repo.get(b).next_attempt_ts == pytest.approx(now + 4)


def test_stats_and_receipts_carry_no_payload(conn, repo, clock):
    a = repo.enqueue("checkin", "A", b"<HO_TEN>secret</HO_TEN>")
    clock.advance(30)
    repo.enqueue("dossier", "A", b"d")
    tx(conn, lambda: repo.lease_due("w", 1, 60.0))
    repo.ack(a, Receipt("GD9", "2026-11-20T08:30:00+07:00", None))
    clock.advance(60)
    s = repo.stats()
    assert (s.pending, s.sending, s.acked, s.dead) == (1, 0, 1, 0)
    assert s.oldest_pending_age_s == pytest.approx(60)
    assert s.last_success_at is not None
    rows = list(repo.receipts())
    assert [(r.ma_lk, r.kind, r.ma_giao_dich) for r in rows] == [("A", "checkin", "GD9")]
    assert "secret" not in repr(rows)


def test_a_live_workers_own_leases_are_not_reclaimed(conn, repo, clock):
    a = repo.enqueue("checkin", "A", b"a")
    b = repo.enqueue("checkin", "B", b"b")
    tx(conn, lambda: repo.lease_due("me", 1, 10.0))
    tx(conn, lambda: repo.lease_due("dead", 1, 10.0))
    clock.advance(3600)   # e.g. the wall clock jumped forward: every lease looks expired
    assert repo.reclaim_leases(expired_only=True, except_owner="me") == 1
    assert repo.get(a).state is OutboxState.SENDING and repo.get(b).state is OutboxState.PENDING
