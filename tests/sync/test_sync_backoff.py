import random

import pytest

from drivers.backoff import RetryBackoff as Backoff


def test_ceiling_doubles_then_caps():
    b = Backoff(2.0, 60.0, random.Random(1))
    assert [b.ceiling(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
    assert b.ceiling(10_000) == 60


def test_delay_is_equal_jitter_within_half_and_full_step():
    b = Backoff(2.0, 900.0, random.Random(7))
    for n in range(1, 20):
        step = b.ceiling(n)
        for _ in range(50):
            d = b.delay(n)
            assert step / 2 <= d <= step


def test_delay_known_answer_with_seeded_rng():
    # Random(42).uniform(0, 1) == 0.6394267984578837; equal jitter: step/2 + u * step/2
    b = Backoff(2.0, 900.0, random.Random(42))
    assert b.delay(3) == pytest.approx(4.0 + 0.6394267984578837 * 4.0)


def test_jitter_spreads_kiosks():
    delays = {round(Backoff(2.0, 900.0, random.Random(seed)).delay(5), 6) for seed in range(20)}
    assert len(delays) == 20


def test_rejects_nonsense():
    with pytest.raises(ValueError):
        Backoff(0, 10, random.Random())
    with pytest.raises(ValueError):
        Backoff(5, 1, random.Random())


def test_reconnect_backoff_doubles_caps_resets_with_injected_jitter():
    from drivers.backoff import ReconnectBackoff
    from drivers.scanner.base import Backoff as ScannerBackoff
    assert ScannerBackoff is ReconnectBackoff               # one home: drivers/backoff.py
    b = ReconnectBackoff(first=0.5, cap=3.0, jitter=0.0)
    assert [b.next() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    b.reset()
    assert b.next() == 0.5
    # Random(42).uniform(-0.1, 0.1) == -0.1 + 0.6394267984578837 * 0.2
    j = ReconnectBackoff(first=1.0, cap=10.0, jitter=0.1, rng=random.Random(42))
    assert j.next() == pytest.approx(1.0 * (1 + (-0.1 + 0.6394267984578837 * 0.2)))
