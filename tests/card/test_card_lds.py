"""LDS parsers on synthetic structures: EF.COM, DG1 (TD1), DG13 by field number, DG2, CardAccess."""
from __future__ import annotations

import datetime as dt

import pytest

from drivers.card.errors import MalformedDataError
from drivers.card.icao import tlv
from drivers.card.icao.dg13 import PARENTS, build_dg13, parse_dg13
from drivers.card.icao.lds import EF, parse_card_access, parse_com, parse_dg1, parse_dg2, parse_td1, td1_text
from drivers.card.sim.citizen import DEFAULT_CITIZENS, card_access_bytes, dg1_bytes, dg2_bytes, face_jpeg

H = bytes.fromhex


def seq(*items: bytes) -> bytes:
    return tlv.encode(0x30, b"".join(items))


def entry(n: int, value: bytes) -> bytes:
    return seq(tlv.encode(0x02, bytes((n,))), value)


def utf8(s: str) -> bytes:
    return tlv.encode(0x0C, s.encode())


def test_ef_com_of_the_worked_example():
    com = parse_com(H("60145F0104303130365F36063034303030305C026175"))
    assert (com.lds_version, com.unicode_version, com.tags) == ("0106", "040000", (0x61, 0x75))
    assert com.files() == (EF.DG1, EF.DG2)


def test_td1_of_icao_part5_specimen():
    # ICAO 9303 part 5 TD1 specimen (Utopia, ERIKSSON ANNA MARIA)
    mrz = ("I<UTOD231458907<<<<<<<<<<<<<<<" "7408122F1204159UTO<<<<<<<<<<<6" "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    m = parse_td1(mrz)
    assert m.check_digits_ok
    assert (m.document_code, m.issuing_state, m.document_number) == ("I", "UTO", "D23145890")
    assert (m.birth_yymmdd, m.sex, m.expiry_yymmdd, m.nationality) == ("740812", "F", "120415", "UTO")
    assert (m.surname, m.given_names) == ("ERIKSSON", "ANNA MARIA")
    broken = mrz[:35] + "9" + mrz[36:]
    assert not parse_td1(broken).check_digits_ok


def test_dg1_of_a_cccd_chip():
    c = DEFAULT_CITIZENS[0]
    m = parse_dg1(dg1_bytes(c))
    assert m.check_digits_ok
    assert m.document_number == c.cccd[-9:] and m.optional_data1 == c.cccd
    assert m.birth_yymmdd == c.birth_date.strftime("%y%m%d") and m.issuing_state == "VNM"


def test_td1_non_expiring_filler_and_bad_length():
    text = td1_text("ID", "VNM", "062009012", "048062009012", "620730", "M", "<<<<<<", "VNM", "", "LE", "VAN")
    assert parse_td1(text).check_digits_ok and parse_td1(text).expiry_yymmdd == "<<<<<<"
    with pytest.raises(MalformedDataError):
        parse_td1(text[:89])


def test_dg13_by_field_number_with_unknown_fields_and_parents_sequence():
    data = tlv.encode(0x6D, seq(
        tlv.encode(0x02, b"\x01"),                               # version, not an entry
        entry(2, utf8("NGUYỄN VĂN CHÍP")),
        entry(99, utf8("unknown future field")),                 # unknown: skipped
        entry(1, tlv.encode(0x13, b"079190001234")),             # PrintableString, out of order
        entry(13, seq(utf8("Nguyễn Văn Cha"), utf8("Trần Thị Mẹ"))),
        entry(15, utf8("B1234567")),                             # 15: other document number, kept
        entry(3, utf8("15/03/1990")),
    ))
    d = parse_dg13(data)
    assert d.fields[1] == "079190001234" and d.fields[2] == "NGUYỄN VĂN CHÍP" and d.fields[3] == "15/03/1990"
    assert d.fields[PARENTS] == ("Nguyễn Văn Cha", "Trần Thị Mẹ")
    assert (d.father, d.mother) == ("Nguyễn Văn Cha", "Trần Thị Mẹ")
    assert d.skipped == (99,) and d.fields[15] == "B1234567"
    assert "NGUYỄN" not in repr(d)  # no personal data in logs


def test_dg13_parents_as_two_strings_and_nested_wrappers():
    data = tlv.encode(0x6D, seq(seq(entry(13, utf8("A") + utf8("B")), entry(4, utf8("Nữ")))))
    d = parse_dg13(data)
    assert d.fields[13] == ("A", "B") and d.fields[4] == "Nữ"


def test_dg13_round_trip_of_the_builder_and_errors():
    c = DEFAULT_CITIZENS[2]
    from drivers.card.sim.citizen import dg13_fields
    d = parse_dg13(build_dg13(dg13_fields(c)))
    assert d.fields[1] == c.cccd and d.fields[12] == "Không thời hạn" and d.fields[14] == c.spouse
    with pytest.raises(MalformedDataError):
        parse_dg13(tlv.encode(0x61, b""))
    with pytest.raises(MalformedDataError):
        parse_dg13(tlv.encode(0x6D, seq(entry(77, utf8("x")))))


def test_dg2_jpeg_and_jpeg2000_extraction():
    jpeg = face_jpeg("seed")
    face = parse_dg2(dg2_bytes(jpeg))
    assert face.mime == "image/jpeg" and face.data == jpeg
    assert face.decode().size == (120, 160)
    jp2 = b"\x00\x00\x00\x0CjP  \r\n\x87\n" + b"\x00" * 40
    assert parse_dg2(dg2_bytes(jp2)).mime == "image/jp2"
    with pytest.raises(MalformedDataError):
        parse_dg2(dg2_bytes(b"GIF89a" + b"\x00" * 20))


def test_card_access_reports_pace():
    # the virtual chip offers ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (id 13), as the ICAO example
    assert card_access_bytes() == H("31143012060A04007F0007020204020202010202010D")
    assert parse_card_access(card_access_bytes()) == ("0.4.0.127.0.7.2.2.4.2.2",)
    other = tlv.encode(0x31, seq(tlv.encode(0x06, H("04007F00070202020201")), tlv.encode(0x02, b"\x01")))
    assert parse_card_access(other) == ()


def test_citizen_dates_are_sane():
    for c in DEFAULT_CITIZENS:
        assert c.birth_date < dt.date.today() and len(c.cccd) == 12
