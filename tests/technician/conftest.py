"""Technician fixtures: the desk's real store, staff accounts, signer and gateway simulator."""
from tests.desk.conftest import *  # noqa: F401,F403
