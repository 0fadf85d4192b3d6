"""Transition rules of the check-in machine: pure `handle(state, event, config) -> Step`.

The contract (the state diagram) is in the package docstring (`kiosk.core.checkin`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from kiosk.core import messages as msg
from kiosk.core import priority as prio
from kiosk.core.checkin.effects import (
    AlertStaff, CheckEligibility, Effect, EndSession, IssueTicket, MarkShown, PrintTicket, ReadChip, ResolveIdentity,
    Step,
)
from kiosk.core.checkin.events import (
    Activity, Back, Cancel, ChipNeedsQr, ChipPresented, ChipProgress, ChipReadDone, ChipReadFailed, ChipRemoved, ConfirmNo, ConfirmYes, Dismiss, EligibilityChecked, Event, IdentityFailed, IdentityResolved, IssueFailed, KeypadKey, KeypadOpened, KeypadSubmit, PrintFailed, Printed, PriorityToggled, QrScanned, Reprint, ScanUnreadable, StaffPause, ServiceChosen, ShowOnScreen, TicketIssued, Timeout,
)
from kiosk.core.checkin.states import (
    CheckingEligibility, ChooseService, Confirm, Idle, Issuing, Keypad, PrinterFailed, Printing, Problem, Reading, State, TicketShown,
)
from kiosk.core.views import (
    EligibilityView, InsuranceStatus, PrinterFaultKind, ProblemKind, ReadSource, ServiceOption,
)


@dataclass(frozen=True)
class MachineConfig:
    services: tuple[ServiceOption, ...]
    inactivity_s: float = 30.0
    ticket_screen_s: float = 8.0
    unprinted_ticket_s: float = 180.0   # a ticket only on screen stays until "I have noted it"
    eligibility_deadline_s: float = 3.0
    issue_timeout_s: float = 30.0
    print_timeout_s: float = 20.0
    elderly_age: int = prio.DEFAULT_ELDERLY_AGE
    keypad_max: int = 20


def timeout_of(state: State, cfg: MachineConfig) -> float | None:
    """Seconds the state may stay unchanged (without activity) before `Timeout`; Idle: None."""
    if isinstance(state, Idle):
        return None
    if isinstance(state, TicketShown):
        # not printed: the patient needs time to write the number down (issue 14 M2)
        return cfg.ticket_screen_s if state.printed else max(cfg.unprinted_ticket_s, cfg.ticket_screen_s)
    if isinstance(state, CheckingEligibility):
        return cfg.eligibility_deadline_s + 2.0  # the service answers at the deadline; this is a net
    if isinstance(state, Issuing):
        return cfg.issue_timeout_s
    if isinstance(state, Printing):
        return cfg.print_timeout_s
    return cfg.inactivity_s


def session_of(state: State) -> int:
    return state.last_session if isinstance(state, Idle) else state.session


def handle(state: State, event: Event, cfg: MachineConfig) -> Step:
    """The next state and the effects to run. Unknown or stale events leave the state unchanged."""
    sid = getattr(event, "session", None)
    if sid is not None and (isinstance(state, Idle) or sid != state.session):
        return Step(state)                       # a result of an older session
    if isinstance(event, Activity):
        return Step(state)
    if isinstance(event, StaffPause):
        return _staff_pause(state, event)
    if isinstance(state, Idle) and state.paused:
        return Step(state)                       # nothing starts behind a staff window
    if type(event) in _START and isinstance(state, _CAN_START):
        return _start(state, event, cfg)
    rule = _RULES.get((type(state), type(event)))
    if rule is None:
        return Step(state)
    return rule(state, event, cfg)


# ---------------------------------------------------------------- starting a session

# States from which a new read (scan, card, keypad) starts a new session.
_CAN_START = (Idle, Keypad, Problem, TicketShown)
_START = (QrScanned, ChipPresented, KeypadOpened, ScanUnreadable)


def _start(state: State, event: Event, cfg: MachineConfig) -> Step:
    old = session_of(state)
    new = old + 1
    ends: tuple[Effect, ...] = () if isinstance(state, Idle) else (EndSession(old),)
    if isinstance(event, QrScanned):
        return Step(Reading(new, ReadSource.QR), ends + (ResolveIdentity(new, ReadSource.QR, event.payload),))
    if isinstance(event, ChipPresented):
        return Step(Reading(new, ReadSource.CHIP), ends + (ReadChip(new),))
    if isinstance(event, ScanUnreadable):
        return Step(Problem(new, ProblemKind.UNREADABLE, msg.SCAN_INCOMPLETE, retry=True), ends)
    if isinstance(state, Keypad):                # KeypadOpened while open: nothing to do
        return Step(state)
    return Step(Keypad(new), ends)


# States a staff window may end: nothing was issued yet (or the ticket was already seen).
_PAUSABLE = (Idle, Reading, Keypad, Confirm, CheckingEligibility, ChooseService, Problem, TicketShown)


def _staff_pause(state: State, event: StaffPause) -> Step:
    """A staff window covers the patient UI: the session ends (no personal data stays around it) and
    no check-in starts until it closes. A ticket being issued or printed is never dropped: its
    screen stays underneath and the pause takes effect on the next idle."""
    if not isinstance(state, _PAUSABLE):
        return Step(state)
    sid = session_of(state)
    ends: tuple[Effect, ...] = () if isinstance(state, Idle) else (EndSession(sid),)
    return Step(Idle(last_session=sid, paused=event.paused), ends)


def _to_idle(state: State) -> Step:
    sid = session_of(state)
    return Step(Idle(last_session=sid), (EndSession(sid),))


# ---------------------------------------------------------------- reading


def _chip_again(s: Reading, e, cfg) -> Step:
    """The card laid (again) during this chip read: read it, keyed by the session's identity."""
    if s.source is not ReadSource.CHIP:
        return Step(s)
    return Step(Reading(s.session, ReadSource.CHIP), (ReadChip(s.session),))


