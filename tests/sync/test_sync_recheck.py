"""Provisional card checks re-run when the gateway is back: against the simulator's synthetic cards,
and end to end through the worker waking on the link coming back."""
from __future__ import annotations

import random
import socket
import time

import pytest

from kiosk.core.clock import SystemClock, local_day
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.sim.server import (LOOKUP_PATH, SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,
                               SIM_USERNAME)
from kiosk.demo.sim_cards import start_demo_simulator
from kiosk.store.eligibility import EligibilityInput
from kiosk.store.migrate import open_connection
from kiosk.store.outbox import OutboxState
from kiosk.store.patients import DocumentInput, PatientInput
from kiosk.store.store import Store
from kiosk.store.visits import VisitInput
from kiosk.sync.eligibility_recheck import EligibilityRechecker
from kiosk.sync.lock import WorkerLock
from kiosk.sync.worker import SyncSettings, SyncWorker

pytestmark = pytest.mark.integration

# (card, name, birth as stored, what the gateway answers)
PEOPLE = {
    "valid": ("DN4797900000001", "NGUYỄN VĂN AN", "1985-03-15"),          # 000
    "expired": ("HS4797900000006", "VŨ MINH GIANG", "2008-05-12"),        # 010
    "new_card": ("HT3797900000004", "PHẠM VĂN DŨNG", "1950"),             # 003
    "defence": ("QN5797900000002", "TRẦN VĂN BÌNH", "1978-09-02"),        # 001: valid, desk checks
}


def client_for(url: str) -> GatewayClient:
    return GatewayClient(url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD, connect_timeout=0.5,
                         read_timeout=2.0, lookup_endpoint=LOOKUP_PATH, facility_code=SIM_FACILITY)


def provisional_visits(store: Store, people=PEOPLE) -> dict[str, int]:
    day = local_day(store.clock.now())
    out = {}
    with store.transaction():
        for i, (label, (card, name, birth)) in enumerate(people.items()):
            p = store.patients.upsert(PatientInput(full_name=name, birth_date=birth),
                                      [DocumentInput("bhyt", card)])
            e = store.eligibility.insert(EligibilityInput(card_number=card, verdict="provisional", patient_id=p.id,
                                                          result_code="NET", provisional=True))
            v = store.visits.create(VisitInput(ma_lk=f"{SIM_FACILITY}-RC-{i}", patient_id=p.id, kiosk_id="1",
                                               visit_day=day, service_code="K01", status="provisional",
                                               eligibility_id=e.id, ma_the_bhyt=card))
            out[label] = v.id
    return out


def test_recheck_confirms_or_flags_for_the_desk(tmp_path, conn):
    store = Store(conn, SystemClock())
    visits = provisional_visits(store)
    with start_demo_simulator(tmp_path / "sim") as sim:
        report = EligibilityRechecker(client_for(sim.url)).run(conn)
    assert (report.checked, report.confirmed, report.flagged) == (4, 1, 3)
    valid = store.visits.get(visits["valid"])
    assert valid.status == "waiting" and valid.needs_desk_reason is None
    check = store.eligibility.get(valid.eligibility_id)
    assert (check.verdict, check.result_code, check.provisional) == ("valid", "000", False)
    for label, code in (("expired", "010"), ("new_card", "003"), ("defence", "001")):
        v = store.visits.get(visits[label])
        assert v.status == "needs_desk", label
        assert f"maKetQua {code}" in v.needs_desk_reason
    assert "expired" in store.visits.get(visits["expired"]).needs_desk_reason
    # nothing provisional is left: a second pass asks nothing
    with start_demo_simulator(tmp_path / "sim2") as sim:
        assert EligibilityRechecker(client_for(sim.url)).run(conn).checked == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_worker_wakes_when_the_gateway_comes_back(tmp_path, conn, data_dir, db_key, signed_factory):
    """Gateway down: the upload fails, the link is offline. Gateway up again (same address): the
    worker's probe sees it, drains the outbox and re-runs the provisional card check."""
    store = Store(conn, SystemClock())
    visits = provisional_visits(store, {"expired": PEOPLE["expired"]})
    ma_lk = f"{SIM_FACILITY}-UP-1"
    with store.transaction():
        item = store.outbox.enqueue("checkin", ma_lk, signed_factory.checkin(ma_lk))
    port = _free_port()
    client = client_for(f"http://127.0.0.1:{port}")
    settings = SyncSettings(backoff_base=0.05, backoff_cap=5.0, reconcile_grace=0.2, probe_cap=0.3, idle_poll=0.5)
    worker = SyncWorker(lambda: open_connection(data_dir, db_key), client, facility_code=SIM_FACILITY,
                        rng=random.Random(1), settings=settings, lock=WorkerLock.for_data_dir(data_dir),
                        rechecker=EligibilityRechecker(client))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while worker.connectivity.online and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not worker.connectivity.online
        assert store.outbox.get(item).state is not OutboxState.ACKED   # pending, or leased by a probe
        assert store.visits.get(visits["expired"]).status == "provisional"
        with start_demo_simulator(tmp_path / "sim", port=port, facility_cert_pem=signed_factory.cert_pem) as sim:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (store.outbox.get(item).state is not OutboxState.ACKED or
                                                   store.visits.get(visits["expired"]).status != "needs_desk"):
                time.sleep(0.05)
            held = sim.received(with_xml=False)
    finally:
        worker.stop()
    assert worker.connectivity.online
    assert store.outbox.get(item).state is OutboxState.ACKED
    assert [(r["ma_lk"], r["duplicate"]) for r in held] == [(ma_lk, False)]
    assert "maKetQua 010" in store.visits.get(visits["expired"]).needs_desk_reason
