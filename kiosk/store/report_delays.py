"""Uploads counted, and their delays summarised, while they stream out of the database in visit-day order: per day,
per ISO week and per period (by kiosk and for all kiosks), with exact nearest-rank percentiles
(the value at rank ceil(p * n))."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Iterable

PERIOD = "*"
HOUR, DAY = 3600, 86400


def _rank(n: int, p: float) -> int:
    """ceil(p * n) in integers (p = 0.5 or 0.95), at least 1."""
    return max(1, (int(round(p * 100)) * n + 99) // 100)


def from_sorted(values: list[int]) -> dict:
    n = len(values)
    return {"n": n, "median_s": values[_rank(n, 0.5) - 1], "p95_s": values[_rank(n, 0.95) - 1],
            "within_1h": sum(1 for v in values if v <= HOUR), "within_24h": sum(1 for v in values if v <= DAY),
            "min_s": values[0], "max_s": values[-1]}


def from_histogram(hist: Counter) -> dict:
    n = sum(hist.values())
    # a list, not a dict keyed by rank: with one value both ranks are 1 (a dict kept only the p95)
    want = [(_rank(n, 0.5), "median_s"), (_rank(n, 0.95), "p95_s")]
    out = {"n": n, "within_1h": 0, "within_24h": 0}
    seen = 0
    keys = sorted(hist)
    for v in keys:
        c = hist[v]
        before, seen = seen, seen + c
        for rank, name in want:
            if before < rank <= seen:
                out[name] = v
        if v <= HOUR:
            out["within_1h"] += c
        if v <= DAY:
            out["within_24h"] += c
    out["min_s"], out["max_s"] = keys[0], keys[-1]
    return out


def _week(day: str, cache: dict) -> str:
    w = cache.get(day)
    if w is None:
        y, n, _ = date.fromisoformat(day).isocalendar()
        w = cache[day] = f"{y}-W{n:02d}"
    return w


def upload_figures(conn, sql: str, params: tuple) -> tuple[list[dict], list[dict]]:
    """`sql` yields (day, 'kiosk_id|kind', state, last_code, seconds or NULL) ordered by day:
    the counts by state (and a dead item's reason), and the delays of those with seconds."""
    cur = conn.cursor()
    cur.row_factory = None                      # plain tuples: a year is two million rows
    return summarise_uploads(cur.execute(sql, params))


def summarise_uploads(rows: Iterable) -> tuple[list[dict], list[dict]]:
    """The same from any rows of (day, 'kiosk_id|kind', state, last_code, seconds or None) in day
    order (the kiosk's store above, the facility hub's in kiosk.facility.hub_report)."""
    out: list[dict] = []
    counts: Counter = Counter()
    weeks: dict[str, str] = {}
    day_groups: dict[str, list] = defaultdict(list)      # 'kiosk|kind' -> seconds
    week_groups: dict[str, list] = defaultdict(list)
    period: dict[tuple, Counter] = defaultdict(Counter)
    current_day = current_week = None

    def flush(label: str, groups: dict, *, is_day: bool) -> None:
        for key, values in sorted(groups.items()):
            kiosk, kind = key.rsplit("|", 1)
            values.sort()
            out.append({"day": label, "kiosk_id": kiosk, "kind": kind, **from_sorted(values)})
            if is_day:
                counts[(label, kiosk, kind, "acked", "")] += len(values)
            else:                                  # C-speed counting into the period's histograms
                period[(kiosk, kind)].update(values)
                period[(PERIOD, kind)].update(values)
        groups.clear()

    for day, group, state, code, s in rows:     # the loop runs per upload: keep it lean
        if s is None:
            kiosk, kind = group.rsplit("|", 1)
            counts[(day, kiosk, kind, state, (code or "") if state == "dead" else "")] += 1
            continue
        if day != current_day:
            if current_day is not None:
                flush(current_day, day_groups, is_day=True)
            week = _week(day, weeks)
            if week != current_week and current_week is not None:
                flush(current_week, week_groups, is_day=False)
            current_day, current_week = day, week
        day_groups[group].append(s)
        week_groups[group].append(s)
    if current_day is not None:
        assert current_week is not None  # set together with current_day
        flush(current_day, day_groups, is_day=True)
        flush(current_week, week_groups, is_day=False)
    for (kiosk, kind), hist in sorted(period.items()):
        out.append({"day": PERIOD, "kiosk_id": kiosk, "kind": kind, **from_histogram(hist)})
    totals = [{"day": d, "kiosk_id": k, "kind": kind, "state": st, "reason": reason, "n": n}
              for (d, k, kind, st, reason), n in sorted(counts.items())]
    return totals, out
