"""Fixtures for the scanner tests."""
import pytest

from drivers.scanner.base import Backoff


@pytest.fixture
def fast_backoff():
    return Backoff(first=0.05, cap=0.2, jitter=0.0)
