"""Effects of the check-in machine: the work the check-in service runs, each answered by events."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from kiosk.core.checkin.states import State
from kiosk.core.views import PriorityCategory, ReadSource

if TYPE_CHECKING:                  # annotation only: core never imports the identity stack at run time
    from kiosk.identity.model import Identity

# What ResolveIdentity hands the resolver: QR bytes, typed text, or the chip's Identity.
ReadPayload = Union[bytes, str, "Identity"]

# ---------------------------------------------------------------- effects (run by the service)


@dataclass(frozen=True)
class ResolveIdentity:             # → IdentityResolved | IdentityFailed
    session: int
    source: ReadSource
    read: ReadPayload = field(repr=False)


@dataclass(frozen=True)
class ReadChip:                    # → ChipProgress… then ChipReadDone | ChipReadFailed | ChipRemoved
    """Read the card on the reader, keyed by the identity this session already resolved (its QR, or
    the cache); without one the service answers ChipNeedsQr."""
    session: int


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
    language: str = "vi"           # of the printed ticket


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


Effect = Union[ResolveIdentity, ReadChip, CheckEligibility, IssueTicket, PrintTicket, MarkShown, AlertStaff,
               EndSession]


@dataclass(frozen=True)
class Step:
    state: State
    effects: tuple[Effect, ...] = ()
