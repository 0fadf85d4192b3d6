"""Calling fixtures: a fresh encrypted store, counters from the default services, a reception session."""
from __future__ import annotations


import pytest

from kiosk.config import load
from kiosk.calling.service import CallingService, CallingSettings
from calling_helpers import Staff


# the store's fixtures: a fresh encrypted database, its key and data dir, a fake clock
from tests.store.conftest import clock, data_dir, key, store  # noqa: E402,F401,F811 (fixtures)


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
