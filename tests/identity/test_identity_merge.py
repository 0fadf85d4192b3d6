import dataclasses
import datetime as dt

import pytest

from kiosk.identity import BirthDate, Gender, IdentityError, Kind, Source, parse
from kiosk.demo.people import by_key
from kiosk.identity.merge import fold_name, merge
from kiosk.identity.model import Person

TODAY = dt.date(2026, 11, 21)
P = by_key("valid_bhyt")


def test_cccd_qr_and_bhyt_qr_of_one_person_merge_without_conflict():
    a = parse(P.cccd_qr, today=TODAY)
    b = parse(P.bhyt_qr, today=TODAY)
    r = merge(a, b)
    i = r.identity
    assert r.conflicts == ()
    assert i.cccd == a.cccd and i.bhyt == b.bhyt and i.kind is Kind.MERGED
    assert i.lookup_keys() == [("cccd", "001085000101"), ("bhyt", "DN4010100000101"), ("bhxh", "0100000101")]
    assert i.person == a.person


def test_typed_number_gains_the_qr_details_and_the_qr_trust():
    typed = parse("001085000101", today=TODAY)
    qr = parse(P.cccd_qr, today=TODAY)
    i = merge(typed, qr).identity
    assert i.source is Source.QR and i.person.full_name == "NGUYỄN VĂN THỬ"
    assert i.birth_date == BirthDate(1985, 4, 12)           # the full date beats the year from the number


def test_chip_beats_qr_and_the_mrz_name_takes_the_printed_diacritics():
    mrz = dataclasses.replace(parse(P.mrz(), today=TODAY), source=Source.CHIP_VERIFIED, kind=Kind.CHIP)
    qr = parse(P.cccd_qr, today=TODAY)
    r = merge(qr, mrz)
    assert r.conflicts == () and r.identity.source is Source.CHIP_VERIFIED
    assert r.identity.person.full_name == "NGUYỄN VĂN THỬ"
    assert r.identity.cccd.issue_date == dt.date(2025, 5, 20)   # filled from the QR


def test_different_birth_dates_are_reported_not_resolved_silently():
    qr = parse(P.cccd_qr, today=TODAY)
    other = dataclasses.replace(parse(P.bhyt_qr, today=TODAY),
                                person=Person("NGUYỄN VĂN THỬ", BirthDate(1985, 4, 21), Gender.MALE))
    r = merge(qr, other)
    assert [c.field for c in r.conflicts] == ["birth_date"]
    assert r.conflicts[0].kept == BirthDate(1985, 4, 12) and r.conflicts[0].other == BirthDate(1985, 4, 21)
    assert r.identity.has_warning("merge_conflict")
    assert "1985" not in r.identity.warnings[-1].detail


def test_name_and_gender_conflicts():
    qr = parse(P.cccd_qr, today=TODAY)
    card = dataclasses.replace(parse(P.bhyt_qr, today=TODAY),
                               person=Person("TRẦN VĂN KHÁC", BirthDate(1985), Gender.FEMALE))
    r = merge(qr, card)
    assert sorted(c.field for c in r.conflicts) == ["full_name", "gender"]
    assert r.identity.person.full_name == "NGUYỄN VĂN THỬ"  # the tie keeps the first argument's value


def test_year_only_birth_of_another_year_conflicts():
    qr = parse(P.cccd_qr, today=TODAY)
    card = dataclasses.replace(parse(P.bhyt_qr, today=TODAY),
                               person=Person("NGUYỄN VĂN THỬ", BirthDate(1986), Gender.MALE))
    assert [c.field for c in merge(qr, card).conflicts] == ["birth_date"]


def test_two_different_cccd_numbers_are_two_people():
    with pytest.raises(IdentityError) as info:
        merge(parse(P.cccd_qr, today=TODAY), parse(by_key("cccd_only").cccd_qr, today=TODAY))
    assert info.value.code == "merge_different_person"


def test_fold_name():
    assert fold_name("Nguyễn  Văn Đức") == fold_name("NGUYEN VAN DUC")
    assert fold_name("LÊ THỊ") != fold_name("LÝ THỊ")
