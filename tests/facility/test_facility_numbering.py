"""Facility-wide numbering on a real PostgreSQL hub: atomic under concurrency, lettered offline."""
from __future__ import annotations

import multiprocessing as mp

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.ports import AlreadyIssued
from kiosk.demo.facility_people import crowd_person
from kiosk.facility.numbering import allocate, check_namespaces, hub_number
from tests.facility.helpers import hub_rows, node

DAY = "2026-11-20"


def _allocator(dsn: str, worker: int, count: int, out) -> None:
    got = []
    with psycopg.connect(dsn) as conn:
        for i in range(count):
            got.append(allocate(conn, facility="79001", day=DAY, service="K01", letter="A",
                                ma_lk=f"W{worker}-{i}", kiosk=str(worker), priority=False))
    out.put(got)


def test_many_processes_allocate_without_duplicates(hub):
    procs, count, out = 12, 40, mp.get_context("spawn").Queue()
    ps = [mp.get_context("spawn").Process(target=_allocator, args=(hub.dsn(), w, count, out)) for w in range(procs)]
    for p in ps:
        p.start()
    numbers = [n for _ in ps for n in out.get(timeout=120)]
    for p in ps:
        p.join(30)
        assert p.exitcode == 0
    assert len(numbers) == procs * count
    assert len(set(numbers)) == len(numbers), "duplicate ticket numbers"
    assert sorted(numbers) == [hub_number("A", s, False) for s in range(1, procs * count + 1)]   # no gaps either
    assert hub_rows(hub, "SELECT last FROM ticket_series WHERE service_code = 'K01'") == [(procs * count,)]


def test_allocation_is_idempotent_per_ma_lk(hub):
    with hub.connect() as conn:
        a = allocate(conn, facility="79001", day=DAY, service="K02", letter="B", ma_lk="X-1", kiosk="1", priority=False)
        b = allocate(conn, facility="79001", day=DAY, service="K02", letter="B", ma_lk="X-1", kiosk="1", priority=False)
        c = allocate(conn, facility="79001", day=DAY, service="K02", letter="B", ma_lk="X-2", kiosk="1", priority=True)
    assert (a, b, c) == ("B001", "B001", "BU002")


def test_series_per_service_and_day(hub):
    with hub.connect() as conn:
        got = [allocate(conn, facility="79001", day=d, service=s, letter=l, ma_lk=f"M{i}", kiosk="1", priority=False)
               for i, (d, s, l) in enumerate([(DAY, "K01", "A"), (DAY, "K02", "B"), ("2026-11-21", "K01", "A"),
                                              (DAY, "K01", "A")])]
    assert got == ["A001", "B001", "A001", "A002"]


def test_offline_numbers_cannot_take_the_hub_shape():
    check_namespaces("{letter}{kiosk}-{seq:03d}")
    with pytest.raises(ValueError):
        check_namespaces("{letter}{kiosk}{seq:03d}")


def test_online_offline_online(hub, tmp_path, signer):
    clock = FakeClock()
    k = node(tmp_path, "1", hub, signer, clock)
    try:
        t1 = k.checkin(crowd_person(1), "K01")
        k.set_reachable(False)
        t2 = k.checkin(crowd_person(2), "K01")
        t3 = k.checkin(crowd_person(3), "K01")
        k.set_reachable(True)
        t4 = k.checkin(crowd_person(4), "K01")
        assert [t.number for t in (t1, t2, t3, t4)] == ["A001", "A1-002", "A1-003", "A002"]
        assert k.numbers.online_count == 2 and k.numbers.offline_count == 2
        k.sync()
        rows = hub_rows(hub, "SELECT ticket_number, numbered_by FROM visits ORDER BY checked_in_at, ticket_number")
        assert sorted(rows) == [("A001", "hub"), ("A002", "hub"), ("A1-002", "kiosk"), ("A1-003", "kiosk")]
    finally:
        k.close()


def test_patient_ticketed_at_kiosk_a_is_refused_at_kiosk_b_online(hub, tmp_path, signer):
    clock = FakeClock()
    a, b = node(tmp_path, "1", hub, signer, clock), node(tmp_path, "2", hub, signer, clock)
    try:
        first = a.checkin(crowd_person(7), "K01")
        a.sync()
        with pytest.raises(AlreadyIssued) as exc:
            b.checkin(crowd_person(7), "K01")
        assert exc.value.number == first.number
        assert b.checkin(crowd_person(7), "K02").number == "B001"    # another service is fine
    finally:
        a.close(), b.close()


def test_hub_restart_kiosk_falls_back_then_returns(hub, tmp_path, signer):
    clock = FakeClock()
    k = node(tmp_path, "1", hub, signer, clock, retry_after=0.0)
    try:
        assert k.checkin(crowd_person(10), "K03").number == "C001"
        hub.cluster.stop("immediate")
        try:
            assert k.checkin(crowd_person(11), "K03").number == "C1-002"   # hub gone: own series at once
        finally:
            hub.cluster.start()
        assert k.checkin(crowd_person(12), "K03").number == "C002"
        assert k.sync()["pushed"] >= 3
        assert hub_rows(hub, "SELECT count(*) FROM visits") == [(3,)]
    finally:
        k.close()


def test_hub_numbers_past_999_match_the_python_format(hub):
    with psycopg.connect(hub.admin_dsn()) as admin:
        admin.execute("INSERT INTO ticket_series VALUES ('79001', %s, 'K05', 98)", (DAY,))
    got = []
    with hub.connect(autocommit=True) as conn:
        for i, prio in enumerate([False, True] + [False] * 898 + [False, True]):
            got.append(allocate(conn, facility="79001", day=DAY, service="K05", letter="E", ma_lk=f"N{i}",
                                kiosk="1", priority=prio))
    assert got[:2] == [hub_number("E", 99, False), hub_number("E", 100, True)] == ["E099", "EU100"]
    assert got[-2:] == [hub_number("E", 999, False), hub_number("E", 1000, True)] == ["E999", "EU1000"]


def test_a_frozen_hub_backend_cannot_hold_a_ticket_back(hub, tmp_path, signer):
    """The hub's backend stops answering mid-allocation (SIGSTOP: the socket stays open, the
    server-side statement timeout cannot fire): the ticket still comes, from the kiosk's own series,
    within the allocation's bound (2 x timeout + 2 s); once the hub answers again, hub numbers return."""
    import os
    import signal
    import time

    clock = FakeClock()
    k = node(tmp_path, "1", hub, signer, clock, hub_timeout=0.5, retry_after=0.0)
    try:
        assert k.checkin(crowd_person(1), "K01").number == "A001"
        backend = k.numbers._conn.info.backend_pid
        os.kill(backend, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            frozen = k.checkin(crowd_person(2), "K01")
            waited = time.monotonic() - t0
        finally:
            os.kill(backend, signal.SIGCONT)
        assert frozen.number == "A1-002" and waited < 2 * 0.5 + 2.0 + 1.0
        deadline, person = time.monotonic() + 10, 3
        number = k.checkin(crowd_person(person), "K01").number
        while not number.startswith("A0") and time.monotonic() < deadline:   # the stuck call drains first
            time.sleep(0.2)
            person += 1
            number = k.checkin(crowd_person(person), "K01").number
        assert number[:2] == "A0" and number != "A001"
    finally:
        k.close()
