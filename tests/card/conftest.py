"""Card-area fixtures: the test PKI (generated once per session into a temp dir) and a real
pcscd with vsmartcard-vpcd (started per module when none runs; if it cannot start, the tests
FAIL with the reason: CI must have it)."""
from __future__ import annotations

import pytest

from drivers.card.sim.pcscd import Pcscd, PcscdError
from drivers.card.sim.pki import load_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return load_pki(tmp_path_factory.mktemp("card-pki"))


@pytest.fixture(scope="module")
def daemon():
    d = Pcscd()
    try:
        d.start()
    except PcscdError as exc:
        pytest.fail(f"pcscd with vsmartcard-vpcd is required for the card integration tests: {exc}")
    yield d
    d.stop()
