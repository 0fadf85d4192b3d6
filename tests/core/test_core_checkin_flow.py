"""The check-in machine: every transition and every timeout, one by one."""
from __future__ import annotations

import pytest

from core_helpers import CFG, DESK, ERR, FAULT, FOLLOW, PROV, VALID, patient, run, ticket
from kiosk.core import checkin as c
from kiosk.settings_map import machine_config
from kiosk.core.views import (
    InsuranceStatus, PrinterFaultKind, PriorityCategory, ProblemKind, ReadSource,
)

S = 1  # the first session


def confirm(elig=VALID, **kw):
    return c.Confirm(S, patient(**kw), elig)


def choose(**kw):
    state, _ = run([c.ConfirmYes()], confirm(**kw))
    assert isinstance(state, c.ChooseService)
    return state


# ------------------------------------------------------------------ starting


def test_qr_scan_starts_a_session_and_resolves():
    state, eff = run([c.QrScanned(b"079123456789|...")])
    assert state == c.Reading(S, ReadSource.QR)
    assert eff == [c.ResolveIdentity(S, ReadSource.QR, b"079123456789|...")]


def test_chip_progress_steps_and_removal():
    state, eff = run([c.ChipPresented(), c.ChipProgress("bac", 1, 5), c.ChipProgress("dg13", 3, 5)])
    assert state == c.Reading(S, ReadSource.CHIP, "dg13", 3, 5) and eff == [c.ReadChip(S)]
    state, _ = run([c.ChipRemoved()], state)
    assert state.card_removed and state.step == "dg13"
    state, eff = run([c.ChipPresented()], state)         # laid back: starts over, same session
    assert state == c.Reading(S, ReadSource.CHIP) and eff == [c.ReadChip(S)]
    state, eff = run([c.ChipReadDone(identity="chipread")], state)
    assert eff == [c.ResolveIdentity(S, ReadSource.CHIP, "chipread")]


def test_chip_failures():
    state, _ = run([c.ChipPresented(), c.ChipReadFailed()])
    assert state.kind is ProblemKind.UNREADABLE and state.retry
    state, _ = run([c.ChipPresented(), c.ChipReadFailed(rejected=True)])
    assert state.kind is ProblemKind.REJECTED and not state.retry


def test_chip_events_ignored_during_a_qr_read():
    start = c.Reading(S, ReadSource.QR)
    for e in (c.ChipProgress("bac", 1, 5), c.ChipRemoved(), c.ChipReadDone("x"), c.ChipReadFailed(), c.ChipPresented()):
        assert c.handle(start, e, CFG) == c.Step(start)


def test_keypad_typing_and_submit():
    state, _ = run([c.KeypadOpened()])
    assert state == c.Keypad(S)
    state, eff = run([c.KeypadKey("0"), c.KeypadKey("7"), c.KeypadKey("9"), c.KeypadKey("BACKSPACE"),
                      c.KeypadKey("x"), c.KeypadKey("??"), c.KeypadSubmit()], state)
    assert eff == [c.ResolveIdentity(S, ReadSource.TYPED, "07X")]
    assert state == c.Reading(S, ReadSource.TYPED)


def test_keypad_clear_limit_and_empty_submit():
    state, _ = run([c.KeypadOpened()] + [c.KeypadKey("1")] * 30)
    assert state.text == "1" * CFG.keypad_max
    state, eff = run([c.KeypadKey("CLEAR"), c.KeypadSubmit(), c.KeypadOpened()], state)
    assert state == c.Keypad(S) and eff == []


def test_keypad_back_cancel_timeout_go_idle():
    for e in (c.Back(), c.Cancel(), c.Timeout(S)):
        state, eff = run([c.KeypadOpened(), e])
        assert state == c.Idle(S) and eff == [c.EndSession(S)]


def test_scan_while_on_keypad_switches_to_the_scan():
    state, eff = run([c.KeypadOpened(), c.KeypadKey("1"), c.QrScanned(b"q")])
    assert state == c.Reading(2, ReadSource.QR)
    assert eff == [c.EndSession(1), c.ResolveIdentity(2, ReadSource.QR, b"q")]


# ------------------------------------------------------------------ identity


def test_identity_resolved_without_cache_starts_the_check():
    state, eff = run([c.QrScanned(b"q"), c.IdentityResolved(S, patient())])
    assert isinstance(state, c.Confirm) and state.eligibility.status is InsuranceStatus.CHECKING
    assert eff[-1] == c.CheckEligibility(S, CFG.eligibility_deadline_s)


