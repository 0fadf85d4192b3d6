"""The chip key from the session: a card laid first asks for the card's QR (same session, the
machine stays on the chip read), a card laid on Confirm turns into the chip read of that session."""
from __future__ import annotations

from core_helpers import CFG, FakeChecker, FakeIssuer, FakePrinter, FakeResolver, patient, run
from kiosk.core import checkin as c
from kiosk.core.clock import FakeClock
from kiosk.checkin.service import CheckinService
from kiosk.core.views import EligibilityView, InsuranceStatus, Message, ReadSource

S = 1
QR = b"079123456789|...|"


def asking():
    state, eff = run([c.ChipPresented(), c.ChipNeedsQr()])
    assert state == c.Reading(S, ReadSource.CHIP, needs_qr=True) and eff == [c.ReadChip(S)]
    return state


def test_needs_qr_only_on_a_chip_read():
    asking()
    start = c.Reading(S, ReadSource.QR)
    assert c.handle(start, c.ChipNeedsQr(), CFG) == c.Step(start)
    assert c.handle(c.Idle(), c.ChipNeedsQr(), CFG) == c.Step(c.Idle())


def test_the_asked_qr_is_resolved_in_the_same_session_and_stays_on_the_chip():
    state, eff = run([c.QrScanned(QR)], asking())
    assert state == c.Reading(S, ReadSource.CHIP) and eff == [c.ResolveIdentity(S, ReadSource.QR, QR)]
    # the QR's identity keys the chip: the card is read now; no Confirm, no eligibility check yet
    state, eff = run([c.IdentityResolved(S, patient(source=ReadSource.QR))], state)
    assert state == c.Reading(S, ReadSource.CHIP) and eff == [c.ReadChip(S)]
    # the chip read's own resolution confirms (and starts the check)
    state, eff = run([c.ChipReadDone("merged"), c.IdentityResolved(S, patient(source=ReadSource.CHIP))], state)
    assert isinstance(state, c.Confirm) and state.patient.source is ReadSource.CHIP
    assert eff == [c.ResolveIdentity(S, ReadSource.CHIP, "merged"), c.CheckEligibility(S, CFG.eligibility_deadline_s)]


def test_removed_while_asking_still_takes_the_qr():
    state, eff = run([c.ChipRemoved(), c.QrScanned(QR)], asking())
    assert state.session == S and state.source is ReadSource.CHIP and not state.needs_qr
    assert eff == [c.ResolveIdentity(S, ReadSource.QR, QR)]


def test_qr_during_a_running_read_is_ignored_and_after_removal_starts_over():
    reading = c.Reading(S, ReadSource.CHIP, "DG1", 2, 8)
    assert c.handle(reading, c.QrScanned(QR), CFG) == c.Step(reading)
    state, eff = run([c.ChipRemoved(), c.QrScanned(QR)], reading)
    assert state == c.Reading(S + 1, ReadSource.QR)
    assert eff == [c.EndSession(S), c.ResolveIdentity(S + 1, ReadSource.QR, QR)]


def test_card_laid_on_confirm_becomes_the_chip_read_of_that_session():
    checking = EligibilityView(InsuranceStatus.CHECKING, Message("c", "", ""))
    confirm = c.Confirm(S, patient(source=ReadSource.QR), checking)
    state, eff = run([c.ChipPresented()], confirm)
    assert state == c.Reading(S, ReadSource.CHIP) and eff == [c.ReadChip(S)]
    state, eff = run([c.ChipProgress("bac", 0, 8)], state)
    assert state.step == "bac"


def test_card_laid_later_in_the_flow_is_ignored():
    valid = EligibilityView(InsuranceStatus.VALID, Message("v", "", ""))
    chosen, _ = run([c.ConfirmYes()], c.Confirm(S, patient(), valid))
    assert isinstance(chosen, c.ChooseService)
    assert c.handle(chosen, c.ChipPresented(), CFG) == c.Step(chosen)


def test_service_current_identity_follows_the_session():
    inline = lambda lane, fn, args: fn(*args)  # noqa: E731
    svc = CheckinService(CFG, resolver=FakeResolver(), checker=FakeChecker(), issuer=FakeIssuer(),
                         printer=FakePrinter(), clock=FakeClock(), runner=inline)
    try:
        assert svc.current_identity() is None
        svc.post(c.ChipPresented())
        assert svc.current_identity() is None                 # nothing resolved yet
        svc.post(c.ChipNeedsQr())
        svc.post(c.QrScanned(QR))
        assert isinstance(svc.state, c.Reading) and svc.state.source is ReadSource.CHIP
        assert svc.current_identity() == {"name": "NGUYỄN VĂN AN", "number": "079086001234"}
        svc.post(c.Cancel())
        assert svc.current_identity() is None and svc.open_sessions() == 0
    finally:
        svc.close()


class FakeChipReader:
    """The card reader port as the service sees it: records the identity it was keyed with."""

    def __init__(self, outcome="done"):
        self.outcome, self.keyed_with = outcome, []

    def read_chip(self, identity, report):
        self.keyed_with.append(identity)
        report(c.ChipProgress("bac", 0, 8))
        if self.outcome == "done":
            report(c.ChipReadDone(identity))
        else:
            report(c.ChipReadFailed(rejected=True))


def _service(reader):
    inline = lambda lane, fn, args: fn(*args)  # noqa: E731
    svc = CheckinService(CFG, resolver=FakeResolver(), checker=FakeChecker(), issuer=FakeIssuer(),
                         printer=FakePrinter(), clock=FakeClock(), runner=inline)
    svc.attach_chip(reader)
    return svc


def test_read_chip_without_an_identity_asks_for_the_qr_then_reads_with_its_identity():
    reader = FakeChipReader()
    svc = _service(reader)
    try:
        svc.post(c.ChipPresented())                            # ReadChip: nothing to key it with yet
        assert svc.state == c.Reading(S, ReadSource.CHIP, needs_qr=True) and reader.keyed_with == []
        svc.post(c.QrScanned(QR))                              # the QR resolves; ReadChip again
        assert reader.keyed_with == [{"name": "NGUYỄN VĂN AN", "number": "079086001234"}]
        assert isinstance(svc.state, c.Confirm) and svc.state.patient.source is ReadSource.CHIP
    finally:
        svc.close()


def test_card_laid_on_confirm_is_read_with_the_scanned_identity_and_rejected_when_forged():
    reader = FakeChipReader("forged")
    svc = _service(reader)
    try:
        svc.post(c.QrScanned(QR))
        assert isinstance(svc.state, c.Confirm) and reader.keyed_with == []
        svc.post(c.ChipPresented())
        assert len(reader.keyed_with) == 1
        assert isinstance(svc.state, c.Problem) and svc.state.kind.value == "rejected"
    finally:
        svc.close()


def test_chip_answers_of_an_ended_session_are_dropped():
    held = []

    class Late:
        def read_chip(self, identity, report):
            held.append(report)

    svc = _service(Late())
    try:
        svc.post(c.QrScanned(QR))
        svc.post(c.ChipPresented())
        svc.post(c.Cancel())
        svc.post(c.ChipPresented())                            # a new chip session (2)
        held[0](c.ChipReadDone({"name": "someone"}))           # the first session's late answer
        assert svc.state == c.Reading(2, ReadSource.CHIP, needs_qr=True)
    finally:
        svc.close()
