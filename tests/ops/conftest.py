"""Ops fixtures: the demo facility's signing identity, and a real issuer over a real SQLCipher store."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def signer(tmp_path_factory):
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.gateway.sim.server import SIM_FACILITY
    ident = ensure_dev_identity(tmp_path_factory.mktemp("ops-devcert"), SIM_FACILITY)
    return pkcs12_signer(ident.p12_path, ident.password)
