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


@pytest.fixture(scope="session")
def dev_identity(tmp_path_factory):
    from kiosk.gateway.devcert import ensure_dev_identity
    from kiosk.gateway.sim import SIM_FACILITY
    return ensure_dev_identity(tmp_path_factory.mktemp("core-devcert"), SIM_FACILITY)


@pytest.fixture(scope="session")
def signer(dev_identity):
    from kiosk.gateway.signing import pkcs12_signer
    return pkcs12_signer(dev_identity.p12_path, dev_identity.password)


@pytest.fixture
def sim(tmp_path, dev_identity):
    from kiosk.gateway.sim import start_simulator
    handle = start_simulator(tmp_path / "sim", facility_cert_pem=dev_identity.cert_pem)
    yield handle
    handle.stop()


@pytest.fixture
def gateway(sim):
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.sim import SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD, SIM_USERNAME
    return GatewayClient(sim.url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                         facility_code=SIM_FACILITY, connect_timeout=2.0, read_timeout=5.0)
