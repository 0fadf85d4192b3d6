"""Transition rules of the check-in machine (types and the contract live in `checkin.py`)."""
from __future__ import annotations

from dataclasses import replace

from kiosk.core import messages as msg
from kiosk.core import priority as prio
from kiosk.core import checkin as c
from kiosk.core.views import (
    EligibilityView, InsuranceStatus, PrinterFaultKind, ProblemKind, ReadSource,
)

def timeout_of(state: c.State, cfg: c.MachineConfig) -> float | None:
    """Seconds the state may stay unchanged (without activity) before `Timeout`; Idle: None."""
    if isinstance(state, c.Idle):
        return None
    if isinstance(state, c.TicketShown):
        return cfg.ticket_screen_s
    if isinstance(state, c.CheckingEligibility):
        return cfg.eligibility_deadline_s + 2.0  # the service answers at the deadline; this is a net
    if isinstance(state, c.Issuing):
        return cfg.issue_timeout_s
    if isinstance(state, c.Printing):
        return cfg.print_timeout_s
    return cfg.inactivity_s


def session_of(state: c.State) -> int:
    return state.last_session if isinstance(state, c.Idle) else state.session


def handle(state: c.State, event: c.Event, cfg: c.MachineConfig) -> c.Step:
    """The next state and the effects to run. Unknown or stale events leave the state unchanged."""
    sid = getattr(event, "session", None)
    if sid is not None and (isinstance(state, c.Idle) or sid != state.session):
        return c.Step(state)                       # a result of an older session
    if isinstance(event, c.Activity):
        return c.Step(state)
    if type(event) in _START and isinstance(state, _CAN_START):
        return _start(state, event, cfg)
    rule = _RULES.get((type(state), type(event)))
    if rule is None:
        return c.Step(state)
    return rule(state, event, cfg)


# ---------------------------------------------------------------- starting a session

# States from which a new read (scan, card, keypad) starts a new session.
_CAN_START = (c.Idle, c.Keypad, c.Problem, c.TicketShown)
_START = (c.QrScanned, c.ChipPresented, c.KeypadOpened)


def _start(state: c.State, event: c.Event, cfg: c.MachineConfig) -> c.Step:
    old = session_of(state)
    new = old + 1
    ends: tuple[c.Effect, ...] = () if isinstance(state, c.Idle) else (c.EndSession(old),)
    if isinstance(event, c.QrScanned):
        return c.Step(c.Reading(new, ReadSource.QR), ends + (c.ResolveIdentity(new, ReadSource.QR, event.payload),))
    if isinstance(event, c.ChipPresented):
        return c.Step(c.Reading(new, ReadSource.CHIP), ends)
    if isinstance(state, c.Keypad):                # KeypadOpened while open: nothing to do
        return c.Step(state)
    return c.Step(c.Keypad(new), ends)


def _to_idle(state: c.State) -> c.Step:
    return c.Step(c.Idle(last_session=state.session), (c.EndSession(state.session),))


# ---------------------------------------------------------------- reading


def _chip_again(s: c.Reading, e, cfg) -> c.Step:
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    return c.Step(c.Reading(s.session, ReadSource.CHIP))


def _chip_progress(s: c.Reading, e: c.ChipProgress, cfg) -> c.Step:
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    return c.Step(c.Reading(s.session, ReadSource.CHIP, e.step, e.index, e.count))


def _chip_removed(s: c.Reading, e, cfg) -> c.Step:
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    return c.Step(replace(s, card_removed=True))


def _chip_needs_qr(s: c.Reading, e, cfg) -> c.Step:
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    return c.Step(replace(s, needs_qr=True))


def _qr_for_chip(s: c.Reading, e: c.QrScanned, cfg) -> c.Step:
    """A QR during a chip read that has not started (or asked for it with `needs_qr`): resolved in
    this session; its identity gives the chip key (the card watcher reads the card with it), so the
    machine stays on the chip read instead of confirming. After the card was taken away, a QR
    starts a plain QR check-in; during a running read it is ignored."""
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    if s.card_removed and not s.needs_qr:
        return _start(s, e, cfg)
    if not s.needs_qr and s.step:
        return c.Step(s)
    return c.Step(replace(s, needs_qr=False), (c.ResolveIdentity(s.session, ReadSource.QR, e.payload),))


def _verify_with_chip(s: c.Confirm, e, cfg) -> c.Step:
    return c.Step(c.Reading(s.session, ReadSource.CHIP))


def _chip_done(s: c.Reading, e: c.ChipReadDone, cfg) -> c.Step:
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    return c.Step(replace(s, card_removed=False), (c.ResolveIdentity(s.session, ReadSource.CHIP, e.read),))


def _chip_failed(s: c.Reading, e: c.ChipReadFailed, cfg) -> c.Step:
    if s.source is not ReadSource.CHIP:
        return c.Step(s)
    if e.rejected:
        return c.Step(c.Problem(s.session, ProblemKind.REJECTED, e.message or msg.CHIP_REJECTED, retry=False))
    return c.Step(c.Problem(s.session, ProblemKind.UNREADABLE, e.message or msg.UNREADABLE, retry=True))


