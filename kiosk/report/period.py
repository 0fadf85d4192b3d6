"""Report periods: an ISO week ('2026-W48'), last week, a span of facility days."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.core.clock import VN_TZ

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A week or date that cannot be a report period; the message shows the expected form."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date            # inclusive
    label: str            # '2026-W48', or 'first..last'

    @property
    def days(self) -> list[str]:
        n = (self.last - self.first).days + 1
        return [(self.first + timedelta(days=i)).isoformat() for i in range(n)]

    @property
    def first_day(self) -> str:
        return self.first.isoformat()

    @property
    def last_day(self) -> str:
        return self.last.isoformat()


def iso_week_of(day: str | date) -> str:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def week(text: str) -> Period:
    m = _WEEK.match(text.strip())
    if not m:
        raise PeriodError(f"week {text!r}: expected an ISO week like 2026-W48")
    try:
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise PeriodError(f"week {text!r}: {m[1]} has no week {m[2]}") from None
    return Period(monday, monday + timedelta(days=6), f"{m[1]}-W{m[2]}")


def last_week(now: datetime) -> Period:
    """The ISO week before the facility's current one (Vietnam time)."""
    today = now.astimezone(VN_TZ).date()
    return week(iso_week_of(today - timedelta(days=7)))


def span(first: str, last: str) -> Period:
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise PeriodError(f"dates {first!r}..{last!r}: expected yyyy-mm-dd") from None
    if b < a:
        raise PeriodError(f"period {first}..{last} ends before it starts")
    return Period(a, b, f"{first}..{last}")
