"""Fixtures of the sync tests: a real SQLCipher database file at schema head, a fake clock."""
from __future__ import annotations

import secrets

import pytest

from kiosk.core.clock import FakeClock
from kiosk.store.migrate import open_connection


@pytest.fixture
def db_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def conn(data_dir, db_key):
    c = open_connection(data_dir, db_key, create=True)
    yield c
    c.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def signed_factory(tmp_path_factory):
    from sync_signed import SignedFactory
    return SignedFactory(tmp_path_factory.mktemp("facility-id"))
