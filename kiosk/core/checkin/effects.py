"""Effects of the check-in machine: the work the check-in service runs, each answered by events."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from kiosk.core.checkin.states import State
from kiosk.core.views import PriorityCategory, ReadSource

# ---------------------------------------------------------------- effects (run by the service)


@dataclass(frozen=True)
class ResolveIdentity:             # → IdentityResolved | IdentityFailed
    session: int
    source: ReadSource
    read: Any = field(repr=False)  # QR bytes, chip read, or typed text


@dataclass(frozen=True)
class CheckEligibility:            # → EligibilityChecked (provisional at the deadline)
    session: int
    deadline_s: float


@dataclass(frozen=True)
class IssueTicket:                 # the one transaction → TicketIssued | IssueFailed
    session: int
    service_code: str
    priority: PriorityCategory | None
    provisional: bool


@dataclass(frozen=True)
class PrintTicket:                 # → Printed | PrintFailed
    session: int
    ticket_id: int
    attempt: int


@dataclass(frozen=True)
class MarkShown:                   # the ticket counts as issued: shown on screen instead of printed
    session: int
    ticket_id: int


@dataclass(frozen=True)
class AlertStaff:                  # gateway configuration fault (054/055...) or similar
    session: int
    reason: str


@dataclass(frozen=True)
class EndSession:                  # forget everything personal held for this session
    session: int


Effect = Union[ResolveIdentity, CheckEligibility, IssueTicket, PrintTicket, MarkShown, AlertStaff,
               EndSession]


@dataclass(frozen=True)
class Step:
    state: State
    effects: tuple[Effect, ...] = ()
