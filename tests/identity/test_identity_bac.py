import datetime as dt

import pytest

from kiosk.identity import BirthDate, parse
from kiosk.identity.bac import BacKey, bac_candidates, document_number
from kiosk.demo.people import by_key
from kiosk.identity.mrz import check_digit, format_td1, normalize_td1, parse_mrz_fields

TODAY = dt.date(2026, 11, 21)


def test_icao_worked_example_mrz_information():
    # ICAO Doc 9303 part 11, appendix D: MRZ_information of the worked BAC example.
    assert BacKey("L898902C", "690806", "940623").mrz_information() == "L898902C<369080619406236"


@pytest.mark.parametrize("field,digit", [("L898902C<", "3"), ("690806", "1"), ("940623", "6"),
                                         ("D23145890", "7"), ("<<<<<<", "0"), ("520727", "3")])
def test_check_digits(field, digit):
    assert check_digit(field) == digit


def test_document_number_rules():
    assert document_number("001085000101", "last9") == "085000101"
    assert document_number("001085000101", "first9") == "001085000"
    assert document_number("001085000101", "full12") == "001085000101"
    with pytest.raises(ValueError):
        document_number("001085000101", "middle")


def test_candidates_from_number_and_birth_running_expiry_first():
    keys = bac_candidates(("001085000101", BirthDate(1985, 4, 12)), today=TODAY)
    expiries = [k.expiry_yymmdd for k in keys]
    assert expiries[0] == "450412"                    # turns 60 in 2045: the card running now
    assert set(expiries) == {"450412", "250412", "100412", "990412"}
    assert all(k.document_number == "085000101" and k.birth_yymmdd == "850412" for k in keys)


def test_candidates_with_known_issue_date_put_the_exact_expiry_first():
    keys = bac_candidates(("048199000505", BirthDate(1999, 9, 30)), today=TODAY, issue_date=dt.date(2024, 10, 2))
    assert keys[0].expiry_yymmdd == "390930"           # issued at 25: runs until 40


# Real MRZs of CCCDs that do not expire carry "991231" + check digit 5 (conformance review 3.6:
# "6506054F9912315VNM", "6201016M9912315VNM", "5108185M9912315VNM", ... from unrelated code bases).
REAL_NO_EXPIRY_LINE2 = ("6506054F9912315VNM", "6201016M9912315VNM", "5108185M9912315VNM",
                        "6506179M9912315VNM", "5906107F9912315VNM", "5810262M9912315VNM")


@pytest.mark.parametrize("line2", REAL_NO_EXPIRY_LINE2)
def test_real_no_expiry_mrz_check_digits(line2):
    assert check_digit(line2[:6]) == line2[6] and check_digit(line2[8:14]) == line2[14] == "5"


def test_candidates_for_58_plus_try_991231_first():
    keys = bac_candidates(("020045000404", BirthDate(1945, 2, 3)), today=TODAY)
    assert keys[0].expiry_yymmdd == "991231" and keys[0].mrz_information().endswith("9912315")
    forms = [(k.expiry_yymmdd, k.mrz_information()[-1]) for k in keys if k.expiry_yymmdd == "<<<<<<"]
    assert forms == [("<<<<<<", "0"), ("<<<<<<", "<")]
    assert [k.expiry_yymmdd for k in keys[-2:]] == ["<<<<<<"] * 2   # the ICAO filler only as a last resort
    sixty_soon = bac_candidates(("001067000101", BirthDate(1967, 6, 1)), today=TODAY)   # 59 today
    assert sixty_soon[0].expiry_yymmdd == "991231" and sixty_soon[1].expiry_yymmdd == "270601"
    young = bac_candidates(("001085000101", BirthDate(1985, 4, 12)), today=TODAY)
    assert all(k.expiry_yymmdd not in ("<<<<<<", "991231") for k in young)


def test_candidates_issued_at_58_plus_open_with_991231_first():
    keys = bac_candidates(("001062000101", BirthDate(1962, 7, 30)), today=TODAY, issue_date=dt.date(2022, 1, 10))
    assert keys[0].mrz_information()[-7:] == "9912315"


def test_candidates_configurable_ages_and_forms():
    keys = bac_candidates(("020045000404", BirthDate(1945, 2, 3)), today=TODAY, renewal_ages=(60,),
                          no_expiry_forms=("<<<<<<<",))
    assert [k.mrz_information()[-7:] for k in keys] == ["<<<<<<<", "0502032"]


def test_year_only_birth_gives_no_candidates():
    assert bac_candidates(("001085000101", BirthDate(1985)), today=TODAY) == []


def test_candidates_from_an_mrz_are_exactly_its_key():
    mrz = by_key("valid_bhyt").mrz()
    ident = parse(mrz, today=TODAY)
    keys = bac_candidates(ident, rule="first9", today=TODAY)   # the rule does not apply to an MRZ
    assert keys == [BacKey("085000101", "850412", "450412")]
    no_exp = parse(by_key("elderly").mrz(), today=TODAY)
    assert bac_candidates(no_exp)[0].mrz_information() == "045000404945020309912315"
    assert "9912315VNM" in by_key("elderly").mrz().replace("\n", "")   # the demo MRZ as real cards have it


def test_candidates_from_a_cccd_qr_identity_use_its_issue_date():
    ident = parse(by_key("valid_bhyt").cccd_qr, today=TODAY)
    assert bac_candidates(ident, today=TODAY)[0] == BacKey("085000101", "850412", "450412")


def test_format_td1_long_document_number_round_trip():
    text = format_td1("001085000101", "850412", "450412", "M", "NGUYEN<<VAN<THU")
    m = parse_mrz_fields(normalize_td1(text))
    assert m.document_number == "001085000101"
    assert BacKey(m.document_number, m.birth_yymmdd, m.expiry_yymmdd).mrz_information().startswith(
        "001085000101" + check_digit("001085000101"))


def test_can_is_the_last_six_digits_of_the_cccd_number():
    # public CCCD readers: CAN = last 6 digits of the 12-digit number (e.g. 001200004595 -> 004595)
    from kiosk.identity.bac import can_of, chip_access
    assert can_of(("001200004595", BirthDate(2000, 4, 27))) == "004595"
    ident = parse(by_key("valid_bhyt").cccd_qr, today=TODAY)
    acc = chip_access(ident, today=TODAY)
    assert acc.can == ident.cccd.number[-6:] and acc.keys[0] == BacKey("085000101", "850412", "450412")
    assert ident.cccd.number[-6:] not in repr(acc)
    assert can_of(parse(by_key("valid_bhyt").mrz(), today=TODAY)) == "000101"   # from the MRZ optional data
    assert can_of("12345") is None
