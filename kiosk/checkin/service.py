"""The check-in service: runs the pure machine, executes its effects on worker threads, and feeds
the results back as events. The UI calls `post(event)` and listens for state changes.

Threading: `post` may be called from any thread; transitions are serialised by one lock and
listeners are called (in order) with that lock held, so they must only hand the state on (the UI
emits a queued Qt signal). The printer and the chip card reader each get their own single worker
(one thread per device stack); the chip reader is a port (`attach_chip`), answering `ReadChip`.
Timeouts: `poll()` fires `Timeout` when the current state's time is up; `start()` runs a small
ticker thread that polls, or the UI may call `poll()` from a timer.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Callable

from kiosk.core import checkin as c
from kiosk.core import messages as msg
from kiosk.core.clock import Clock
from kiosk.core.checkin.machine import handle, session_of, timeout_of
from kiosk.core.ports import (
    AlreadyIssued, CheckOutcome, ChipReader, EligibilityChecker, IdentityProblem, IdentityResolver, IssueRequest,
    PrinterFault, Resolution, StaffAlerter, TicketIssuer, TicketPrinter,
)
from kiosk.core.views import (
    EligibilityView, InsuranceStatus, PrinterFaultKind, ProblemKind, TicketView,
)

log = logging.getLogger(__name__)

Listener = Callable[[c.State], None]



@dataclass
class _Session:
    """Everything personal of one check-in; dropped on EndSession."""
    resolution: Resolution | None = None
    eligibility: EligibilityView | None = None
    result: Any = None                    # the gateway's full card-check answer
    ticket: TicketView | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class CheckinService:
    def __init__(self, config: c.MachineConfig, *, resolver: IdentityResolver,
                 checker: EligibilityChecker, issuer: TicketIssuer, printer: TicketPrinter,
                 clock: Clock, alerter: StaffAlerter | None = None, facility_name: str = "",
                 workers: int = 4, runner: Callable[[str, Callable, tuple], None] | None = None):
        """`runner(lane, fn, args)`, if given, replaces the thread pools (tests run effects inline
        or queue them to complete in any order); lane is "work", "db", "printer" or "chip"."""
        self.config = config
        self._resolver, self._checker, self._issuer = resolver, checker, issuer
        self._printer, self._clock, self._alerter = printer, clock, alerter
        self._facility_name = facility_name
        self._lock = threading.RLock()
        self._state: c.State = c.Idle()
        self._deadline: float | None = None
        self._sessions: dict[int, _Session] = {}
        self._listeners: list[Listener] = []
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="checkin")
        self._print_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")
        # the store's connection is used by this one thread only (resolve, issue, ticket marks)
        self._db_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkin-db")
        self._chip_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chip")
        self._chip: ChipReader | None = None
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._runner = runner

    # ------------------------------------------------------------ public

    @property
    def state(self) -> c.State:
        return self._state

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def attach_chip(self, reader: ChipReader) -> None:
        """The card reader that answers `ReadChip` (without one, chip effects are dropped)."""
        self._chip = reader

    def open_sessions(self) -> int:
        """How many sessions still hold personal data (0 whenever the machine is idle)."""
        with self._lock:
            return len(self._sessions)

    def current_identity(self) -> Any:
        """The resolved identity of the live session (what `ReadChip` keys the card with), or None.
        Private data: hand it to the identity stack only, never to a screen or a log."""
        with self._lock:
            if isinstance(self._state, c.Idle):
                return None
            s = self._sessions.get(session_of(self._state))
            return None if s is None or s.resolution is None else s.resolution.identity

    def post(self, event: c.Event) -> c.State:
        """Handle one event; returns the state after it."""
        with self._lock:
            before = self._state
            step = handle(before, event, self.config)
            self._state = step.state
            if step.state is not before or not hasattr(event, "session"):
                self._arm()              # a new state, or a touch: inactivity starts again
            if isinstance(step.state, c.Idle):
                self._sessions.clear()   # belt and braces: nothing personal outlives a session
            elif session_of(step.state) not in self._sessions:
                self._sessions[session_of(step.state)] = _Session()
            self._record(step.state, event)
            if step.state is not before:
                for listener in self._listeners:
                    listener(step.state)
            for effect in step.effects:
                self._run(effect)
            return self._state

    def poll(self) -> None:
        """Fire `Timeout` if the current state's time is up."""
        with self._lock:
            if self._deadline is None or self._clock.monotonic() < self._deadline:
                return
            sid = session_of(self._state)
            self._deadline = None
        self.post(c.Timeout(sid))

    def seconds_left(self) -> float | None:
        with self._lock:
            return None if self._deadline is None else max(0.0, self._deadline - self._clock.monotonic())

    def start(self, tick_s: float = 0.1) -> None:
        if self._ticker is None:
            self._stop.clear()
            self._ticker = threading.Thread(target=self._tick, args=(tick_s,), name="checkin-timer", daemon=True)
            self._ticker.start()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
            self._ticker = None
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._print_pool.shutdown(wait=True, cancel_futures=True)
        self._chip_pool.shutdown(wait=True, cancel_futures=True)
        self._db_pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._sessions.clear()

    # ------------------------------------------------------------ internals

    def _tick(self, tick_s: float) -> None:
        while not self._stop.wait(tick_s):
            try:
                self.poll()
            except Exception:  # pragma: no cover - never let the timer die
                log.exception("check-in timer")

    def _arm(self) -> None:
        t = timeout_of(self._state, self.config)
        self._deadline = None if t is None else self._clock.monotonic() + t

    def _record(self, state: c.State, event: c.Event) -> None:
        s = self._sessions.get(session_of(state)) if not isinstance(state, c.Idle) else None
        if s is None:
            return
        if isinstance(event, c.EligibilityChecked):
            s.eligibility = event.eligibility
        elif isinstance(event, c.IdentityResolved) and event.eligibility is not None:
            s.eligibility = event.eligibility
        elif isinstance(event, c.TicketIssued):
            s.ticket = event.ticket

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable, *args) -> None:
        if self._runner is not None:
            lane = {id(self._print_pool): "printer", id(self._db_pool): "db",
                    id(self._chip_pool): "chip"}.get(id(pool), "work")
            self._runner(lane, fn, args)
            return
        try:
            pool.submit(self._guard, fn, *args)
        except RuntimeError:  # shut down
            log.debug("check-in effect dropped after close")

    @staticmethod
    def _guard(fn: Callable, *args) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("check-in effect %s failed", getattr(fn, "__name__", fn))

    def _run(self, effect: c.Effect) -> None:
        if isinstance(effect, c.EndSession):
            self._sessions.pop(effect.session, None)
        elif isinstance(effect, c.ResolveIdentity):
            self._submit(self._db_pool, self._resolve, effect)
        elif isinstance(effect, c.ReadChip):
            if self._chip is not None:
                self._submit(self._chip_pool, self._read_chip, effect)
        elif isinstance(effect, c.CheckEligibility):
            self._submit(self._pool, self._check, effect)
        elif isinstance(effect, c.IssueTicket):
            self._submit(self._db_pool, self._issue, effect)
        elif isinstance(effect, c.PrintTicket):
            self._submit(self._print_pool, self._print, effect)
        elif isinstance(effect, c.MarkShown):
            self._submit(self._db_pool, self._issuer.mark_shown, effect.ticket_id)
        elif isinstance(effect, c.AlertStaff):
            log.warning("staff alert: %s", effect.reason)
            if self._alerter is not None:
                self._submit(self._pool, self._alerter.alert, effect.reason)

    def _session(self, sid: int) -> _Session | None:
        with self._lock:
            return self._sessions.get(sid)

    def _resolve(self, e: c.ResolveIdentity) -> None:
        try:
            res = self._resolver.resolve(e.source, e.read)
        except IdentityProblem as exc:
            self.post(c.IdentityFailed(e.session, exc.kind, exc.message))
            return
        except Exception as exc:
            log.warning("identity resolution failed: %s", type(exc).__name__)
            self.post(c.IdentityFailed(e.session, ProblemKind.UNREADABLE, msg.UNREADABLE))
            return
        with self._lock:
            s = self._sessions.get(e.session)
            if s is None:
                return               # the patient left meanwhile: drop it
            s.resolution = res
        self.post(c.IdentityResolved(e.session, res.view, res.cached_eligibility, res.follow_up))

    def _read_chip(self, e: c.ReadChip) -> None:
        """On the chip lane: read the card with the session's identity, or ask for the card's QR."""
        s = self._session(e.session)
        if s is None or self._chip is None:
            return
        identity = s.resolution.identity if s.resolution is not None else None
        if identity is None:
            self._post_in(e.session, c.ChipNeedsQr())
            return
        self._chip.read_chip(identity, lambda event: self._post_in(e.session, event))

    def _post_in(self, sid: int, event: c.Event) -> None:
        """Post a device answer only while its session is live (chip events carry no session)."""
        with self._lock:
            if isinstance(self._state, c.Idle) or session_of(self._state) != sid:
                return
            self.post(event)

    def _check(self, e: c.CheckEligibility) -> None:
        s = self._session(e.session)
        if s is None or s.resolution is None:
            return
        resolution = s.resolution
        if self._runner is not None:
            outcome = self._safe_check(resolution, e.deadline_s)
        else:
            fut: Future = self._pool.submit(self._safe_check, resolution, e.deadline_s)
            try:
                outcome = fut.result(timeout=e.deadline_s)
            except FutureTimeout:
                outcome = CheckOutcome(EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL))
        with self._lock:
            s = self._sessions.get(e.session)
            if s is None:
                return
            s.result = outcome.result
        self.post(c.EligibilityChecked(e.session, outcome.view))

    def _safe_check(self, resolution: Resolution, deadline_s: float) -> CheckOutcome:
        try:
            return self._checker.check(resolution, deadline_s)
        except Exception as exc:
            log.warning("eligibility check failed: %s", type(exc).__name__)
            return CheckOutcome(EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL))

    def _issue(self, e: c.IssueTicket) -> None:
        s = self._session(e.session)
        if s is None or s.resolution is None:
            return
        request = IssueRequest(s.resolution, e.service_code, e.priority, e.provisional, s.eligibility, s.result)
        try:
            ticket = self._issuer.issue(request)
        except AlreadyIssued as exc:
            self.post(c.IssueFailed(e.session, ProblemKind.ALREADY_ISSUED, msg.already_issued(exc.number)))
            return
        except Exception as exc:
            log.error("ticket issue failed: %s", type(exc).__name__)
            self.post(c.IssueFailed(e.session, ProblemKind.ISSUE_FAILED, msg.ISSUE_TIMEOUT))
            return
        if getattr(e, "language", "vi") != "vi":
            import dataclasses
            ticket = dataclasses.replace(ticket, language=e.language)   # printed in the patient's language
        with self._lock:
            before = self._state
            after = self.post(c.TicketIssued(e.session, ticket))
        if after is before:
            # The patient left before the ticket existed (issue timeout): the desk sees it as
            # not printed and can reprint or cancel it; it never silently counts as handed out.
            log.warning("ticket %s issued after its session ended", ticket.ticket_id)
            self._issuer.mark_print_failed(ticket.ticket_id, PrinterFaultKind.TIMEOUT)

    def _print(self, e: c.PrintTicket) -> None:
        s = self._session(e.session)
        if s is None or s.ticket is None:
            return
        try:
            self._printer.print_ticket(s.ticket, self._facility_name)
        except PrinterFault as exc:
            fault = exc.kind
        except Exception as exc:
            log.error("printer failed: %s", type(exc).__name__)
            fault = PrinterFaultKind.ERROR
        else:
            self._submit(self._db_pool, self._marked, self._issuer.mark_printed, (e.ticket_id,),
                         c.Printed(e.session, e.attempt))
            return
        self._submit(self._db_pool, self._marked, self._issuer.mark_print_failed, (e.ticket_id, fault),
                     c.PrintFailed(e.session, e.attempt, fault))

    def _marked(self, mark: Callable, args: tuple, then: c.Event) -> None:
        """Record the printer's answer in the store, then tell the machine (the db thread)."""
        try:
            mark(*args)
        finally:
            self.post(then)
