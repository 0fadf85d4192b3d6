"""Held numbers (hub migration 0010, kiosk.facility.holds): a busy kiosk claims a number it took
ahead of the patient; numbers stay unique, quiet times leave no gaps, refused claims keep the hold."""
from __future__ import annotations

import multiprocessing as mp

import psycopg
import pytest

from kiosk.core.clock import FakeClock, local_day
from kiosk.core.ports import AlreadyIssued
from kiosk.demo.facility_people import crowd_person
from kiosk.facility.numbering import HubAlreadyIssued, HubNumbering, allocate, claim, hub_number
from tests.facility.helpers import hub_rows, node

DAY = "2026-11-20"


class Tick:
    """The numbering's monotonic clock, moved by hand."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def numbering(hub, kiosk: str, tick: Tick, hold: float = 20.0) -> HubNumbering:
    return HubNumbering(hub.dsn("hub_kiosk"), "79001", kiosk, timeout=2.0, retry_after=0.0, clock=tick,
                        hold_seconds=hold, claim_wait=5.0)


def ticket(n: HubNumbering, ma_lk: str, keys=(), service: str = "K01", letter: str = "A") -> str | None:
    return n.begin(service=service, letter=letter, day=DAY, ma_lk=ma_lk, priority=False, patient_keys=keys).result()


def test_the_claim_alone_commits_without_waiting_for_the_flush(hub):
    """synchronous_commit is off for a transaction that used a hold and moved no series, only for it."""
    with hub.connect() as conn:
        seq = conn.execute("SELECT hub_hold('79001', %s, 'K01', '1')", (DAY,)).fetchone()[0]
        conn.commit()
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
        got = claim(conn, facility="79001", day=DAY, service="K01", letter="A", seq=seq, ma_lk="C-1", kiosk="1",
                    priority=False)
        assert got == ("A001", True, None)
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "off"
        conn.commit()
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
        # a claim without a hold of this kiosk is an ordinary allocation, with an ordinary commit
        got = claim(conn, facility="79001", day=DAY, service="K01", letter="A", seq=seq, ma_lk="C-2", kiosk="1",
                    priority=True)
        assert got == ("AU002", False, None)
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
        conn.commit()
        # holding the next number moves the series: a durable commit, even when the hold was used
        nxt = claim(conn, facility="79001", day=DAY, service="K01", letter="A", seq=None, ma_lk="C-3", kiosk="1",
                    priority=False, hold_next=True)
        assert nxt == ("A003", False, 4)
        got = claim(conn, facility="79001", day=DAY, service="K01", letter="A", seq=4, ma_lk="C-4", kiosk="1",
                    priority=False, hold_next=True)
        assert got == ("A004", True, 5)
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
        conn.commit()
        # idempotent per MA_LK, like hub_allocate
        assert claim(conn, facility="79001", day=DAY, service="K01", letter="A", seq=seq, ma_lk="C-1",
                     kiosk="1", priority=False)[0] == "A001"


def test_a_kiosk_cannot_take_or_give_back_another_kiosks_hold(hub):
    with hub.connect(autocommit=True) as conn:
        seq = conn.execute("SELECT hub_hold('79001', %s, 'K01', '1')", (DAY,)).fetchone()[0]
        assert conn.execute("SELECT hub_give_back('79001', %s, 'K01', %s, '2')", (DAY, seq)).fetchone()[0] is False
        got = claim(conn, facility="79001", day=DAY, service="K01", letter="A", seq=seq, ma_lk="O-1", kiosk="2",
                    priority=False)
        assert got == ("A002", False, None)      # kiosk 1's A001 stays held
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM ticket_holds")
    assert hub_rows(hub, "SELECT seq, kiosk_id FROM ticket_holds") == [(1, "1")]


def test_a_busy_kiosk_claims_and_its_numbers_stay_in_order(hub):
    tick = Tick()
    n = numbering(hub, "1", tick)
    try:
        got = []
        for i in range(6):
            got.append(ticket(n, f"B-{i}"))
            tick.t += 1.0
        assert got == ["A001", "A002", "A003", "A004", "A005", "A006"]
        assert n.claimed_count == 4           # the first two were allocated at the scan: not busy yet
        assert n.holds.holding() == {(DAY, "K01"): 7}
    finally:
        n.close()
    assert hub_rows(hub, "SELECT seq, kiosk_id FROM ticket_holds") == [(7, None)]     # given back on close
    with hub.connect(autocommit=True) as conn:
        assert allocate(conn, facility="79001", day=DAY, service="K01", letter="A", ma_lk="next", kiosk="2",
                        priority=False) == "A007"
    assert hub_rows(hub, "SELECT count(*) FROM ticket_holds") == [(0,)]


def test_a_hold_far_behind_the_series_stays_a_gap_and_a_near_one_is_used(hub):
    tick = Tick()
    a = numbering(hub, "1", tick)
    try:
        assert [ticket(a, "Q-1"), ticket(a, "Q-2")] == ["A001", "A002"]      # busy: A003 is held
        assert a.holds.holding() == {(DAY, "K01"): 3}
        with hub.connect(autocommit=True) as conn:                           # 55 tickets at other kiosks
            others = [allocate(conn, facility="79001", day=DAY, service="K01", letter="A", ma_lk=f"o-{i}",
                               kiosk="2", priority=False) for i in range(55)]
        assert others[0] == "A004" and others[-1] == "A058"
        assert ticket(a, "Q-3") == "A059"     # A003 is 55 behind (reach 50): not used, a gap
        assert a.claimed_count == 0
        assert a.holds.holding() == {(DAY, "K01"): 60}
        tick.t += 3600.0                      # a quiet hour: the held number is still the series' next
        assert ticket(a, "Q-4") == "A060"
        assert a.claimed_count == 1
        assert a.holds.holding() == {}        # not busy: nothing held
        tick.t += 1.0
        assert ticket(a, "Q-5") == "A061"     # busy again: allocated, A062 held
        with hub.connect(autocommit=True) as conn:
            assert allocate(conn, facility="79001", day=DAY, service="K01", letter="A", ma_lk="o-x",
                            kiosk="2", priority=False) == "A063"
        tick.t += 1.0
        assert ticket(a, "Q-6") == "A062"     # one behind, within reach
    finally:
        a.close()
    assert hub_rows(hub, "SELECT count(*) FROM ticket_holds WHERE kiosk_id IS NOT NULL") == [(0,)]
    issued = sorted(int(r[0][1:]) for r in hub_rows(hub, "SELECT number FROM ticket_allocations"))
    assert issued == [s for s in range(1, 64) if s != 3]


def test_a_patient_already_ticketed_keeps_the_kiosks_hold(hub, tmp_path, signer):
    clock = FakeClock()
    other = node(tmp_path, "9", hub, signer, clock)
    try:
        first = other.checkin(crowd_person(5), "K01")
        other.sync()
    finally:
        other.close()
    keys = list(crowd_person(5).lookup_keys())
    day = local_day(clock.now())
    tick = Tick()
    n = HubNumbering(hub.dsn("hub_kiosk"), "79001", "1", timeout=2.0, retry_after=0.0, clock=tick, hold_seconds=20.0,
                     claim_wait=5.0)
    try:
        for i in range(2):
            n.begin(service="K01", letter="A", day=day, ma_lk=f"P-{i}", priority=False,
                    patient_keys=[("cccd", f"07920000{i:04d}")]).result()
        held = n.holds.holding()[(day, "K01")]
        with pytest.raises(HubAlreadyIssued) as err:
            n.begin(service="K01", letter="A", day=day, ma_lk="P-dup", priority=False, patient_keys=keys).result()
        assert err.value.number == first.number
        assert n.holds.holding()[(day, "K01")] == held               # kept for the next patient
        assert n.begin(service="K01", letter="A", day=day, ma_lk="P-next", priority=False,
                       patient_keys=[("cccd", "079200009999")]).result() == hub_number("A", held, False)
    finally:
        n.close()


def test_a_lost_claim_leaves_its_number_to_nobody(hub, tmp_path, signer):
    """A hub crash can lose a claim (its commit did not wait for the flush): the hold comes back,
    still the kiosk's. Nobody else takes that number, and the visit the kiosk pushes carries it."""
    clock = FakeClock()
    k = node(tmp_path, "1", hub, signer, clock)
    try:
        got = []
        for i in range(3):
            got.append(k.checkin(crowd_person(20 + i), "K02").number)
        assert got == ["B001", "B002", "B003"] and k.numbers.claimed_count == 1
        day = local_day(clock.now())
        with psycopg.connect(hub.admin_dsn(), autocommit=True) as admin:   # what the lost commit leaves behind
            admin.execute("DELETE FROM ticket_allocations WHERE number = 'B003'")
            admin.execute("INSERT INTO ticket_holds VALUES ('79001', %s, 'K02', 3, '1')", (day,))
        with hub.connect(autocommit=True) as conn:
            others = [allocate(conn, facility="79001", day=day, service="K02", letter="B", ma_lk=f"L-{i}",
                               kiosk="2", priority=False) for i in range(3)]
        assert others == ["B005", "B006", "B007"]       # B004 is kiosk 1's next hold; B003 nobody's
        assert k.sync()["pushed"] >= 3
    finally:
        k.close()
    numbers = [r[0] for r in hub_rows(hub, "SELECT ticket_number FROM visits")]
    assert sorted(numbers) == ["B001", "B002", "B003"]


