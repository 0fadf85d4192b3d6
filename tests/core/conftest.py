"""Core/services fixtures: a real SQLCipher store, the demo signing identity, the gateway simulator."""
from __future__ import annotations

import os

import pytest

from kiosk.core.clock import FakeClock


@pytest.fixture
def clock():
    return FakeClock()   # 2026-11-20 01:30 UTC = 08:30 in Vietnam


@pytest.fixture
def store(tmp_path, clock):
    from kiosk.store.migrate import open_store
    s = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock, check_same_thread=False)
    yield s
    s.close()


@pytest.fixture
def gateway(sim):
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.sim.server import SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD, SIM_USERNAME
    return GatewayClient(sim.url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                         facility_code=SIM_FACILITY, connect_timeout=2.0, read_timeout=5.0)
