"""What the waiting-room display shows, built from the queue (pure: the local store and the hub
feed it the same way). Only ticket numbers and places: nothing personal on a public screen."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from kiosk.core.queue.estimate import estimate_minutes, median_of
from kiosk.core.queue.model import Counter, QueueEntry
from kiosk.core.queue.order import CallingPolicy, waiting_order


@dataclass(frozen=True)
class CallLine:
    number: str
    place_vi: str          # "Phòng 101" / "Quầy 1"
    place_en: str
    recall: bool
    at: str


@dataclass(frozen=True)
class RoomLine:
    counter_id: str
    place_vi: str
    place_en: str
    serving: str | None            # the number called / in service there
    next_numbers: tuple[str, ...]
    waiting: int


@dataclass(frozen=True)
class ServiceWait:
    code: str
    name_vi: str
    name_en: str
    waiting: int
    minutes: int


@dataclass(frozen=True)
class Board:
    calls: tuple[CallLine, ...]
    rooms: tuple[RoomLine, ...]
    waits: tuple[ServiceWait, ...]
    version: int = 0


def build_board(*, entries: Sequence[QueueEntry], calls: Sequence[Mapping], counters: Sequence[Counter],
                services: Sequence[Mapping], durations: Mapping[str, list[float]], now: datetime,
                policy: CallingPolicy, calls_shown: int = 6, next_shown: int = 3, version: int = 0) -> Board:
    by_id = {c.id: c for c in counters}
    lines, seen = [], set()
    for c in calls:                     # newest first; a recalled number shows once, at its newest call
        if c["number"] in seen or len(lines) >= calls_shown:
            continue
        seen.add(c["number"])
        counter = by_id.get(c["counter_id"])
        lines.append(CallLine(c["number"], counter.name_vi if counter else c["room"],
                              counter.name_en if counter else c["room"], c["kind"] == "recall", c["at"]))
    rooms = []
    held = {e.counter_id: e.number for e in entries if e.counter_id}
    for counter in counters:
        order = waiting_order(entries, counter.services, now, policy)
        rooms.append(RoomLine(counter.id, counter.name_vi, counter.name_en, held.get(counter.id),
                              tuple(e.number for e in order[:next_shown]), len(order)))
    waits = []
    for s in services:
        code = s["code"]
        ahead = len(waiting_order(entries, [code], now, policy))
        serving = [c.id for c in counters if code in c.services]
        busy = sum(1 for cid in serving if cid in held)
        samples = durations.get(code, [])
        waits.append(ServiceWait(code, s["name_vi"], s["name_en"], ahead,
                                 estimate_minutes(ahead, median_of(samples), float(s.get("minutes_per_patient", 6)),
                                                  len(serving) or 1, len(samples), busy=busy)))
    return Board(tuple(lines), tuple(rooms), tuple(waits), version)


def service_wait(entries: Iterable[QueueEntry], service: Mapping, counters: Sequence[Counter],
                 durations: list[float], now: datetime, policy: CallingPolicy, ahead: int | None = None) -> int:
    """Minutes a newcomer (or someone with `ahead` entries before them) waits for this service."""
    code = service["code"]
    if ahead is None:
        ahead = len(waiting_order(entries, [code], now, policy))
    serving = sum(1 for c in counters if code in c.services) or 1
    return estimate_minutes(ahead, median_of(durations), float(service.get("minutes_per_patient", 6)),
                            serving, len(durations))
