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
