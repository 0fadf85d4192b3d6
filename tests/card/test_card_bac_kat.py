"""Known answers: ICAO Doc 9303 part 11, Appendix D (worked BAC and secure-messaging example).

Every value below is the document's; the same numbers appear in JMRTD, gmrtd and dmrtd tests.
"""
from __future__ import annotations

import pytest

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.errors import SecureMessagingError
from drivers.card.icao.bac import BacAuthError, BacKey, BacTerminal, chip_answer, check_digit
from drivers.card.icao.crypto import retail_mac
from drivers.card.icao.sm import SecureMessaging

H = bytes.fromhex
KEY = BacKey("L898902C", "690806", "940623")
RND_IFD, RND_ICC = H("781723860C06C226"), H("4608F91988702212")
K_IFD, K_ICC = H("0B795240CB7049B01C19B33E32804F0B"), H("0B4F80323EB3191CB04970CB4052790B")
E_IFD = H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
M_IFD = H("5F1448EEA8AD90A7")
E_ICC = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F")
M_ICC = H("2F2D235D074D7449")
KS_ENC, KS_MAC = H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = 0x887022120C06C226

SELECT_COM = "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
SELECT_COM_RESP = "990290008E08FA855A5D4C50A8ED9000"
READ4 = "0CB000000D9701048E08ED6705417E96BA5500"
READ4_RESP = "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"
READ18 = "0CB000040D9701128E082EA28A70F3C7B53500"
READ18_RESP = "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"
EF_COM = "60145F0104303130365F36063034303030305C026175"


def _scripted(*chunks: bytes):
    it = iter(chunks)
    return lambda n: next(it)


def test_mrz_information_and_key_seed():
    assert check_digit("L898902C<") == "3"
    assert KEY.mrz_information() == "L898902C<369080619406236"
    assert KEY.seed() == H("239AB9CB282DAF66231DC5A4DF6BFBAE")


def test_document_basic_access_keys():
    k_enc, k_mac = KEY.keys()
    assert k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_terminal_cryptogram_and_mac():
    k_enc, k_mac = KEY.keys()
    term = BacTerminal(k_enc, k_mac, rng=_scripted(RND_IFD, K_IFD))
    assert term.mutual_auth_data(RND_ICC) == E_IFD + M_IFD
    assert retail_mac(k_mac, E_IFD) == M_IFD


def test_session_keys_and_ssc_from_chip_answer():
    k_enc, k_mac = KEY.keys()
    term = BacTerminal(k_enc, k_mac, rng=_scripted(RND_IFD, K_IFD))
    term.mutual_auth_data(RND_ICC)
    sm = term.finish(E_ICC + M_ICC)
    assert (sm.ks_enc, sm.ks_mac, sm.ssc) == (KS_ENC, KS_MAC, SSC)


def test_chip_side_produces_the_example_answer():
    k_enc, k_mac = KEY.keys()
    answer, sm = chip_answer(k_enc, k_mac, RND_ICC, E_IFD + M_IFD, rng=lambda n: K_ICC)
    assert answer == E_ICC + M_ICC
    assert (sm.ks_enc, sm.ks_mac, sm.ssc) == (KS_ENC, KS_MAC, SSC)


def test_wrong_key_is_rejected_by_both_sides():
    k_enc, k_mac = BacKey("L898902C", "690806", "940624").keys()
    term = BacTerminal(k_enc, k_mac, rng=_scripted(RND_IFD, K_IFD))
    with pytest.raises(BacAuthError):
        chip_answer(*KEY.keys(), RND_ICC, term.mutual_auth_data(RND_ICC))
    with pytest.raises(BacAuthError):
        term.finish(E_ICC + M_ICC)


def test_every_protected_apdu_of_the_example():
    sm = SecureMessaging(KS_ENC, KS_MAC, SSC)
    assert sm.protect(CommandApdu(0x00, 0xA4, 0x02, 0x0C, H("011E"))).encode().hex().upper() == SELECT_COM
    assert sm.unprotect(ResponseApdu.from_bytes(H(SELECT_COM_RESP))) == ResponseApdu(b"", 0x9000)
    assert sm.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4)).encode().hex().upper() == READ4
    first = sm.unprotect(ResponseApdu.from_bytes(H(READ4_RESP)))
    assert first == ResponseApdu(H("60145F01"), 0x9000)
    assert sm.protect(CommandApdu(0x00, 0xB0, 0x00, 0x04, le=0x12)).encode().hex().upper() == READ18
    rest = sm.unprotect(ResponseApdu.from_bytes(H(READ18_RESP)))
    assert rest.data == H("04303130365F36063034303030305C026175")
    assert (first.data + rest.data).hex().upper() == EF_COM
    assert sm.ssc == 0x887022120C06C22C


def test_chip_side_reproduces_the_example_responses():
    term = SecureMessaging(KS_ENC, KS_MAC, SSC)
    chip = SecureMessaging(KS_ENC, KS_MAC, SSC)
    plain = chip.unwrap_command(CommandApdu.decode(H(SELECT_COM)))
    assert (plain.ins, plain.data) == (0xA4, H("011E"))
    assert chip.wrap_response(b"", 0x9000).to_bytes().hex().upper() == SELECT_COM_RESP
    plain = chip.unwrap_command(CommandApdu.decode(H(READ4)))
    assert (plain.ins, plain.p2, plain.le) == (0xB0, 0, 4)
    assert chip.wrap_response(H("60145F01"), 0x9000).to_bytes().hex().upper() == READ4_RESP
    del term


def test_tampered_response_mac_is_rejected():
    sm = SecureMessaging(KS_ENC, KS_MAC, SSC)
    sm.protect(CommandApdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    bad = bytearray(H(SELECT_COM_RESP))
    bad[3] ^= 0x01  # flip a bit of the status word inside DO'99'
    with pytest.raises(SecureMessagingError):
        sm.unprotect(ResponseApdu.from_bytes(bytes(bad)))


def test_extended_length_protection_round_trip():
    term = SecureMessaging(KS_ENC, KS_MAC, SSC)
    chip = SecureMessaging(KS_ENC, KS_MAC, SSC)
    wire = term.protect(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=2048)).encode()
    assert wire[4] == 0x00 and wire[-2:] == b"\x00\x00"  # extended Lc and Le
    plain = chip.unwrap_command(CommandApdu.decode(wire))
    assert plain.le == 2048
    payload = bytes(range(256)) * 8
    assert term.unprotect(chip.wrap_response(payload, 0x9000)).data == payload


def test_odd_ins_uses_do85():
    term = SecureMessaging(KS_ENC, KS_MAC, SSC)
    chip = SecureMessaging(KS_ENC, KS_MAC, SSC)
    wire = term.protect(CommandApdu(0x00, 0xB1, 0x00, 0x00, H("54030186A0"), le=200)).encode()
    assert wire[5] == 0x85
    assert chip.unwrap_command(CommandApdu.decode(wire)).data == H("54030186A0")
