"""APDU encodings: the four ISO 7816-4 cases, short and extended, and their decoding."""
from __future__ import annotations

import pytest

from drivers.card.apdu import CommandApdu, ResponseApdu

H = bytes.fromhex


@pytest.mark.parametrize("apdu,wire", [
    (CommandApdu(0x00, 0xA4, 0x04, 0x0C, H("A0000002471001")), "00A4040C07A0000002471001"),
    (CommandApdu(0x00, 0x84, 0x00, 0x00, le=8), "0084000008"),
    (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=256), "00B0000000"),
    (CommandApdu(0x00, 0x82, 0x00, 0x00, H("01") * 40, le=40), "0082000028" + "01" * 40 + "28"),
    (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1000), "00B00000" "0003E8"),
    (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=65536), "00B00000" "000000"),
    (CommandApdu(0x0C, 0xB0, 0x00, 0x00, H("AA") * 300, le=65536), "0CB00000" "00012C" + "AA" * 300 + "0000"),
    (CommandApdu(0x00, 0x20, 0x00, 0x00), "00200000"),
])
def test_encode_decode(apdu, wire):
    assert apdu.encode().hex().upper() == wire
    assert CommandApdu.decode(H(wire)) == apdu


def test_forced_extended_and_bad_lengths():
    assert CommandApdu(0x00, 0xB0, 0, 0, le=4).encode(extended=True).hex().upper() == "00B00000000004"
    with pytest.raises(ValueError):
        CommandApdu.decode(H("00A4040C07A000"))
    with pytest.raises(ValueError):
        ResponseApdu.from_bytes(b"\x90")
    assert ResponseApdu.from_bytes(H("01029000")) == ResponseApdu(H("0102"), 0x9000)
