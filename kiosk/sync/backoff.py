"""Retry delays for the outbox: exponential backoff with jitter and a cap.

Pure arithmetic over an injected random source, so tests pin the exact delays.
"""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """`delay(n)` for the n-th failed attempt (n >= 1).

    Equal jitter: half of the exponential step is kept, the other half is random. The kept half
    means a burst of failures can never collapse into an immediate retry storm; the random half
    spreads kiosks that lost the gateway at the same moment.
    """
    base: float
    cap: float
    rng: random.Random

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base:
            raise ValueError("backoff needs 0 < base <= cap")

    def ceiling(self, attempts: int) -> float:
        """The un-jittered delay: base * 2^(attempts-1), at most cap."""
        n = max(1, attempts)
        if n > 64:  # 2**64 * base is past any cap; avoid float overflow
            return self.cap
        return min(self.cap, self.base * (2 ** (n - 1)))

    def delay(self, attempts: int) -> float:
        step = self.ceiling(attempts)
        return step / 2 + self.rng.uniform(0.0, step / 2)
