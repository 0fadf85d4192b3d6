"""A real SQLCipher store seeded with known visits, checks and uploads (synthetic people)."""
from __future__ import annotations

import os

import pytest

from kiosk.core.clock import FakeClock
from kiosk.store.migrate import open_store

from report_seed import make_specs, seed_store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("report") / "data"
    clock = FakeClock()
    key = os.urandom(32)
    store = open_store(data_dir, key, create=True, clock=clock)
    specs = make_specs()
    seed_store(store, clock, specs)
    yield store, specs, data_dir, key
    store.close()