def _busy_kiosk(dsn: str, kiosk: int, count: int, out) -> None:
    n = HubNumbering(dsn, "79001", str(kiosk), timeout=5.0, retry_after=0.0, hold_seconds=20.0, claim_wait=5.0)
    got = []
    for i in range(count):
        got.append(n.begin(service="K01", letter="A", day=DAY, ma_lk=f"K{kiosk}-{i}", priority=False).result())
    n.close()
    out.put((got, n.claimed_count))


def test_many_busy_kiosks_claim_without_duplicates_or_gaps(hub):
    ctx = mp.get_context("spawn")
    procs, count, out = 8, 40, ctx.Queue()
    ps = [ctx.Process(target=_busy_kiosk, args=(hub.dsn("hub_kiosk"), w, count, out)) for w in range(procs)]
    for p in ps:
        p.start()
    results = [out.get(timeout=120) for _ in ps]
    for p in ps:
        p.join(30)
        assert p.exitcode == 0
    numbers = [x for got, _ in results for x in got]
    assert None not in numbers
    assert len(set(numbers)) == len(numbers) == procs * count, "duplicate ticket numbers"
    assert sum(c for _, c in results) == procs * (count - 2)     # all but the first two claimed a held number
    with hub.connect(autocommit=True) as conn:     # the holds given back on close are taken first: no gaps
        for i in range(procs):
            numbers.append(allocate(conn, facility="79001", day=DAY, service="K01", letter="A", ma_lk=f"after-{i}",
                                    kiosk="x", priority=False))
    assert sorted(numbers) == [hub_number("A", s, False) for s in range(1, procs * count + procs + 1)]


