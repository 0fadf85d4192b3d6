import datetime as dt

import pytest

from kiosk.identity import BhytCard, BirthDate, CccdDocument, Gender, Identity, OldIdDocument, Person, Source
from kiosk.identity.codes import BHYT_GROUPS, CCCD_PROVINCES, PROVINCES, province_name
from kiosk.identity.errors import ALL_ERRORS
from kiosk.identity.warnings import CATALOGUE


def test_birth_date_validates_and_formats():
    assert BirthDate(2000, 2, 29).iso() == "2000-02-29" and str(BirthDate(2000, 2, 29)) == "29/02/2000"
    assert BirthDate(1940).iso() == "1940" and BirthDate.from_iso("1940") == BirthDate(1940)
    assert BirthDate.from_iso("1985-04-12") == BirthDate(1985, 4, 12)
    for bad in ((2001, 2, 29), (1985, 13, 1), (1985, 4, None), (1700, 1, 1)):
        with pytest.raises(ValueError):
            BirthDate(*bad)
    assert BirthDate(1985, 4, 12).age_on(dt.date(2025, 4, 11)) == 39
    assert BirthDate(1985, 4, 12).age_on(dt.date(2025, 4, 12)) == 40
    assert BirthDate(1940).age_on(dt.date(2026, 1, 1)) == 86


def test_gender_values_match_the_xml_tables():
    assert [g.value for g in (Gender.MALE, Gender.FEMALE, Gender.UNKNOWN)] == [1, 2, 3]


def test_source_is_ordered_by_trust_and_maps_to_the_store():
    assert Source.CHIP_VERIFIED > Source.CHIP_UNVERIFIED > Source.QR > Source.TYPED
    assert [s.store_value for s in Source] == ["typed", "qr", "chip", "chip"]


def test_person_is_nfc():
    import unicodedata
    p = Person(unicodedata.normalize("NFD", "NGUYỄN VĂN THỬ"), None, Gender.MALE, unicodedata.normalize("NFD", "Hà Nội"))
    assert p.full_name == "NGUYỄN VĂN THỬ" and p.address == "Hà Nội"


def test_bhyt_card_derives_from_the_15_char_code():
    c = BhytCard(code15="DN4010100000101")
    assert (c.bhxh_number10, c.benefit_level, c.group, c.province, c.card_number) == (
        "0100000101", 4, "DN", "01", "DN4010100000101")
    assert BhytCard(bhxh_number10="4006000606").card_number == "4006000606"


def test_lookup_keys_for_the_store():
    i = Identity(None, cccd=CccdDocument("001085000101", old_id="012345678"), bhyt=BhytCard(code15="DN4010100000101"))
    assert i.lookup_keys() == [("cccd", "001085000101"), ("old_id", "012345678"), ("bhyt", "DN4010100000101"),
                               ("bhxh", "0100000101")]
    assert Identity(None, old_id=OldIdDocument("012345678")).lookup_keys() == [("old_id", "012345678")]
    assert {k for k, _ in i.lookup_keys()} <= {"cccd", "old_id", "bhyt", "bhxh"}   # the schema's CHECK


def test_reference_lists():
    assert len(PROVINCES) == 63 and len(CCCD_PROVINCES) == 63
    assert province_name("001") == "Hà Nội" and province_name("96") == "Cà Mau" and province_name("003") is None
    assert {"DN", "HT", "TE", "GD", "HS", "CN", "QN", "CA"} <= set(BHYT_GROUPS)


def test_every_error_and_warning_has_both_languages_and_a_unique_code():
    codes = [e.code for e in ALL_ERRORS]
    assert len(codes) == len(set(codes))
    for e in ALL_ERRORS:
        assert e.vi and e.en and e.staff and e.vi != e.en
    for vi, en in CATALOGUE.values():
        assert vi and en and vi != en
