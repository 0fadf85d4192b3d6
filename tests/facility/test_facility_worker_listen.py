"""The hub worker sleeps on LISTEN hub_outbox, not on a polling loop: a hand-over wakes it at once."""
from __future__ import annotations

import threading
import time

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from tests.facility.helpers import hub_rows, node


def test_worker_wakes_on_a_handover_not_on_a_timer(hub, tmp_path, signer, gateway):
    from kiosk.facility.worker import HubUploadWorker
    stop = threading.Event()
    conn = hub.connect("hub_worker")
    worker = HubUploadWorker(conn, gateway, "79001")
    t = threading.Thread(target=worker.run_forever, kwargs={"stop": stop.is_set, "idle": 120.0}, daemon=True)
    t.start()
    k = node(tmp_path, "1", hub, signer, FakeClock())
    try:
        time.sleep(1.0)                                   # the worker found nothing and went to sleep
        asleep = worker.wakeups
        assert asleep == 1
        k.set_reachable(False)
        for i in range(3):
            k.checkin(crowd_person(i), "K01")
        k.set_reachable(True)
        assert k.sync(hand_over=True)["handed_over"] == 3
        deadline = time.monotonic() + 30                  # far below the 120 s fallback
        while time.monotonic() < deadline and hub_rows(
                hub, "SELECT count(*) FROM outbox WHERE state = 'acked'") != [(3,)]:
            time.sleep(0.1)
        assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE state = 'acked' AND acked_by = 'hub'") == [(3,)]
        time.sleep(1.0)
        assert worker.wakeups <= asleep + 2               # one notification, no timer ticks
    finally:
        stop.set()
        with hub.connect() as other:                      # wake it so it sees the stop flag
            other.execute("SELECT pg_notify('hub_outbox', 'stop')")
            other.commit()
        t.join(10)
        conn.close()
        k.close()
    assert not t.is_alive()