def _chip_progress(s: Reading, e: ChipProgress, cfg) -> Step:
    if s.source is not ReadSource.CHIP:
        return Step(s)
    return Step(Reading(s.session, ReadSource.CHIP, e.step, e.index, e.count))


def _chip_removed(s: Reading, e, cfg) -> Step:
    if s.source is not ReadSource.CHIP:
        return Step(s)
    return Step(replace(s, card_removed=True))


def _chip_needs_qr(s: Reading, e, cfg) -> Step:
    if s.source is not ReadSource.CHIP:
        return Step(s)
    return Step(replace(s, needs_qr=True))


def _qr_for_chip(s: Reading, e: QrScanned, cfg) -> Step:
    """A QR during a chip read that has not started (or asked for it with `needs_qr`): resolved in
    this session; its identity gives the chip key (the card watcher reads the card with it), so the
    machine stays on the chip read instead of confirming. After the card was taken away, a QR
    starts a plain QR check-in; during a running read it is ignored."""
    if s.source is not ReadSource.CHIP:
        return Step(s)
    if s.card_removed and not s.needs_qr:
        return _start(s, e, cfg)
    if not s.needs_qr and s.step:
        return Step(s)
    return Step(replace(s, needs_qr=False), (ResolveIdentity(s.session, ReadSource.QR, e.payload),))


def _verify_with_chip(s: Confirm, e, cfg) -> Step:
    return Step(Reading(s.session, ReadSource.CHIP), (ReadChip(s.session),))


def _chip_done(s: Reading, e: ChipReadDone, cfg) -> Step:
    if s.source is not ReadSource.CHIP:
        return Step(s)
    return Step(replace(s, card_removed=False), (ResolveIdentity(s.session, ReadSource.CHIP, e.identity),))


def _chip_failed(s: Reading, e: ChipReadFailed, cfg) -> Step:
    if s.source is not ReadSource.CHIP:
        return Step(s)
    if e.rejected:
        return Step(Problem(s.session, ProblemKind.REJECTED, e.message or msg.CHIP_REJECTED, retry=False))
    return Step(Problem(s.session, ProblemKind.UNREADABLE, e.message or msg.UNREADABLE, retry=True))


def _read_timeout(s: Reading, e, cfg) -> Step:
    kind = ProblemKind.CARD_REMOVED if s.card_removed else ProblemKind.TIMEOUT
    return Step(Problem(s.session, kind, msg.CARD_REMOVED if s.card_removed else msg.READ_TIMEOUT, retry=True))


def _identity_failed(s: Reading, e: IdentityFailed, cfg) -> Step:
    retry = e.kind not in (ProblemKind.REJECTED, ProblemKind.CARD_NEEDS_DESK, ProblemKind.ISSUE_FAILED)
    return Step(Problem(s.session, e.kind, e.message, retry=retry, typed=s.typed if retry else ""))


def _problem_dismissed(s: Problem, e, cfg) -> Step:
    """"Try again" after a typed number: the keypad again, the number still there (issue 14 M7)."""
    if s.retry and s.typed:
        return Step(Keypad(s.session + 1, s.typed), (EndSession(s.session),))
    return _to_idle(s)


