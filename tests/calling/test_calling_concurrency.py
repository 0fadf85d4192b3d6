"""Two counters pressing Call next at the same moment, many times, each on its own connection to
the same SQLCipher file: never the same patient, nobody skipped."""
from __future__ import annotations

import threading

from calling_helpers import Staff, issue
from kiosk.calling.service import CallingService, CallingSettings
from kiosk.store.migrate import open_store

ROUNDS = 150


def test_two_counters_never_get_the_same_patient(store, cfg, data_dir, key, clock):
    issue(store, 2 * ROUNDS + 20)
    settings = CallingSettings.from_config(cfg)
    CallingService(store, settings, clock=clock).sync_counters()
    barrier = threading.Barrier(2)
    got: dict[str, list[int]] = {"Q1": [], "Q2": []}
    errors: list[BaseException] = []

    def counter(cid: str) -> None:
        try:
            with open_store(data_dir, key, clock=clock) as s:
                svc = CallingService(s, settings, clock=clock)
                staff = Staff(f"staff.{cid}")
                for _ in range(ROUNDS):
                    barrier.wait()                      # both press Call next together
                    e = svc.call_next(staff, cid)
                    got[cid].append(e.id)
                    svc.start(staff, cid)
                    svc.finish(staff, cid)
        except BaseException as exc:   # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=counter, args=(c,)) for c in ("Q1", "Q2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    both = got["Q1"] + got["Q2"]
    assert len(both) == 2 * ROUNDS and len(set(both)) == len(both)
    # arrival order with no priorities: exactly the first 2*ROUNDS entries were called
    first = sorted(e.id for e in store.queue.entries(_day(store)))[:2 * ROUNDS]
    assert sorted(both) == first
    calls = store.conn.execute("SELECT entry_id, count(*) FROM queue_calls GROUP BY entry_id "
                               "HAVING count(*) > 1").fetchall()
    assert calls == []


def _day(store) -> str:
    return store.conn.execute("SELECT day FROM queue_entries LIMIT 1").fetchone()[0]
