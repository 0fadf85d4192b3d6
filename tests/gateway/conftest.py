"""Gateway tests: a demo signing identity, a running simulator, a client pointed at it."""
from __future__ import annotations

import pytest
from gateway_helpers import make_client

from kiosk.gateway.devcert import ensure_dev_identity
from kiosk.gateway.signing import pkcs12_signer
from kiosk.gateway.sim import SIM_FACILITY, start_simulator


@pytest.fixture(scope="session")
def dev_identity(tmp_path_factory):
    return ensure_dev_identity(tmp_path_factory.mktemp("devcert"), SIM_FACILITY)


@pytest.fixture(scope="session")
def signer(dev_identity):
    return pkcs12_signer(dev_identity.p12_path, dev_identity.password)


@pytest.fixture
def sim(tmp_path, dev_identity):
    handle = start_simulator(tmp_path / "sim", facility_cert_pem=dev_identity.cert_pem)
    yield handle
    handle.stop()


@pytest.fixture
def client(sim):
    return make_client(sim.url)
