"""Calling fixtures: a fresh encrypted store, counters from the default services, a reception session."""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from kiosk.config import load
from kiosk.core.clock import FakeClock, local_day
from kiosk.calling.service import CallingService, CallingSettings
from kiosk.security.roles import Role
from kiosk.store.migrate import open_store
from kiosk.store.patients import DocumentInput, PatientInput
from kiosk.store.visits import VisitInput


@dataclass
class Staff:
    username: str = "le.thu"
    role: Role = Role.RECEPTION


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def key():
    return os.urandom(32)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def store(data_dir, key, clock):
    s = open_store(data_dir, key, create=True, clock=clock)
    yield s
    s.close()


@pytest.fixture
def cfg(tmp_path):
    counters = [{"id": "Q1", "room": "Q1", "services": ["K01", "K02"], "name_vi": "Quầy 1", "name_en": "Counter 1"},
                {"id": "Q2", "room": "Q2", "services": ["K01", "K02"], "name_vi": "Quầy 2", "name_en": "Counter 2"},
                {"id": "P203", "room": "203", "services": ["K04"]}]
    return load(None, env={}, overrides={"data_dir": tmp_path / "data", "counters": counters})


@pytest.fixture
def calling(store, cfg, clock):
    svc = CallingService(store, CallingSettings.from_config(cfg), clock=clock)
    svc.sync_counters()
    return svc


@pytest.fixture
def staff():
    return Staff()


def issue(store, n: int, *, service="K01", priority=None, kiosk="1", start=0, clock=None, emergency=False):
    """n synthetic patients with a visit and ticket each (the queue entry comes from the trigger)."""
    day = local_day((clock or store.clock).now())
    tickets = []
    for i in range(start, start + n):
        with store.transaction():
            p = store.patients.upsert(PatientInput(full_name=f"NGƯỜI THỬ {i}"), [DocumentInput("cccd", f"0010800{i:05d}")])
            seq = store.tickets.next_seq(kiosk, day)
            v = store.visits.create(VisitInput(f"79001-{kiosk}-{day}-{seq:04d}", p.id, kiosk, day, service,
                                               room={"K01": "101", "K02": "105", "K04": "203"}.get(service),
                                               priority=priority, ma_doituong_kcb=2 if emergency else 1))
            tickets.append(store.tickets.insert(visit_id=v.id, patient_id=p.id, service_code=service,
                                                kiosk_id=kiosk, day=day, seq=seq, number=f"A{kiosk}-{seq:03d}",
                                                priority=1 if priority else 0))
        if clock is not None:
            clock.advance(10)
    return tickets