def test_the_kiosk_still_refuses_a_patient_ticketed_at_another_kiosk(hub, tmp_path, signer):
    clock = FakeClock()
    a, b = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock, claim_wait=5.0)
    try:
        for i in range(3):                  # kiosk 2 becomes busy: it holds a number
            b.checkin(crowd_person(40 + i), "K01")
        a.checkin(crowd_person(50), "K01")
        a.sync()
        with pytest.raises(AlreadyIssued):
            b.checkin(crowd_person(50), "K01")
        assert b.numbers.holds.holding()       # the refused claim kept the hold
    finally:
        a.close()
        b.close()


def test_a_late_claim_answer_leaves_the_duplicate_to_the_desk(hub, tmp_path, signer):
    """A claim whose answer comes after `claim_wait`: the ticket carries the held number at once; the
    hub's late "already ticketed" is not lost: the push flags both visits for the desk, as with two
    offline kiosks, and no number is handed out twice."""
    clock = FakeClock()
    a, b = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock, claim_wait=5.0)
    try:
        for i in range(3):
            b.checkin(crowd_person(60 + i), "K01")
        held = b.numbers.holds.holding()[(local_day(clock.now()), "K01")]
        b.numbers.claim_wait = 0.0          # from now on only an answer already there is waited for
        a.checkin(crowd_person(70), "K01")
        a.sync()
        with psycopg.connect(hub.admin_dsn()) as admin:     # a hub too busy to answer in time
            admin.execute("LOCK TABLE visits IN ACCESS EXCLUSIVE MODE")
            late = b.checkin(crowd_person(70), "K01")
        assert late.number == hub_number("A", held, False)
        b.checkin(crowd_person(71), "K01")          # the next request reads the late answer first
        b.sync()
    finally:
        a.close()
        b.close()
    rows = hub_rows(hub, "SELECT ticket_number, conflict FROM visits v JOIN patient_documents d "
                         "ON d.patient_id = v.patient_id WHERE d.number = %s ORDER BY ticket_number",
                    crowd_person(70).cccd.number)  # type: ignore[union-attr]
    assert len(rows) == 2 and all(flagged for _, flagged in rows)
    assert hub_rows(hub, "SELECT count(*) FROM conflicts") == [(1,)]
    numbers = [r[0] for r in hub_rows(hub, "SELECT ticket_number FROM visits")]
    assert len(numbers) == len(set(numbers))


def test_sent_query_values_arrive_as_sent(hub):
    """The kiosk's hand-built text parameters (kiosk.facility.sent_query): quotes, backslashes, commas,
    braces, NULL-looking words and Vietnamese letters reach PostgreSQL unchanged."""
    import time as _time

    from kiosk.facility.sent_query import SentQuery
    values = ['a"b', "c\\d", "e,f", "{g}", "NULL", "", "Nguyễn Thị Ánh", "'; DROP TABLE visits; --"]
    with hub.connect(autocommit=True) as conn:
        row = SentQuery(conn, b"SELECT $1::text[], $2::text, $3::int, $4::boolean, $5::text",
                        (values, "x'y", 42, False, None)).row(_time.monotonic() + 5)
        got = conn.execute("SELECT %s::text[] = %s::text[]", (row[0].decode(), values)).fetchone()[0]
    assert got is True
    assert row[1:] == [b"x'y", b"42", b"f", None]
    assert hub_rows(hub, "SELECT count(*) FROM visits") == [(0,)]