def test_identity_resolved_with_cache_skips_the_check():
    state, eff = run([c.QrScanned(b"q"), c.IdentityResolved(S, patient(), VALID, FOLLOW)])
    assert state == c.Confirm(S, patient(), VALID, FOLLOW)
    assert [e for e in eff if isinstance(e, c.CheckEligibility)] == []


def test_cached_config_fault_alerts_staff():
    _, eff = run([c.QrScanned(b"q"), c.IdentityResolved(S, patient(), FAULT)])
    assert c.AlertStaff(S, "054") in eff


@pytest.mark.parametrize("kind,retry", [(ProblemKind.UNREADABLE, True), (ProblemKind.UNSUPPORTED, True),
                                        (ProblemKind.INVALID_NUMBER, True), (ProblemKind.REJECTED, False)])
def test_identity_failed(kind, retry):
    state, _ = run([c.QrScanned(b"q"), c.IdentityFailed(S, kind, ERR)])
    assert state == c.Problem(S, kind, ERR, retry)


def test_results_of_an_old_session_are_ignored():
    state, _ = run([c.QrScanned(b"q"), c.Cancel(), c.QrScanned(b"r")])
    assert state == c.Reading(2, ReadSource.QR)
    assert c.handle(state, c.IdentityResolved(1, patient()), CFG).state is state
    assert c.handle(c.Idle(1), c.IdentityResolved(1, patient()), CFG).state == c.Idle(1)


# ------------------------------------------------------------------ confirmation and eligibility


def test_confirm_no_goes_idle():
    for e in (c.Cancel(), c.Back(), c.Timeout(S)):
        state, eff = run([e], confirm())
        assert state == c.Idle(S) and eff == [c.EndSession(S)]


def test_not_me_says_what_to_do_next():
    """Issue 14 minor 2: "Không phải tôi" gives guidance (scan your own card, or the desk)."""
    from kiosk.core import messages as m
    state, eff = run([c.ConfirmNo()], confirm())
    assert state == c.Problem(S + 1, ProblemKind.NOT_ME, m.NOT_ME, retry=True) and eff == [c.EndSession(S)]
    assert "quầy tiếp đón" in m.NOT_ME.vi
    state, _ = run([c.Dismiss()], state)
    assert isinstance(state, c.Idle)


def test_eligibility_answer_updates_the_confirm_screen():
    checking = c.Confirm(S, patient(), c.EligibilityView(InsuranceStatus.CHECKING, ERR))
    state, eff = run([c.EligibilityChecked(S, VALID)], checking)
    assert state.eligibility == VALID and eff == []
    state, eff = run([c.EligibilityChecked(S, FAULT)], checking)
    assert eff == [c.AlertStaff(S, "054")]


def test_confirm_before_the_answer_waits_then_proceeds():
    checking = c.Confirm(S, patient(), c.EligibilityView(InsuranceStatus.CHECKING, ERR))
    state, _ = run([c.ConfirmYes()], checking)
    assert state == c.CheckingEligibility(S, patient())
    done, _ = run([c.EligibilityChecked(S, VALID)], state)
    assert isinstance(done, c.ChooseService) and done.eligibility == VALID
    done, eff = run([c.EligibilityChecked(S, FAULT)], state)
    assert done.eligibility.status is InsuranceStatus.PROVISIONAL and eff == [c.AlertStaff(S, "054")]


def test_waiting_for_the_check_times_out_provisional():
    state, _ = run([c.Timeout(S)], c.CheckingEligibility(S, patient()))
    assert isinstance(state, c.ChooseService) and state.eligibility.status is InsuranceStatus.PROVISIONAL
    assert c.timeout_of(c.CheckingEligibility(S, patient()), CFG) == CFG.eligibility_deadline_s + 2


def test_waiting_cancel_goes_idle():
    state, _ = run([c.Cancel()], c.CheckingEligibility(S, patient()))
    assert state == c.Idle(S)


def test_card_needing_the_desk_still_gets_a_service_and_a_ticket():
    """Issue 14 B3: no dead end. A card the desk must check leads on to the service choice; the
    ticket request carries the desk status (the issuer flags the visit "needs desk")."""
    state, _ = run([c.ConfirmYes()], confirm(DESK))
    assert isinstance(state, c.ChooseService) and state.eligibility == DESK
    state, eff = run([c.ServiceChosen(state.services[0].code)], state)
    assert isinstance(state, c.Issuing) and isinstance(eff[0], c.IssueTicket)
    state, _ = run([c.ConfirmYes(), c.EligibilityChecked(S, DESK)],
                   c.Confirm(S, patient(), c.EligibilityView(InsuranceStatus.CHECKING, ERR)))
    assert isinstance(state, c.ChooseService) and state.eligibility.status is InsuranceStatus.NEEDS_DESK


