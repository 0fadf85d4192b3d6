"""The patient's check-in state machine: pure `handle(state, event, config) -> Step`. No Qt, no I/O.

The package: `states` (one per screen), `events`, `effects` (with `Step`), and `machine` (the rules,
`MachineConfig`, `handle`, `timeout_of`, `session_of`). Import the names from here (`from kiosk.core
import checkin as c`) or from the module that defines them; the modules import each other, never this
`__init__`.

Contract for the UI: render `Step.state` (one dataclass per screen), send events; never decide
anything itself. The check-in service (`kiosk.checkin.service.CheckinService`) executes the effects
on worker threads and feeds their results back as events carrying the `session` they belong to;
results of an older session are ignored. States hold only masked views (`kiosk.core.views`).

    Idle ──QrScanned/ChipPresented/KeypadOpened──▶ Reading | Keypad
    Reading ──IdentityResolved──▶ Confirm ──ConfirmYes──▶ (CheckingEligibility) ──▶ ChooseService
    Reading(chip) ──ChipNeedsQr──▶ Reading(needs_qr) ──QrScanned──▶ Reading(chip, key from the QR)
    Confirm ──ChipPresented──▶ Reading(chip), same session (the chip verifies the scanned identity)
    a card laid in a chip read, or the QR that keys it, emits ReadChip: the card reader answers
    ChipProgress… ChipReadDone(identity) | ChipReadFailed | ChipRemoved (no key yet: ChipNeedsQr)
    ChooseService ──ServiceChosen──▶ Issuing ──TicketIssued──▶ Printing ──Printed──▶ TicketShown
    Printing ──PrintFailed──▶ PrinterFailed ──Reprint──▶ Printing | ──ShowOnScreen──▶ TicketShown
    any failure ──▶ Problem (retry / desk) ; every state but Idle has a timeout ; TicketShown ──▶ Idle
"""
from __future__ import annotations

from kiosk.core.checkin.states import *  # noqa: F401,F403
from kiosk.core.checkin.events import *  # noqa: F401,F403
from kiosk.core.checkin.effects import *  # noqa: F401,F403
from kiosk.core.checkin.machine import MachineConfig, handle, session_of, timeout_of  # noqa: F401
from kiosk.core.checkin.states import ALL_STATES, State  # noqa: F401
from kiosk.core.checkin.events import Event  # noqa: F401
from kiosk.core.checkin.effects import Effect, Step  # noqa: F401

__all__ = [n for n in dir() if not n.startswith("_")]
