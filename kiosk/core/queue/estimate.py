"""Estimated waiting time: a running median of measured service durations x the entries ahead,
shared by the counters serving that service.

The median (not the mean) so one long consultation does not inflate every estimate; until
`min_samples` durations are measured the configured minutes_per_patient stands in.
"""
from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field


@dataclass
class RunningMedian:
    """Median of the last `window` samples (insertion into a sorted list: O(window) per sample)."""
    window: int = 30
    _recent: deque = field(default_factory=deque)
    _sorted: list = field(default_factory=list)

    def add(self, value: float) -> None:
        self._recent.append(value)
        bisect.insort(self._sorted, value)
        if len(self._recent) > self.window:
            old = self._recent.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]

    def __len__(self) -> int:
        return len(self._sorted)

    @property
    def median(self) -> float | None:
        n = len(self._sorted)
        if n == 0:
            return None
        mid = n // 2
        return self._sorted[mid] if n % 2 else (self._sorted[mid - 1] + self._sorted[mid]) / 2


def median_of(values) -> float | None:
    m = RunningMedian(window=max(1, len(values)))
    for v in values:
        m.add(v)
    return m.median


def estimate_minutes(ahead: int, median_minutes: float | None, fallback_minutes: float,
                     counters: int = 1, samples: int = 0, min_samples: int = 3, busy: int = 0) -> int:
    """Minutes until this patient is called: (entries ahead + half of the `busy` counters' current
    patients, on average half done) / counters serving x per-patient time. Rounded up; 0 when
    nobody is ahead."""
    if ahead <= 0:
        return 0
    per = median_minutes if (median_minutes is not None and samples >= min_samples) else fallback_minutes
    rounds = (ahead + 0.5 * max(0, busy)) / max(1, counters)
    return int(math.ceil(rounds * max(0.1, per)))