def test_no_card_is_a_fee_paying_visit():
    from kiosk.core import eligibility as el
    state, _ = run([c.ConfirmYes()], confirm(el.no_card()))
    assert isinstance(state, c.ChooseService) and state.eligibility.status is InsuranceStatus.NO_CARD


# ------------------------------------------------------------------ service choice


def test_service_screen_lists_services_and_priorities():
    s = choose(age=40, gender=2)
    assert [x.code for x in s.services] == ["K01", "K02", "K03", "K04", "K05"]
    assert s.priorities == (PriorityCategory.PREGNANT, PriorityCategory.DISABILITY, PriorityCategory.MERIT)
    assert s.selected_priority is None


def test_elderly_and_child_are_preselected():
    old = choose(age=75, gender=1)
    assert old.priorities[0] is PriorityCategory.ELDERLY and old.selected_priority is PriorityCategory.ELDERLY
    assert PriorityCategory.PREGNANT not in old.priorities
    kid = choose(age=5, gender=2)
    assert kid.selected_priority is PriorityCategory.CHILD
    assert kid.priorities == (PriorityCategory.CHILD, PriorityCategory.DISABILITY)
    assert choose(age=74, gender=1).selected_priority is None
    assert choose(age=6, gender=1).selected_priority is None


def test_follow_up_service_is_offered_first():
    state, _ = run([c.ConfirmYes()], c.Confirm(S, patient(), VALID, FOLLOW))
    assert state.services[0].code == "K04" and state.follow_up == FOLLOW and len(state.services) == 5


def test_priority_toggle():
    s = choose()
    s2, _ = run([c.PriorityToggled(PriorityCategory.DISABILITY)], s)
    assert s2.selected_priority is PriorityCategory.DISABILITY
    s3, _ = run([c.PriorityToggled(PriorityCategory.DISABILITY)], s2)
    assert s3.selected_priority is None
    s4, _ = run([c.PriorityToggled(PriorityCategory.ELDERLY)], s)   # not offered at 40
    assert s4 is s


def test_service_chosen_issues_once():
    s, _ = run([c.PriorityToggled(PriorityCategory.MERIT)], choose())
    state, eff = run([c.ServiceChosen("K02")], s)
    assert state == c.Issuing(S, "K02", PriorityCategory.MERIT)
    assert eff == [c.IssueTicket(S, "K02", PriorityCategory.MERIT, provisional=False)]
    state2, eff2 = run([c.ServiceChosen("K02")], state)      # a double tap issues nothing more
    assert state2 is state and eff2 == []


def test_provisional_visit_is_issued_provisional():
    state, eff = run([c.ConfirmYes(), c.ServiceChosen("K01")], confirm(PROV))
    assert eff == [c.IssueTicket(S, "K01", None, provisional=True)]


def test_unknown_service_is_ignored():
    s = choose()
    assert run([c.ServiceChosen("NOPE")], s)[0] is s


def test_service_back_cancel_timeout():
    s = choose()
    assert run([c.Back()], s)[0] == c.Confirm(S, s.patient, s.eligibility)
    for e in (c.Cancel(), c.Timeout(S)):
        assert run([e], s)[0] == c.Idle(S)


# ------------------------------------------------------------------ issuing and printing


def test_issued_prints():
    state, eff = run([c.TicketIssued(S, ticket())], c.Issuing(S, "K01", None))
    assert state == c.Printing(S, ticket(), 1) and eff == [c.PrintTicket(S, 7, 1)]


@pytest.mark.parametrize("kind", [ProblemKind.ALREADY_ISSUED, ProblemKind.ISSUE_FAILED])
def test_issue_failed_goes_to_the_desk(kind):
    state, _ = run([c.IssueFailed(S, kind, ERR)], c.Issuing(S, "K01", None))
    assert state == c.Problem(S, kind, ERR, retry=False)


def test_issue_timeout():
    state, _ = run([c.Timeout(S)], c.Issuing(S, "K01", None))
    assert state.kind is ProblemKind.ISSUE_FAILED and not state.retry


def test_issuing_and_printing_cannot_be_cancelled():
    for st in (c.Issuing(S, "K01", None), c.Printing(S, ticket())):
        assert run([c.Cancel(), c.Dismiss(), c.Back()], st)[0] is st


