"""Ticket numbers, MA_LK, priority categories, card-check → patient view."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core_helpers import patient
from kiosk.core import eligibility as elig
from kiosk.core import priority as prio
from kiosk.core import tickets as t
from kiosk.core.views import InsuranceStatus, PriorityCategory as P
from kiosk.gateway.results import CardCheckResult, code_info


def test_default_numbers_and_priority_mark():
    assert t.format_number(t.DEFAULT_FORMAT, letter="A", kiosk="1", seq=23, priority=False) == "A1-023"
    assert t.format_number(t.DEFAULT_FORMAT, letter="A", kiosk="1", seq=23, priority=True) == "A1-U023"
    assert t.format_number("{priority}{letter}{kiosk}{seq:04d}", letter="B", kiosk="K", seq=7, priority=True) == "UBK0007"
    assert t.is_priority_number("A1-U023") and not t.is_priority_number("A1-023")


@pytest.mark.parametrize("fmt", ["{letter}-{seq}", "{letter}{kiosk}", "{kiosk}{seq}{name}"])
def test_formats_that_cannot_be_unique_are_refused(fmt):
    with pytest.raises(t.TicketFormatError):
        t.check_format(fmt)


def test_two_kiosks_never_share_a_number():
    a = {t.format_number(t.DEFAULT_FORMAT, letter=l, kiosk="1", seq=s, priority=p)
         for l in "AB" for s in range(1, 300) for p in (False, True)}
    b = {t.format_number(t.DEFAULT_FORMAT, letter=l, kiosk="2", seq=s, priority=p)
         for l in "AB" for s in range(1, 300) for p in (False, True)}
    assert not a & b


def test_ma_lk():
    moment = datetime(2026, 11, 20, 1, 30, 5, tzinfo=timezone.utc)          # 08:30:05 in Vietnam
    assert t.ma_lk("79001", "1", moment, 23) == "790011-261120083005-0023"
    assert t.ma_lk("", "k-2", moment, 1) == "00000K2-261120083005-0001"
    assert len(t.ma_lk("79001", "Z" * 60, moment, 99999)) <= 100
    with pytest.raises(ValueError):
        t.ma_lk("79001", "Z" * 90, moment, 1)


def test_expected_wait():
    assert t.expected_wait_minutes(3, 6) == 18 and t.expected_wait_minutes(-1, 6) == 0


def test_priority_categories():
    assert prio.automatic(75) is P.ELDERLY and prio.automatic(74) is None and prio.automatic(5) is P.CHILD
    assert prio.automatic(79, elderly_age=80) is None          # the older 80-year rule, by setting
    assert prio.offered(patient(age=30, gender=1)) == (P.DISABILITY, P.MERIT)
    assert prio.offered(patient(age=None, gender=3)) == (P.PREGNANT, P.DISABILITY, P.MERIT)
    assert set(prio.LABELS) == set(P)


def _result(code):
    i = code_info(code)
    return CardCheckResult(i.verdict, code, i.message_vi, i.message_en, i.staff_detail, alert=i.alert,
                           valid_to="31/12/2026")


@pytest.mark.parametrize("code,status,alert", [
    ("000", InsuranceStatus.VALID, False), ("001", InsuranceStatus.VALID, False),
    ("003", InsuranceStatus.VALID_NEW_CARD, False), ("010", InsuranceStatus.NEEDS_DESK, False),
    ("060", InsuranceStatus.NEEDS_DESK, False), ("054", InsuranceStatus.PROVISIONAL, True),
    ("055", InsuranceStatus.PROVISIONAL, True), ("100", InsuranceStatus.PROVISIONAL, False),
    ("NET", InsuranceStatus.PROVISIONAL, False), ("401", InsuranceStatus.PROVISIONAL, True),
    ("205", InsuranceStatus.NEEDS_DESK, True), ("999", InsuranceStatus.NEEDS_DESK, True),
])
def test_card_check_answers_in_plain_words(code, status, alert):
    v = elig.view_of(_result(code).card_answer())
    assert v.status is status and v.staff_alert is alert and v.result_code == code
    assert v.message.vi and v.message.en
    if code == "000":
        assert "31/12/2026" in v.message.vi
    if code == "010":
        assert "hết hạn" in v.message.vi and "quầy" in v.message.vi
