"""The patient's check-in state machine: pure `handle(state, event, config) -> Step`. No Qt, no I/O.

Contract for the UI: render `Step.state` (one dataclass per screen), send events; never decide
anything itself. The check-in service (`kiosk.checkin.service.CheckinService`) executes the effects
on worker threads and feeds their results back as events carrying the `session` they belong to;
results of an older session are ignored. States hold only masked views (`kiosk.core.views`).

    Idle ──QrScanned/ChipPresented/KeypadOpened──▶ Reading | Keypad
    Reading ──IdentityResolved──▶ Confirm ──ConfirmYes──▶ (CheckingEligibility) ──▶ ChooseService
    Reading(chip) ──ChipNeedsQr──▶ Reading(needs_qr) ──QrScanned──▶ Reading(chip, key from the QR)
    Confirm ──ChipPresented──▶ Reading(chip), same session (the chip verifies the scanned identity)
    ChooseService ──ServiceChosen──▶ Issuing ──TicketIssued──▶ Printing ──Printed──▶ TicketShown
    Printing ──PrintFailed──▶ PrinterFailed ──Reprint──▶ Printing | ──ShowOnScreen──▶ TicketShown
    any failure ──▶ Problem (retry / desk) ; every state but Idle has a timeout ; TicketShown ──▶ Idle
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from kiosk.core import priority as prio
from kiosk.core.views import (
    EligibilityView, FollowUpView, Message, PatientView, PrinterFaultKind,
    PriorityCategory, ProblemKind, ReadSource, ServiceOption, TicketView,
)

# ---------------------------------------------------------------- states (one per screen)


@dataclass(frozen=True)
class Idle:
    last_session: int = 0          # a counter, nothing personal


@dataclass(frozen=True)
class Reading:
    session: int
    source: ReadSource
    step: str = ""                 # chip step name from the reader ("bac", "dg1", "dg13", "sod", ...)
    step_index: int = 0            # steps done so far
    step_count: int = 0            # 0: unknown / not a chip read
    card_removed: bool = False     # "the card moved away: lay it on the reader again"
    needs_qr: bool = False         # the chip needs its key: "scan the QR on the front of your card"


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


State = Union[Idle, Reading, Keypad, Confirm, CheckingEligibility, ChooseService, Issuing, Printing,
              PrinterFailed, TicketShown, Problem]
ALL_STATES: tuple[type, ...] = State.__args__  # type: ignore[attr-defined]

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class QrScanned:                   # a scanner/camera read; payload stays out of every state
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class ChipPresented:               # a card was laid on the reader
    pass


@dataclass(frozen=True)
class ChipProgress:
    step: str
    index: int
    count: int


@dataclass(frozen=True)
class ChipRemoved:
    pass


@dataclass(frozen=True)
class ChipNeedsQr:                 # the card lies on the reader but no key opens it: ask for its QR
    pass


@dataclass(frozen=True)
class ChipReadDone:
    read: Any = field(repr=False)  # drivers' ChipRead, handed to the identity resolver


@dataclass(frozen=True)
class ChipReadFailed:
    rejected: bool = False         # True: passive authentication failed (forged/cloned)
    message: Message | None = None


@dataclass(frozen=True)
class KeypadOpened:
    pass


@dataclass(frozen=True)
class KeypadKey:
    key: str                       # one character, or "BACKSPACE" / "CLEAR"


@dataclass(frozen=True)
class KeypadSubmit:
    pass


@dataclass(frozen=True)
class IdentityResolved:
    session: int
    patient: PatientView
    eligibility: EligibilityView | None = None   # a fresh cached answer, else None: check starts
    follow_up: FollowUpView | None = None


@dataclass(frozen=True)
class IdentityFailed:
    session: int
    kind: ProblemKind
    message: Message


@dataclass(frozen=True)
class ConfirmYes:
    pass


@dataclass(frozen=True)
class ConfirmNo:
    pass


@dataclass(frozen=True)
class EligibilityChecked:
    session: int
    eligibility: EligibilityView


@dataclass(frozen=True)
class PriorityToggled:
    category: PriorityCategory


@dataclass(frozen=True)
class ServiceChosen:
    service_code: str


@dataclass(frozen=True)
class TicketIssued:
    session: int
    ticket: TicketView


@dataclass(frozen=True)
class IssueFailed:
    session: int
    kind: ProblemKind              # ALREADY_ISSUED or ISSUE_FAILED
    message: Message


@dataclass(frozen=True)
class Printed:
    session: int
    attempt: int


@dataclass(frozen=True)
class PrintFailed:
    session: int
    attempt: int
    fault: PrinterFaultKind


@dataclass(frozen=True)
class Reprint:
    pass


@dataclass(frozen=True)
class ShowOnScreen:
    pass


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Cancel:                      # "Không phải tôi" / close: back to idle (never drops an issued ticket)
    pass


@dataclass(frozen=True)
class Dismiss:                     # a tap on the ticket or problem screen
    pass


@dataclass(frozen=True)
class Timeout:                     # sent by the service when the state's timeout expires
    session: int


@dataclass(frozen=True)
class Activity:                    # any touch: the service re-arms the inactivity timer
    pass


Event = Union[QrScanned, ChipPresented, ChipProgress, ChipRemoved, ChipNeedsQr, ChipReadDone, ChipReadFailed,
              KeypadOpened, KeypadKey, KeypadSubmit, IdentityResolved, IdentityFailed, ConfirmYes,
              ConfirmNo, EligibilityChecked, PriorityToggled, ServiceChosen, TicketIssued, IssueFailed,
              Printed, PrintFailed, Reprint, ShowOnScreen, Back, Cancel, Dismiss, Timeout, Activity]

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


@dataclass(frozen=True)
class MachineConfig:
    services: tuple[ServiceOption, ...]
    inactivity_s: float = 30.0
    ticket_screen_s: float = 8.0
    eligibility_deadline_s: float = 3.0
    issue_timeout_s: float = 30.0
    print_timeout_s: float = 20.0
    elderly_age: int = prio.DEFAULT_ELDERLY_AGE
    keypad_max: int = 20
from kiosk.core.machine import handle, timeout_of  # noqa: E402  (the transition rules)

__all__ = [n for n in dir() if not n.startswith("_")]