def test_printed_shows_the_ticket_then_idle():
    state, _ = run([c.Printed(S, 1)], c.Printing(S, ticket()))
    assert state == c.TicketShown(S, ticket(), printed=True)
    assert c.timeout_of(state, CFG) == CFG.ticket_screen_s
    for e in (c.Dismiss(), c.Cancel(), c.Timeout(S)):
        assert run([e], state) == (c.Idle(S), [c.EndSession(S)])


@pytest.mark.parametrize("fault", list(PrinterFaultKind))
def test_print_failed_offers_reprint_or_screen(fault):
    state, _ = run([c.PrintFailed(S, 1, fault)], c.Printing(S, ticket()))
    assert state == c.PrinterFailed(S, ticket(), fault, 1)
    again, eff = run([c.Reprint()], state)
    assert again == c.Printing(S, ticket(), 2) and eff == [c.PrintTicket(S, 7, 2)]
    shown, eff = run([c.ShowOnScreen()], state)
    assert shown == c.TicketShown(S, ticket(), printed=False) and eff == [c.MarkShown(S, 7)]


def test_printer_failed_never_drops_the_ticket():
    state = c.PrinterFailed(S, ticket(), PrinterFaultKind.PAPER_OUT)
    for e in (c.Cancel(), c.Dismiss(), c.Timeout(S)):
        shown, eff = run([e], state)
        assert shown == c.TicketShown(S, ticket(), printed=False) and eff == [c.MarkShown(S, 7)]


def test_print_timeout_and_stale_attempts():
    state, _ = run([c.Timeout(S)], c.Printing(S, ticket()))
    assert state.fault is PrinterFaultKind.TIMEOUT
    p2 = c.Printing(S, ticket(), 2)
    assert run([c.Printed(S, 1), c.PrintFailed(S, 1, PrinterFaultKind.OFFLINE)], p2)[0] is p2


# ------------------------------------------------------------------ problems, timeouts, new sessions


def test_problem_exits():
    p = c.Problem(S, ProblemKind.UNREADABLE, ERR, True)
    for e in (c.Dismiss(), c.Cancel(), c.Timeout(S)):
        assert run([e], p)[0] == c.Idle(S)
    state, eff = run([c.QrScanned(b"again")], p)
    assert state == c.Reading(2, ReadSource.QR) and eff[0] == c.EndSession(S)


def test_next_patient_can_scan_on_the_ticket_screen():
    state, eff = run([c.ChipPresented()], c.TicketShown(S, ticket(), True))
    assert state == c.Reading(2, ReadSource.CHIP) and eff == [c.EndSession(S), c.ReadChip(2)]


def test_reading_timeouts():
    state, _ = run([c.Timeout(S)], c.Reading(S, ReadSource.QR))
    assert state.kind is ProblemKind.TIMEOUT and state.retry
    state, _ = run([c.Timeout(S)], c.Reading(S, ReadSource.CHIP, card_removed=True))
    assert state.kind is ProblemKind.CARD_REMOVED
    assert run([c.Cancel()], c.Reading(S, ReadSource.QR))[0] == c.Idle(S)


def test_scans_do_not_interrupt_a_patient_mid_flow():
    for st in (confirm(), choose(), c.Issuing(S, "K01", None), c.Printing(S, ticket()), c.Reading(S, ReadSource.QR)):
        assert run([c.QrScanned(b"other"), c.KeypadOpened()], st)[0] is st


def test_every_state_but_idle_has_a_timeout_and_it_leaves_the_state():
    samples = [c.Reading(S, ReadSource.QR), c.Keypad(S), confirm(), c.CheckingEligibility(S, patient()), choose(),
               c.Issuing(S, "K01", None), c.Printing(S, ticket()),
               c.PrinterFailed(S, ticket(), PrinterFaultKind.OFFLINE), c.TicketShown(S, ticket(), True),
               c.Problem(S, ProblemKind.UNREADABLE, ERR, True)]
    assert {type(s) for s in samples} | {c.Idle} == set(c.ALL_STATES)
    for s in samples:
        t = c.timeout_of(s, CFG)
        assert t is not None and t > 0
        assert type(c.handle(s, c.Timeout(S), CFG).state) is not type(s)
    assert c.timeout_of(c.Idle(), CFG) is None


def test_a_timeout_of_another_session_is_ignored():
    s = choose()
    assert c.handle(s, c.Timeout(S + 1), CFG).state is s


def test_activity_changes_nothing():
    s = choose()
    assert c.handle(s, c.Activity(), CFG) == c.Step(s)


