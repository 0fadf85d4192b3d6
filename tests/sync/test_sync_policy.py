"""Pure parts: answer -> decision, the reconcile day window, the link state."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from kiosk.core.clock import FakeClock
from kiosk.gateway.results import ReceivedInfo, UploadOutcome, UploadResult
from kiosk.store.outbox import Receipt
from kiosk.sync.connectivity import Connectivity, Link
from kiosk.sync.policy import Action, confirm_copy, decide, from_received
from kiosk.sync.reconcile import Found, ReconcileResult, lookup_days

O = UploadOutcome
STAMP = datetime(2026, 11, 20, 8, 30, 5)   # thoiGianTiepNhan, facility local time


@pytest.mark.parametrize("outcome, code, action, reconcile, reachable", [
    (O.ACCEPTED, "200", Action.ACK, False, True),
    (O.DUPLICATE, "200", Action.DEAD, False, True),      # unconfirmed "duplicate": desk, never an ack
    (O.UNCONFIRMED, "200", Action.DEAD, False, True),
    (O.REJECTED, "400", Action.DEAD, False, True),
    (O.RETRY, "HTTP 503", Action.RETRY, False, True),
    (O.RETRY, "NET", Action.RETRY, False, False),        # nothing reached the gateway: offline
    (O.AUTH, "401", Action.RETRY, False, True),
    (O.AMBIGUOUS, "NET", Action.RETRY, True, None),       # sent, no answer: reconcile first
])
def test_each_outcome_maps_to_one_decision(outcome, code, action, reconcile, reachable):
    d = decide(UploadResult(outcome, "GD1", STAMP, code, "thông điệp"), may_be_stored=False, grace=5.0)
    assert (d.action, d.needs_reconcile, d.reachable) == (action, reconcile, reachable)
    if action is Action.ACK:
        assert d.receipt == Receipt("GD1", "2026-11-20T08:30:05+07:00", "thông điệp")
    if action is Action.DEAD and outcome is O.REJECTED:
        assert d.error == "thông điệp" and d.code == "400"
    if action is Action.DEAD and outcome is not O.REJECTED:
        assert "desk" in d.error and "thông điệp" in d.error
    if outcome is O.AMBIGUOUS:
        assert d.min_delay == 5.0


def test_a_possible_earlier_copy_survives_plain_retries():
    d = decide(UploadResult(O.RETRY, code="HTTP 500"), may_be_stored=True, grace=2.0)
    assert d.needs_reconcile and d.min_delay == 2.0
    assert decide(UploadResult(O.ACCEPTED, "GD"), may_be_stored=True, grace=2.0).action is Action.ACK


def test_duplicate_is_acked_only_when_the_lookup_lists_our_copy():
    dup = UploadResult(O.DUPLICATE, "GD-FIRST", STAMP, "200", "Hồ sơ trùng MA_LK đã tồn tại")
    ours = ReceivedInfo("LK", "0", "GD-HELD", STAMP, payload_sha256="ab" * 32)
    d = confirm_copy(dup, ReconcileResult(Found.PRESENT, info=ours), grace=1)
    assert d.action is Action.ACK and d.via == "duplicate" and d.receipt.ma_giao_dich == "GD-HELD"
    for found, code in ((Found.UNSUPPORTED, "no look-up"), (Found.ABSENT, "lists no copy"),
                        (Found.CONFLICT, "different file")):
        d = confirm_copy(dup, ReconcileResult(found, error="the gateway holds a different file"), grace=1)
        assert d.action is Action.DEAD and d.code == "DUPLICATE?" and code in d.error and "trùng" in d.error
    d = confirm_copy(dup, ReconcileResult(Found.UNKNOWN, error="look-up failed"), grace=3)
    assert d.action is Action.RETRY and d.needs_reconcile and d.min_delay == 3


def test_a_200_without_receipt_is_looked_up_again_not_acked():
    bare = UploadResult(O.UNCONFIRMED, "", None, "200", "200 with no maGiaoDich: ")
    d = confirm_copy(bare, ReconcileResult(Found.ABSENT), grace=4)
    assert d.action is Action.RETRY and d.needs_reconcile and d.min_delay == 4
    assert confirm_copy(bare, ReconcileResult(Found.UNSUPPORTED), grace=4).action is Action.DEAD


def test_found_by_lookup_is_acked_without_resend():
    d = from_received(ReceivedInfo("LK", "130", "GD7", STAMP))
    assert d.action is Action.ACK and d.via == "reconcile" and d.receipt.ma_giao_dich == "GD7"


def test_lookup_days_cover_creation_to_today_in_facility_time_plus_a_day_each_side():
    now = datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)            # 22/11 01:00 in Vietnam
    # created 20/11 23:30 Vietnam time: three facility days, and the days either side (M2: the
    # gateway files by its own clock, which may be on the other side of Vietnam's midnight)
    assert lookup_days("2026-11-20T16:30:00+00:00", now, 7) == [date(2026, 11, 23), date(2026, 11, 22),
                                                                date(2026, 11, 21), date(2026, 11, 20),
                                                                date(2026, 11, 19)]
    assert lookup_days("2026-11-21T01:00:00+00:00", now, 7) == [date(2026, 11, 23), date(2026, 11, 22),
                                                                date(2026, 11, 21), date(2026, 11, 20)]
    assert len(lookup_days("2026-01-01T00:00:00+00:00", now, 7)) == 9   # bounded
    # a kiosk clock 6 h behind (previous VN day) still asks for the gateway's day
    behind = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)         # kiosk thinks 21/11 19:00
    assert date(2026, 11, 22) in lookup_days("2026-11-21T12:00:00+00:00", behind, 7)


def test_connectivity_tells_listeners_only_on_change():
    link, heard = Connectivity(FakeClock()), []
    link.subscribe(heard.append)
    assert link.online and link.state is Link.UNKNOWN
    assert link.report(True) and not link.report(True)
    assert link.report(False) and not link.online
    assert link.report(True)
    assert heard == [Link.ONLINE, Link.OFFLINE, Link.ONLINE]
