import pytest

from kiosk.identity.mask import mask_birth, mask_name, mask_number
from kiosk.identity.model import BirthDate


@pytest.mark.parametrize("name,masked", [
    ("NGUYỄN VĂN AN", "NGUYỄN V** A"),
    ("TRẦN THỊ MỸ DUYÊN", "TRẦN T** M** D"),
    ("LÊ AN", "LÊ A"),
    ("ĐỖ", "Đ**"),
    ("  nguyễn   văn  an ", "nguyễn v** a"),
    ("NGUYỄN VĂN ĐỨC", "NGUYỄN V** Đ"),
    ("", ""),
    (None, ""),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_name_is_nfc_even_from_nfd():
    import unicodedata
    assert mask_name(unicodedata.normalize("NFD", "ĐẶNG ỨNG AN")) == "ĐẶNG Ứ** A"


@pytest.mark.parametrize("number,masked", [
    ("001085000101", "*** *** 0101"),
    ("DN4010100000101", "*** *** 0101"),
    ("012345678", "*** *** 5678"),
    ("0100000101", "*** *** 0101"),
    ("12345", "*** ***"),       # too short to show anything without revealing most of it
    ("", ""),
    (None, ""),
])
def test_mask_number(number, masked):
    assert mask_number(number) == masked


def test_mask_birth_keeps_the_year_only():
    assert mask_birth(BirthDate(1985, 4, 12)) == "1985"
    assert mask_birth(BirthDate(1940)) == "1940"
    assert mask_birth(None) == ""


def test_repr_of_an_identity_shows_no_one():
    """A stray `log.info("%r", identity)` or a traceback's locals must not carry the person."""
    import datetime as dt

    from kiosk.identity import parse
    from kiosk.identity.merge import merge
    cccd = parse("001085000101|012345678|NGUYỄN VĂN THỬ|12041985|Nam|Số 1 phố Thử Nghiệm, Hà Nội|20052025",
                 today=dt.date(2026, 11, 21))
    bhyt = parse("DN4010100000101|4e475559e1bb844e2056c4824e205448e1bbac|12/04/1986|1|-|01 - 001|01/01/2026|"
                 "31/12/2030|-|-|-|-|-|-|4|-|$", today=dt.date(2026, 11, 21))
    mrz = parse("IDVNM0850001017001085000101<<<\n8504124M4504126VNM<<<<<<<<<<<6\nNGUYEN<<VAN<THU<<<<<<<<<<<<<<<",
                today=dt.date(2026, 11, 21))
    merged = merge(cccd, bhyt)
    text = " ".join(repr(x) for x in (cccd, bhyt, mrz, merged.identity, merged.conflicts))
    for secret in ("001085000101", "085000101", "012345678", "0100000101", "THỬ", "VĂN", "NGUYEN<<",
                   "Thử Nghiệm", "1985-04-12", "850412", "month=4"):
        assert secret not in text, secret
    assert "NGUYỄN V** T" in text and "*** *** 0101" in text and merged.conflicts
