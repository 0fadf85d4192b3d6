"""A period with a single acked upload: its median and 95th percentile are that one delay (the
period's histogram summary once lost the median when both ranks were 1, and the report failed)."""
from __future__ import annotations

from collections import Counter

from kiosk.store.report_delays import from_histogram, from_sorted


def test_one_value_is_its_own_median_and_p95():
    assert from_histogram(Counter({42: 1})) == {"n": 1, "median_s": 42, "p95_s": 42, "within_1h": 1,
                                                "within_24h": 1, "min_s": 42, "max_s": 42}
    assert from_histogram(Counter({42: 1})) == from_sorted([42])


def test_histogram_and_sorted_agree_on_known_ranks():
    values = [5, 5, 30, 90, 4000, 90000, 7, 7, 7, 12, 3, 3601, 86401, 60, 60, 61, 1, 2, 2, 100]
    hist = Counter(values)
    got = from_histogram(hist)
    assert got == from_sorted(sorted(values))
    # 20 values (1 2 2 3 5 5 7 7 7 12 | 30 ... 86401 90000): median rank 10, p95 rank 19
    ordered = sorted(values)
    assert (got["median_s"], got["p95_s"]) == (ordered[9], ordered[18]) == (12, 86401)
