"""Check-in wing fixtures: the same real store, clock and gateway as the core tests."""
from tests.core.conftest import *  # noqa: F401,F403
