"""Events of the check-in machine: what the patient, the devices and the effects' results say."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from kiosk.core.views import EligibilityView, FollowUpView, Message, PatientView, PriorityCategory, PrinterFaultKind, ProblemKind, TicketView

if TYPE_CHECKING:                  # annotation only: core never imports the identity stack at run time
    from kiosk.identity.model import Identity

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class QrScanned:                   # a scanner/camera read; payload stays out of every state
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class ScanUnreadable:              # a keyboard-wedge burst that could not be assembled (reason logged)
    pass


@dataclass(frozen=True)
class StaffPause:                  # a staff window opened (True) / closed (False) over the patient UI
    paused: bool


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
class ChipNeedsQr:                 # the session has no identity to key the card on the reader: ask for its QR
    pass


@dataclass(frozen=True)
class ChipReadDone:               # answers ReadChip: the chip's identity (passive authentication passed or
    identity: Identity = field(repr=False)  # unchecked), merged with the session's; handed to the resolver


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
    language: str = "vi"           # the screen's language: the paper ticket is printed in it


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


Event = Union[QrScanned, ScanUnreadable, StaffPause, ChipPresented, ChipProgress, ChipRemoved, ChipNeedsQr, ChipReadDone, ChipReadFailed,
              KeypadOpened, KeypadKey, KeypadSubmit, IdentityResolved, IdentityFailed, ConfirmYes,
              ConfirmNo, EligibilityChecked, PriorityToggled, ServiceChosen, TicketIssued, IssueFailed,
              Printed, PrintFailed, Reprint, ShowOnScreen, Back, Cancel, Dismiss, Timeout, Activity]
