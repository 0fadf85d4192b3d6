"""Each figure computed again in plain Python from the seed's specs, with no code from kiosk.report."""
from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta

from kiosk.core.clock import VN_TZ

PAPERLESS = {"chip_pa", "chip_no_pa", "cccd_qr", "vneid_qr", "bhyt_qr", "typed"}


def week_of(day: str) -> str:
    y, w, _ = date.fromisoformat(day).isocalendar()
    return f"{y}-W{w:02d}"


def in_period(day: str, first: str, last: str) -> bool:
    return first <= day <= last


def local(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).date().isoformat()


def receptions(specs, first, last, period_of) -> Counter:
    """(period, kiosk, method) -> n; method 'unknown' when not recorded."""
    c = Counter()
    for s in specs:
        if in_period(s.day, first, last):
            c[(period_of(s.day), s.kiosk, s.method or "unknown")] += 1
    return c


def checks(specs, first, last, period_of) -> Counter:
    """(period, result_code or '-', verdict, provisional) -> n, by the check's own local day."""
    c = Counter()
    for s in specs:
        events = [(s.at, s.check_code or "-", s.check_verdict, int(s.provisional))]
        if s.provisional and s.outcome in ("confirmed", "desk"):
            events.append((s.at + timedelta(minutes=30), "000" if s.outcome == "confirmed" else "070",
                           "valid" if s.outcome == "confirmed" else "needs_desk", 0))
        for at, code, verdict, prov in events:
            day = local(at)
            if in_period(day, first, last):
                c[(period_of(day), code, verdict, prov)] += 1
    return c


def delays(specs, first, last, key_of) -> dict:
    """key -> sorted delays (s) of acked uploads; key_of(spec, upload) gives the group."""
    out: dict = {}
    for s in specs:
        if not in_period(s.day, first, last):
            continue
        for u in s.uploads:
            if u.state != "acked":
                continue
            end = s.at if u.kind == "checkin" else s.at + timedelta(seconds=s.closed_after_s)
            # the gateway's own receipt time when it gave one, else our ack time: both at end + delay
            # in the seed (the seed acks receipted items much later, so using the ack time would show)
            received = end + timedelta(seconds=u.delay_s)
            out.setdefault(key_of(s, u), []).append(round((received - end).total_seconds()))
    return {k: sorted(v) for k, v in out.items()}


def nearest_rank(values: list, p: float):
    return values[max(1, math.ceil(p * len(values))) - 1]
