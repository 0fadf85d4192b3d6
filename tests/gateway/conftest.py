"""Gateway tests: a client pointed at the simulator (dev_identity, signer, sim: tests/conftest.py)."""
from __future__ import annotations

import pytest
from gateway_helpers import make_client


@pytest.fixture
def client(sim):
    return make_client(sim.url)
