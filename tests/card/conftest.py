"""Card-area fixtures: the test PKI (generated once per session into a temp dir)."""
from __future__ import annotations

import pytest

from drivers.card.sim.pki import load_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return load_pki(tmp_path_factory.mktemp("card-pki"))
