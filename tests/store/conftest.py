"""Store fixtures: a fresh encrypted database in a temporary data dir, a fake clock."""
from __future__ import annotations

import os

import pytest

from kiosk.core.clock import FakeClock
from kiosk.store import open_store


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
