"""Backoff: the one home of "wait longer after each failure, up to a cap", in two named variants.

Both double a first delay up to a cap (`capped_step`); they differ on purpose in what they
remember and how they jitter:

- `RetryBackoff` (the outbox): stateless, the attempt number comes from the stored item, so a
  restart keeps the schedule. Equal jitter (half kept, half random) spreads a fleet of kiosks that
  lost the gateway together without ever collapsing into an immediate retry storm.
- `ReconnectBackoff` (a device reopening after an unplug or error): stateful (`next()`, and
  `reset()` once the device works again), with a small +-jitter so a replugged scanner comes back
  quickly and predictably.

Both take an injected `random.Random`, so tests pin exact delays. Lives in `drivers/` because
the scanner stacks need it and drivers never import `kiosk`; the kiosk's sync worker imports it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field


def capped_step(first: float, cap: float, n: int, factor: float = 2.0) -> float:
    """first * factor^(n-1) for the n-th failure (n >= 1), at most `cap`."""
    n = max(1, n)
    if n > 64:  # past any cap; avoids float overflow for huge attempt counts
        return cap
    return min(cap, first * factor ** (n - 1))


@dataclass(frozen=True)
class RetryBackoff:
    """`delay(n)` for the n-th failed attempt (n >= 1): equal jitter in [step/2, step]."""
    base: float
    cap: float
    rng: random.Random

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base:
            raise ValueError("backoff needs 0 < base <= cap")

    def ceiling(self, attempts: int) -> float:
        """The un-jittered delay: base * 2^(attempts-1), at most cap."""
        return capped_step(self.base, self.cap, attempts)

    def delay(self, attempts: int) -> float:
        step = self.ceiling(attempts)
        return step / 2 + self.rng.uniform(0.0, step / 2)


@dataclass
class ReconnectBackoff:
    """first, first*factor, ... capped at `cap` seconds, each times (1 +- jitter)."""
    first: float = 0.2
    cap: float = 10.0
    factor: float = 2.0
    jitter: float = 0.1
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _n: int = field(default=0, init=False)

    def next(self) -> float:
        self._n += 1
        delay = capped_step(self.first, self.cap, self._n, self.factor)
        return delay * (1 + self.rng.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        self._n = 0