def _identity_resolved(s: Reading, e: IdentityResolved, cfg: MachineConfig) -> Step:
    if s.source is ReadSource.CHIP and e.patient.source is not ReadSource.CHIP:
        # the QR that keys the chip: now the card can be read; the chip read's resolution confirms
        return Step(s, (ReadChip(s.session),))
    effects: tuple[Effect, ...] = ()
    elig = e.eligibility
    if elig is None:
        elig = EligibilityView(InsuranceStatus.CHECKING, msg.CHECKING)
        effects = (CheckEligibility(s.session, cfg.eligibility_deadline_s),)
    elif elig.staff_alert:
        effects = (AlertStaff(s.session, elig.result_code or "config_fault"),)
    return Step(Confirm(s.session, e.patient, elig, e.follow_up), effects)


# ---------------------------------------------------------------- keypad


def _key(s: Keypad, e: KeypadKey, cfg: MachineConfig) -> Step:
    if e.key == "BACKSPACE":
        return Step(replace(s, text=s.text[:-1]))
    if e.key == "CLEAR":
        return Step(replace(s, text=""))
    if len(e.key) != 1 or not e.key.isalnum() or len(s.text) >= cfg.keypad_max:
        return Step(s)
    return Step(replace(s, text=s.text + e.key.upper()))


def _submit(s: Keypad, e, cfg) -> Step:
    if not s.text:
        return Step(s)
    return Step(Reading(s.session, ReadSource.TYPED, typed=s.text),
                (ResolveIdentity(s.session, ReadSource.TYPED, s.text),))


# ---------------------------------------------------------------- confirmation and eligibility


def _choose(session: int, patient, elig: EligibilityView, follow_up, cfg: MachineConfig) -> Step:
    """Every patient gets somewhere: a card the desk must look at (expired, 050, wrong name...) or no
    card at all still leads to a service and a ticket; the visit is flagged for the desk with the
    gateway's answer (`StoreTicketIssuer`), so reception never retypes anything."""
    services = cfg.services
    if follow_up is not None:
        first = [x for x in services if x.code == follow_up.service_code]
        services = tuple(first) + tuple(x for x in services if x.code != follow_up.service_code)
    offered = prio.offered(patient, cfg.elderly_age)
    auto = prio.automatic(patient.age, cfg.elderly_age)
    return Step(ChooseService(session, patient, elig, services, offered, auto, follow_up, automatic=auto is not None))


def _confirm_yes(s: Confirm, e, cfg) -> Step:
    if s.eligibility.status is InsuranceStatus.CHECKING:
        return Step(CheckingEligibility(s.session, s.patient, s.follow_up))
    return _choose(s.session, s.patient, s.eligibility, s.follow_up, cfg)


def _checked_in_confirm(s: Confirm, e: EligibilityChecked, cfg) -> Step:
    effects = (AlertStaff(s.session, e.eligibility.result_code or "config_fault"),) if e.eligibility.staff_alert else ()
    return Step(replace(s, eligibility=e.eligibility), effects)


def _checked_in_waiting(s: CheckingEligibility, e: EligibilityChecked, cfg) -> Step:
    step = _choose(s.session, s.patient, e.eligibility, s.follow_up, cfg)
    if e.eligibility.staff_alert:
        step = Step(step.state, (AlertStaff(s.session, e.eligibility.result_code or "config_fault"),))
    return step


def _waiting_timeout(s: CheckingEligibility, e, cfg) -> Step:
    return _choose(s.session, s.patient, EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL),
                   s.follow_up, cfg)


# ---------------------------------------------------------------- service choice and issuing


def _toggle(s: ChooseService, e: PriorityToggled, cfg) -> Step:
    if e.category not in s.priorities or s.automatic:
        return Step(s)          # an automatic priority (age) is the law's: the patient cannot drop it
    return Step(replace(s, selected_priority=None if s.selected_priority is e.category else e.category))


def _service(s: ChooseService, e: ServiceChosen, cfg) -> Step:
    if e.service_code not in {x.code for x in s.services}:
        return Step(s)
    provisional = s.eligibility.status is InsuranceStatus.PROVISIONAL
    return Step(Issuing(s.session, e.service_code, s.selected_priority),
                  (IssueTicket(s.session, e.service_code, s.selected_priority, provisional, e.language),))


def _back_to_confirm(s: ChooseService, e, cfg) -> Step:
    return Step(Confirm(s.session, s.patient, s.eligibility, s.follow_up))


def _issued(s: Issuing, e: TicketIssued, cfg) -> Step:
    return Step(Printing(s.session, e.ticket, 1), (PrintTicket(s.session, e.ticket.ticket_id, 1),))