def test_machine_config_from_settings():
    from kiosk.config import load
    cfg = machine_config(load(env={}, path=None))
    assert cfg.inactivity_s == 30.0 and cfg.ticket_screen_s == 8.0 and len(cfg.services) == 5
    assert cfg.elderly_age == 75


def test_full_happy_path():
    state, eff = run([c.QrScanned(b"q"), c.IdentityResolved(S, patient()), c.EligibilityChecked(S, VALID),
                      c.ConfirmYes(), c.ServiceChosen("K01"), c.TicketIssued(S, ticket()), c.Printed(S, 1),
                      c.Dismiss()])
    assert state == c.Idle(S)
    assert [type(e).__name__ for e in eff] == ["ResolveIdentity", "CheckEligibility", "IssueTicket",
                                               "PrintTicket", "EndSession"]


# ------------------------------------------------------------------ issue 14 B1


def test_unassembled_wedge_scan_shows_a_calm_retry_problem():
    from kiosk.core import messages as m
    state, eff = run([c.ScanUnreadable()])
    assert state == c.Problem(S, ProblemKind.UNREADABLE, m.SCAN_INCOMPLETE, retry=True) and eff == []
    assert "báo nhân viên" in m.SCAN_INCOMPLETE.vi and "staff" in m.SCAN_INCOMPLETE.en


# ------------------------------------------------------------------ issue 14 M6: staff window over the kiosk


def test_staff_window_ends_the_session_and_blocks_new_ones_until_closed():
    state, eff = run([c.StaffPause(True)], confirm())
    assert state == c.Idle(S, paused=True) and eff == [c.EndSession(S)]
    state, eff = run([c.QrScanned(b"079123456789|..."), c.ChipPresented(), c.KeypadOpened()], state)
    assert state == c.Idle(S, paused=True) and eff == []
    state, _ = run([c.StaffPause(False), c.QrScanned(b"079123456789|...")], state)
    assert isinstance(state, c.Reading) and state.session == S + 1


def test_staff_pause_never_drops_a_ticket_being_printed():
    printing = c.Printing(S, None, 1)
    state, eff = run([c.StaffPause(True)], printing)
    assert state is printing and eff == []


# ------------------------------------------------------------------ issue 14 M2: printer trouble


def test_print_failure_alerts_staff_at_once():
    printing = c.Printing(S, ticket(), 1)
    state, eff = run([c.PrintFailed(S, 1, PrinterFaultKind.PAPER_OUT)], printing)
    assert isinstance(state, c.PrinterFailed) and eff == [c.AlertStaff(S, "printer_paper_out")]
    state, eff = run([c.Timeout(S)], printing)
    assert isinstance(state, c.PrinterFailed) and eff == [c.AlertStaff(S, "printer_timeout")]


def test_a_ticket_only_on_screen_stays_long_enough_to_write_down():
    shown = c.TicketShown(S, ticket(), printed=False)
    assert c.timeout_of(shown, CFG) >= 120 > CFG.ticket_screen_s
    assert c.timeout_of(c.TicketShown(S, ticket(), printed=True), CFG) == CFG.ticket_screen_s


# ------------------------------------------------------------------ issue 14 M7: keypad


def test_try_again_after_a_typed_number_keeps_it():
    state, eff = run([c.KeypadOpened(), *[c.KeypadKey(ch) for ch in "079085000001"], c.KeypadSubmit()])
    assert isinstance(state, c.Reading) and state.typed == "079085000001"
    state, _ = run([c.IdentityFailed(S, ProblemKind.NOT_KNOWN, ERR)], state)
    assert state.kind is ProblemKind.NOT_KNOWN and state.retry
    state, eff = run([c.Dismiss()], state)
    assert state == c.Keypad(S + 1, "079085000001") and eff == [c.EndSession(S)]


def test_a_desk_problem_after_typing_still_ends_at_idle():
    state, _ = run([c.IdentityFailed(S, ProblemKind.REJECTED, ERR)], c.Reading(S, ReadSource.TYPED, typed="1"))
    assert state.typed == ""
    state, _ = run([c.Dismiss()], state)
    assert state == c.Idle(S)


def test_automatic_priority_cannot_be_removed():
    """Issue 14 minor 8: a child under 6 (or an elderly patient) keeps the law's priority."""
    s = choose(age=4, gender=1)
    assert s.selected_priority is PriorityCategory.CHILD and s.automatic
    for cat in s.priorities:
        s2, _ = run([c.PriorityToggled(cat)], s)
        assert s2.selected_priority is PriorityCategory.CHILD