def _read_timeout(s: c.Reading, e, cfg) -> c.Step:
    kind = ProblemKind.CARD_REMOVED if s.card_removed else ProblemKind.TIMEOUT
    return c.Step(c.Problem(s.session, kind, msg.CARD_REMOVED if s.card_removed else msg.READ_TIMEOUT, retry=True))


def _identity_failed(s: c.Reading, e: c.IdentityFailed, cfg) -> c.Step:
    retry = e.kind not in (ProblemKind.REJECTED, ProblemKind.CARD_NEEDS_DESK, ProblemKind.ISSUE_FAILED)
    return c.Step(c.Problem(s.session, e.kind, e.message, retry=retry))


def _identity_resolved(s: c.Reading, e: c.IdentityResolved, cfg: c.MachineConfig) -> c.Step:
    if s.source is ReadSource.CHIP and e.patient.source is not ReadSource.CHIP:
        return c.Step(s)       # the QR that keys the chip: the chip read's own resolution confirms
    effects: tuple[c.Effect, ...] = ()
    elig = e.eligibility
    if elig is None:
        elig = EligibilityView(InsuranceStatus.CHECKING, msg.CHECKING)
        effects = (c.CheckEligibility(s.session, cfg.eligibility_deadline_s),)
    elif elig.staff_alert:
        effects = (c.AlertStaff(s.session, elig.result_code or "config_fault"),)
    return c.Step(c.Confirm(s.session, e.patient, elig, e.follow_up), effects)


# ---------------------------------------------------------------- keypad


def _key(s: c.Keypad, e: c.KeypadKey, cfg: c.MachineConfig) -> c.Step:
    if e.key == "BACKSPACE":
        return c.Step(replace(s, text=s.text[:-1]))
    if e.key == "CLEAR":
        return c.Step(replace(s, text=""))
    if len(e.key) != 1 or not e.key.isalnum() or len(s.text) >= cfg.keypad_max:
        return c.Step(s)
    return c.Step(replace(s, text=s.text + e.key.upper()))


def _submit(s: c.Keypad, e, cfg) -> c.Step:
    if not s.text:
        return c.Step(s)
    return c.Step(c.Reading(s.session, ReadSource.TYPED), (c.ResolveIdentity(s.session, ReadSource.TYPED, s.text),))


# ---------------------------------------------------------------- confirmation and eligibility


def _choose(session: int, patient, elig: EligibilityView, follow_up, cfg: c.MachineConfig) -> c.Step:
    if elig.status is InsuranceStatus.NEEDS_DESK:
        return c.Step(c.Problem(session, ProblemKind.CARD_NEEDS_DESK, elig.message, retry=False))
    services = cfg.services
    if follow_up is not None:
        first = [x for x in services if x.code == follow_up.service_code]
        services = tuple(first) + tuple(x for x in services if x.code != follow_up.service_code)
    offered = prio.offered(patient, cfg.elderly_age)
    auto = prio.automatic(patient.age, cfg.elderly_age)
    return c.Step(c.ChooseService(session, patient, elig, services, offered, auto, follow_up))


def _confirm_yes(s: c.Confirm, e, cfg) -> c.Step:
    if s.eligibility.status is InsuranceStatus.CHECKING:
        return c.Step(c.CheckingEligibility(s.session, s.patient, s.follow_up))
    return _choose(s.session, s.patient, s.eligibility, s.follow_up, cfg)


def _checked_in_confirm(s: c.Confirm, e: c.EligibilityChecked, cfg) -> c.Step:
    effects = (c.AlertStaff(s.session, e.eligibility.result_code or "config_fault"),) if e.eligibility.staff_alert else ()
    return c.Step(replace(s, eligibility=e.eligibility), effects)


def _checked_in_waiting(s: c.CheckingEligibility, e: c.EligibilityChecked, cfg) -> c.Step:
    step = _choose(s.session, s.patient, e.eligibility, s.follow_up, cfg)
    if e.eligibility.staff_alert:
        step = c.Step(step.state, (c.AlertStaff(s.session, e.eligibility.result_code or "config_fault"),))
    return step


def _waiting_timeout(s: c.CheckingEligibility, e, cfg) -> c.Step:
    return _choose(s.session, s.patient, EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL),
                   s.follow_up, cfg)


# ---------------------------------------------------------------- service choice and issuing


def _toggle(s: c.ChooseService, e: c.PriorityToggled, cfg) -> c.Step:
    if e.category not in s.priorities:
        return c.Step(s)
    return c.Step(replace(s, selected_priority=None if s.selected_priority is e.category else e.category))


def _service(s: c.ChooseService, e: c.ServiceChosen, cfg) -> c.Step:
    if e.service_code not in {x.code for x in s.services}:
        return c.Step(s)
    provisional = s.eligibility.status is InsuranceStatus.PROVISIONAL
    return c.Step(c.Issuing(s.session, e.service_code, s.selected_priority),
                  (c.IssueTicket(s.session, e.service_code, s.selected_priority, provisional),))