def _issue_failed(s: Issuing, e: IssueFailed, cfg) -> Step:
    return Step(Problem(s.session, e.kind, e.message, retry=False))


def _issue_timeout(s: Issuing, e, cfg) -> Step:
    return Step(Problem(s.session, ProblemKind.ISSUE_FAILED, msg.ISSUE_TIMEOUT, retry=False))


# ---------------------------------------------------------------- printing


def _printed(s: Printing, e: Printed, cfg) -> Step:
    if e.attempt != s.attempt:
        return Step(s)
    return Step(TicketShown(s.session, s.ticket, printed=True))


def _print_failed(s: Printing, e: PrintFailed, cfg) -> Step:
    if e.attempt != s.attempt:
        return Step(s)
    # staff are told at once (paper out, cover open...), not when someone looks at the printer
    return Step(PrinterFailed(s.session, s.ticket, e.fault, s.attempt),
                (AlertStaff(s.session, f"printer_{e.fault.value}"),))


def _print_timeout(s: Printing, e, cfg) -> Step:
    return Step(PrinterFailed(s.session, s.ticket, PrinterFaultKind.TIMEOUT, s.attempt),
                (AlertStaff(s.session, "printer_timeout"),))


def _reprint(s: PrinterFailed, e, cfg) -> Step:
    n = s.attempt + 1
    return Step(Printing(s.session, s.ticket, n), (PrintTicket(s.session, s.ticket.ticket_id, n),))


def _show(s: PrinterFailed, e, cfg) -> Step:
    # Never leave an issued ticket unseen: cancel and timeout also show it on screen.
    return Step(TicketShown(s.session, s.ticket, printed=False), (MarkShown(s.session, s.ticket.ticket_id),))


def _not_me(s: Confirm, e, cfg) -> Step:
    """"Không phải tôi": what to do next, not a silent return to idle (the details are dropped)."""
    return Step(Problem(s.session + 1, ProblemKind.NOT_ME, msg.NOT_ME, retry=True), (EndSession(s.session),))


def _idle(s, e, cfg) -> Step:
    return _to_idle(s)


_RULES: dict[tuple[type, type], Callable[[Any, Any, MachineConfig], Step]] = {
    (Reading, ChipPresented): _chip_again,
    (Reading, ChipProgress): _chip_progress,
    (Reading, ChipRemoved): _chip_removed,
    (Reading, ChipNeedsQr): _chip_needs_qr,
    (Reading, QrScanned): _qr_for_chip,
    (Confirm, ChipPresented): _verify_with_chip,
    (Reading, ChipReadDone): _chip_done,
    (Reading, ChipReadFailed): _chip_failed,
    (Reading, IdentityResolved): _identity_resolved,
    (Reading, IdentityFailed): _identity_failed,
    (Reading, Timeout): _read_timeout,
    (Reading, Cancel): _idle,
    (Keypad, KeypadKey): _key,
    (Keypad, KeypadSubmit): _submit,
    (Keypad, Back): _idle,
    (Keypad, Cancel): _idle,
    (Keypad, Timeout): _idle,
    (Confirm, ConfirmYes): _confirm_yes,
    (Confirm, ConfirmNo): _not_me,
    (Confirm, Cancel): _idle,
    (Confirm, Back): _idle,
    (Confirm, EligibilityChecked): _checked_in_confirm,
    (Confirm, Timeout): _idle,
    (CheckingEligibility, EligibilityChecked): _checked_in_waiting,
    (CheckingEligibility, Timeout): _waiting_timeout,
    (CheckingEligibility, Cancel): _idle,
    (ChooseService, PriorityToggled): _toggle,
    (ChooseService, ServiceChosen): _service,
    (ChooseService, Back): _back_to_confirm,
    (ChooseService, Cancel): _idle,
    (ChooseService, Timeout): _idle,
    (Issuing, TicketIssued): _issued,
    (Issuing, IssueFailed): _issue_failed,
    (Issuing, Timeout): _issue_timeout,
    (Printing, Printed): _printed,
    (Printing, PrintFailed): _print_failed,
    (Printing, Timeout): _print_timeout,
    (PrinterFailed, Reprint): _reprint,
    (PrinterFailed, ShowOnScreen): _show,
    (PrinterFailed, Cancel): _show,
    (PrinterFailed, Dismiss): _show,
    (PrinterFailed, Timeout): _show,
    (TicketShown, Dismiss): _idle,
    (TicketShown, Cancel): _idle,
    (TicketShown, Timeout): _idle,
    (Problem, Dismiss): _problem_dismissed,
    (Problem, Cancel): _idle,
    (Problem, Timeout): _idle,
}
