"""States of the check-in machine: one frozen dataclass per screen, holding masked views only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from kiosk.core.views import (
    EligibilityView, FollowUpView, Message, PatientView, PrinterFaultKind,
    PriorityCategory, ProblemKind, ReadSource, ServiceOption, TicketView,
)

# ---------------------------------------------------------------- states (one per screen)


@dataclass(frozen=True)
class Idle:
    last_session: int = 0          # a counter, nothing personal
    paused: bool = False           # a staff window covers the kiosk: no check-in starts (issue 14 M6)


@dataclass(frozen=True)
class Reading:
    session: int
    source: ReadSource
    step: str = ""                 # chip step name from the reader ("bac", "dg1", "dg13", "sod", ...)
    step_index: int = 0            # steps done so far
    step_count: int = 0            # 0: unknown / not a chip read
    card_removed: bool = False     # "the card moved away: lay it on the reader again"
    needs_qr: bool = False         # the chip needs its key: "scan the QR on the front of your card"
    typed: str = field(default="", repr=False, compare=False)   # a typed read: the number, for "try again"


@dataclass(frozen=True)
class Keypad:
    session: int
    text: str = ""                 # what the patient typed so far (shown while typing only)


@dataclass(frozen=True)
class Confirm:
    session: int
    patient: PatientView
    eligibility: EligibilityView   # status CHECKING until the answer arrives
    follow_up: FollowUpView | None = None


@dataclass(frozen=True)
class CheckingEligibility:
    """The patient confirmed before the card check answered; waits at most the deadline."""
    session: int
    patient: PatientView
    follow_up: FollowUpView | None = None


@dataclass(frozen=True)
class ChooseService:
    session: int
    patient: PatientView
    eligibility: EligibilityView
    services: tuple[ServiceOption, ...]            # the follow-up's service first when there is one
    priorities: tuple[PriorityCategory, ...]       # offered; the automatic one (age) first
    selected_priority: PriorityCategory | None = None  # pre-selected from the age
    follow_up: FollowUpView | None = None
    automatic: bool = False                        # the selected priority is the law's (age): fixed


@dataclass(frozen=True)
class Issuing:
    session: int
    service_code: str
    priority: PriorityCategory | None


@dataclass(frozen=True)
class Printing:
    session: int
    ticket: TicketView
    attempt: int = 1


@dataclass(frozen=True)
class PrinterFailed:
    session: int
    ticket: TicketView
    fault: PrinterFaultKind
    attempt: int = 1               # offer "Reprint" and "Show on screen"


@dataclass(frozen=True)
class TicketShown:
    session: int
    ticket: TicketView
    printed: bool                  # False: shown on screen only (printer failed)


@dataclass(frozen=True)
class Problem:
    session: int
    kind: ProblemKind
    message: Message
    retry: bool                    # True: "try again" (a new scan starts over); False: go to the desk
    typed: str = field(default="", repr=False, compare=False)   # a typed number: "try again" opens the keypad with it


State = Union[Idle, Reading, Keypad, Confirm, CheckingEligibility, ChooseService, Issuing, Printing,
              PrinterFailed, TicketShown, Problem]
ALL_STATES: tuple[type, ...] = State.__args__  # type: ignore[attr-defined]
