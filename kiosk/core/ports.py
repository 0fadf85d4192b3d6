"""What the check-in service needs from the rest of the system, as small Protocols.

Adapters in the wings (`kiosk.checkin`, `kiosk.desk`, `kiosk.devices`) bind these to the identity parsers, the store, the gateway client
and the printer drivers; tests bind them to fakes. Results are dataclasses, failures typed
exceptions whose messages carry no personal data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from kiosk.core.clock import Clock  # noqa: F401  (re-exported: the clock port)
from kiosk.core.views import (
    EligibilityView, FollowUpView, Message, PatientView, PrinterFaultKind, PriorityCategory,
    ProblemKind, ReadSource, TicketView,
)

if TYPE_CHECKING:                  # annotation only: core never imports the identity stack at run time,
    # and the state machine loads after the first paint (cold start)
    from kiosk.core.checkin.effects import ReadPayload
    from kiosk.core.checkin.events import Event
    from kiosk.identity.model import Identity


# ---------------------------------------------------------------- identity


@dataclass(frozen=True)
class Resolution:
    """A read turned into a person: the masked view for the screen, the rest private."""
    view: PatientView
    identity: Any = field(repr=False)             # kiosk.identity Identity (never logged, never in a state)
    patient_id: int | None = None                 # known patient in the local cache
    cached_eligibility: EligibilityView | None = None  # a fresh cached answer, if any
    cached_check_id: int | None = None            # its eligibility_checks row
    follow_up: FollowUpView | None = None


class IdentityProblem(Exception):
    """A read that cannot become an identity; `kind`/`message` are what the patient sees."""

    def __init__(self, kind: ProblemKind, message: Message):
        super().__init__(kind.value)
        self.kind = kind
        self.message = message


class IdentityResolver(Protocol):
    def resolve(self, source: ReadSource, read: ReadPayload) -> Resolution:
        """Parse the read, look the person up in the local cache. Raises IdentityProblem."""


# ---------------------------------------------------------------- chip card


class ChipReader(Protocol):
    def read_chip(self, identity: Identity, report: Callable[[Event], None]) -> None:
        """Read the card on the reader with keys derived from `identity` (the session's); report
        ChipProgress…, then exactly one of ChipReadDone(identity merged with the chip's, passive
        authentication done), ChipReadFailed or ChipRemoved. Blocks until done (the service's chip
        lane); no card on the reader: reports nothing (laying one posts ChipPresented)."""


# ---------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class CheckOutcome:
    """The patient's view of a card check and, privately, the gateway's full answer."""
    view: EligibilityView
    result: Any = field(default=None, repr=False)   # kiosk.gateway CardCheckResult, None when no answer


class EligibilityChecker(Protocol):
    def check(self, resolution: Resolution, deadline_s: float) -> CheckOutcome:
        """The card check, answered within `deadline_s` (provisional when it cannot be).

        Implementations should honour the deadline themselves; the service also stops waiting
        at the deadline and answers provisional.
        """


# ---------------------------------------------------------------- issuing


@dataclass(frozen=True)
class IssueRequest:
    resolution: Resolution = field(repr=False)
    service_code: str
    priority: PriorityCategory | None
    provisional: bool
    eligibility: EligibilityView | None = None
    eligibility_result: Any = field(default=None, repr=False)   # CardCheckResult when the gateway answered
    id_method: str | None = None     # a kiosk.core.idmethods code; None: derived from the identity


class AlreadyIssued(Exception):
    """The patient already holds an active ticket for this service today."""

    def __init__(self, number: str | None = None):
        super().__init__("an active ticket exists for this patient, service and day")
        self.number = number


class IssueError(Exception):
    """The issuing transaction failed (database, disk, signing); nothing was written."""


class TicketIssuer(Protocol):
    def issue(self, request: IssueRequest) -> TicketView:
        """ONE transaction: visit (new MA_LK), ticket number, signed XML0 in the outbox, audit.
        Raises AlreadyIssued or IssueError."""

    def mark_printed(self, ticket_id: int) -> None: ...

    def mark_print_failed(self, ticket_id: int, fault: PrinterFaultKind) -> None: ...

    def mark_shown(self, ticket_id: int) -> None: ...


class IssuerDecorator:
    """A TicketIssuer wrapped around another one (`inner`): every call is handed through.

    Subclasses override what they add to (the disk gate refuses before `issue`, the sync wake-up
    follows it) and inherit the rest, so a new TicketIssuer method is delegated in one place.
    """

    def __init__(self, inner: TicketIssuer):
        self.inner = inner

    def issue(self, request: IssueRequest) -> TicketView:
        return self.inner.issue(request)

    def mark_printed(self, ticket_id: int) -> None:
        self.inner.mark_printed(ticket_id)

    def mark_print_failed(self, ticket_id: int, fault: PrinterFaultKind) -> None:
        self.inner.mark_print_failed(ticket_id, fault)

    def mark_shown(self, ticket_id: int) -> None:
        self.inner.mark_shown(ticket_id)


# ---------------------------------------------------------------- printer


class PrinterFault(Exception):
    """The printer could not print; `kind` picks the patient message and the desk alert."""

    def __init__(self, kind: PrinterFaultKind, detail: str = ""):
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail


class TicketPrinter(Protocol):
    def print_ticket(self, ticket: TicketView, facility_name: str = "") -> None:
        """Print and return, or raise PrinterFault (status read before and after)."""


# ---------------------------------------------------------------- alerts


class StaffAlerter(Protocol):
    def alert(self, reason: str) -> None:
        """Tell staff/technicians (desk banner, log at WARNING): e.g. a gateway configuration fault."""