def _back_to_confirm(s: c.ChooseService, e, cfg) -> c.Step:
    return c.Step(c.Confirm(s.session, s.patient, s.eligibility, s.follow_up))


def _issued(s: c.Issuing, e: c.TicketIssued, cfg) -> c.Step:
    return c.Step(c.Printing(s.session, e.ticket, 1), (c.PrintTicket(s.session, e.ticket.ticket_id, 1),))


def _issue_failed(s: c.Issuing, e: c.IssueFailed, cfg) -> c.Step:
    return c.Step(c.Problem(s.session, e.kind, e.message, retry=False))


def _issue_timeout(s: c.Issuing, e, cfg) -> c.Step:
    return c.Step(c.Problem(s.session, ProblemKind.ISSUE_FAILED, msg.ISSUE_TIMEOUT, retry=False))


# ---------------------------------------------------------------- printing


def _printed(s: c.Printing, e: c.Printed, cfg) -> c.Step:
    if e.attempt != s.attempt:
        return c.Step(s)
    return c.Step(c.TicketShown(s.session, s.ticket, printed=True))


def _print_failed(s: c.Printing, e: c.PrintFailed, cfg) -> c.Step:
    if e.attempt != s.attempt:
        return c.Step(s)
    return c.Step(c.PrinterFailed(s.session, s.ticket, e.fault, s.attempt))


def _print_timeout(s: c.Printing, e, cfg) -> c.Step:
    return c.Step(c.PrinterFailed(s.session, s.ticket, PrinterFaultKind.TIMEOUT, s.attempt))


def _reprint(s: c.PrinterFailed, e, cfg) -> c.Step:
    n = s.attempt + 1
    return c.Step(c.Printing(s.session, s.ticket, n), (c.PrintTicket(s.session, s.ticket.ticket_id, n),))


def _show(s: c.PrinterFailed, e, cfg) -> c.Step:
    # Never leave an issued ticket unseen: cancel and timeout also show it on screen.
    return c.Step(c.TicketShown(s.session, s.ticket, printed=False), (c.MarkShown(s.session, s.ticket.ticket_id),))


def _idle(s, e, cfg) -> c.Step:
    return _to_idle(s)


_RULES = {
    (c.Reading, c.ChipPresented): _chip_again,
    (c.Reading, c.ChipProgress): _chip_progress,
    (c.Reading, c.ChipRemoved): _chip_removed,
    (c.Reading, c.ChipNeedsQr): _chip_needs_qr,
    (c.Reading, c.QrScanned): _qr_for_chip,
    (c.Confirm, c.ChipPresented): _verify_with_chip,
    (c.Reading, c.ChipReadDone): _chip_done,
    (c.Reading, c.ChipReadFailed): _chip_failed,
    (c.Reading, c.IdentityResolved): _identity_resolved,
    (c.Reading, c.IdentityFailed): _identity_failed,
    (c.Reading, c.Timeout): _read_timeout,
    (c.Reading, c.Cancel): _idle,
    (c.Keypad, c.KeypadKey): _key,
    (c.Keypad, c.KeypadSubmit): _submit,
    (c.Keypad, c.Back): _idle,
    (c.Keypad, c.Cancel): _idle,
    (c.Keypad, c.Timeout): _idle,
    (c.Confirm, c.ConfirmYes): _confirm_yes,
    (c.Confirm, c.ConfirmNo): _idle,
    (c.Confirm, c.Cancel): _idle,
    (c.Confirm, c.Back): _idle,
    (c.Confirm, c.EligibilityChecked): _checked_in_confirm,
    (c.Confirm, c.Timeout): _idle,
    (c.CheckingEligibility, c.EligibilityChecked): _checked_in_waiting,
    (c.CheckingEligibility, c.Timeout): _waiting_timeout,
    (c.CheckingEligibility, c.Cancel): _idle,
    (c.ChooseService, c.PriorityToggled): _toggle,
    (c.ChooseService, c.ServiceChosen): _service,
    (c.ChooseService, c.Back): _back_to_confirm,
    (c.ChooseService, c.Cancel): _idle,
    (c.ChooseService, c.Timeout): _idle,
    (c.Issuing, c.TicketIssued): _issued,
    (c.Issuing, c.IssueFailed): _issue_failed,
    (c.Issuing, c.Timeout): _issue_timeout,
    (c.Printing, c.Printed): _printed,
    (c.Printing, c.PrintFailed): _print_failed,
    (c.Printing, c.Timeout): _print_timeout,
    (c.PrinterFailed, c.Reprint): _reprint,
    (c.PrinterFailed, c.ShowOnScreen): _show,
    (c.PrinterFailed, c.Cancel): _show,
    (c.PrinterFailed, c.Dismiss): _show,
    (c.PrinterFailed, c.Timeout): _show,
    (c.TicketShown, c.Dismiss): _idle,
    (c.TicketShown, c.Cancel): _idle,
    (c.TicketShown, c.Timeout): _idle,
    (c.Problem, c.Dismiss): _idle,
    (c.Problem, c.Cancel): _idle,
    (c.Problem, c.Timeout): _idle,
}
