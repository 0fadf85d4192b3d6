"""Known answers: ICAO 9303-11 worked example of PACE-ECDH-GM-AES-CBC-CMAC-128 on
brainpoolP256r1 (MRZ password T22000129 / 640812 / 101031), every intermediate value and every
APDU; AES-CMAC from RFC 4493 section 4; the curve constants against `cryptography`."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec as cec

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.icao.aes import aes_cmac
from drivers.card.icao.bac import BacKey
from drivers.card.icao.ec import CURVES
from drivers.card.icao.pace import (PacePassword, PaceTerminal, mapped_generator, parse_pace_infos,
                                    session_keys, token_input)
from drivers.card.icao.pace_chip import PaceChip

H = bytes.fromhex
CARD_ACCESS = H("31143012060A04007F0007020204020202010202010D")
KEY = BacKey("T22000129", "640812", "101031")
K_PI = "89DED1B26624EC1E634C1989302849DD"
Z = "95A3A016522EE98D01E76CB6B98B42C3"
S = "3F00C4D39D153F2B2A214A078D899B22"
SK_MAP_IFD = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
PK_MAP_IFD = ("7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
              "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D")
SK_MAP_IC = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
PK_MAP_IC = ("824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
             "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")
H_SHARED = ("60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
            "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")
G_HAT = ("8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
         "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")
SK_EPH_IFD = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595
PK_EPH_IFD = ("2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
              "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462")
SK_EPH_IC = 0x107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A
PK_EPH_IC = ("9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
             "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094")
K_SHARED = "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925"
KS_ENC, KS_MAC = "F5F0E35C0D7161EE6724EE513A0D9A7F", "FE251C7858B356B24514B3BD5F4297D1"
T_IFD, T_IC = "C2B0BD78D94BA866", "3ABB9674BCE93C08"
APDUS = [  # terminal command -> chip answer, as in the worked example
    ("0022C1A40F800A04007F00070202040202830101", "9000"),
    ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
    ("10860000457C43814104" + PK_MAP_IFD + "00", "7C43824104" + PK_MAP_IC + "9000"),
    ("10860000457C43834104" + PK_EPH_IFD + "00", "7C43844104" + PK_EPH_IC + "9000"),
    ("008600000C7C0A8508" + T_IFD + "00", "7C0A8608" + T_IC + "9000"),
]
CURVE = CURVES[13]


def pt(hexxy: str):
    return CURVE.decode(H("04" + hexxy))


def scalars(*ks: int):
    it = iter(ks)
    return lambda n: next(it).to_bytes(n, "big")


def test_card_access_names_ecdh_gm_aes128_on_brainpool256():
    (info,) = parse_pace_infos(CARD_ACCESS)
    assert (info.oid, info.version, info.parameter_id) == ("0.4.0.127.0.7.2.2.4.2.2", 2, 13)
    assert info.supported and info.suite.key_bits == 128 and info.curve.name == "brainpoolP256r1"


def test_every_intermediate_value():
    (info,) = parse_pace_infos(CARD_ACCESS)
    suite = info.suite
    k_pi = PacePassword.mrz(KEY).k_pi(suite)
    assert k_pi.hex().upper() == K_PI
    assert suite.decrypt_nonce(k_pi, H(Z)).hex().upper() == S
    assert CURVE.encode(CURVE.mul(SK_MAP_IFD, CURVE.g)).hex().upper() == "04" + PK_MAP_IFD
    assert CURVE.encode(CURVE.mul(SK_MAP_IC, CURVE.g)).hex().upper() == "04" + PK_MAP_IC
    h = CURVE.mul(SK_MAP_IFD, pt(PK_MAP_IC))
    assert h == CURVE.mul(SK_MAP_IC, pt(PK_MAP_IFD))
    assert CURVE.encode(h).hex().upper() == "04" + H_SHARED
    g_hat = mapped_generator(CURVE, H(S), h)
    assert CURVE.encode(g_hat).hex().upper() == "04" + G_HAT
    assert CURVE.encode(CURVE.mul(SK_EPH_IFD, g_hat)).hex().upper() == "04" + PK_EPH_IFD
    assert CURVE.encode(CURVE.mul(SK_EPH_IC, g_hat)).hex().upper() == "04" + PK_EPH_IC
    k = CURVE.mul(SK_EPH_IFD, pt(PK_EPH_IC))
    assert k[0].to_bytes(32, "big").hex().upper() == K_SHARED
    ks_enc, ks_mac = session_keys(suite, CURVE, k)
    assert (ks_enc.hex().upper(), ks_mac.hex().upper()) == (KS_ENC, KS_MAC)
    t_in = token_input(info, CURVE, pt(PK_EPH_IC))
    assert t_in.hex().upper() == "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
    assert suite.mac8(ks_mac, t_in).hex().upper() == T_IFD
    assert suite.mac8(ks_mac, token_input(info, CURVE, pt(PK_EPH_IFD))).hex().upper() == T_IC


def test_terminal_sends_the_worked_example_apdus():
    (info,) = parse_pace_infos(CARD_ACCESS)
    script = list(APDUS)

    def send(cmd: CommandApdu) -> ResponseApdu:
        expected, answer = script.pop(0)
        assert cmd.encode().hex().upper() == expected
        return ResponseApdu.from_bytes(H(answer))

    sm = PaceTerminal(info, PacePassword.mrz(KEY), scalars(SK_MAP_IFD, SK_EPH_IFD)).run(send)
    assert not script
    assert (sm.ks_enc.hex().upper(), sm.ks_mac.hex().upper(), sm.ssc) == (KS_ENC, KS_MAC, 0)
    assert type(sm).__name__ == "AesSecureMessaging"


def test_chip_answers_the_worked_example():
    (info,) = parse_pace_infos(CARD_ACCESS)
    keys = iter((SK_MAP_IC, SK_EPH_IC))
    chip = PaceChip([info], {1: PacePassword.mrz(KEY)}, rng=lambda n: H(S), scalar=lambda c: next(keys))
    assert chip.mse(CommandApdu.decode(H(APDUS[0][0]))) == 0x9000
    sm = None
    for cmd, answer in APDUS[1:]:
        data, sw, sm = chip.general_authenticate(CommandApdu.decode(H(cmd)))
        assert (data + sw.to_bytes(2, "big")).hex().upper() == answer
    assert sm is not None and sm.ks_mac.hex().upper() == KS_MAC


def test_chip_refuses_a_wrong_token():
    (info,) = parse_pace_infos(CARD_ACCESS)
    keys = iter((SK_MAP_IC, SK_EPH_IC))
    chip = PaceChip([info], {1: PacePassword.mrz(KEY)}, rng=lambda n: H(S), scalar=lambda c: next(keys))
    chip.mse(CommandApdu.decode(H(APDUS[0][0])))
    for cmd, _ in APDUS[1:4]:
        chip.general_authenticate(CommandApdu.decode(H(cmd)))
    bad = APDUS[4][0][:-4] + "0000"
    assert chip.general_authenticate(CommandApdu.decode(H(bad)))[1] == 0x6300


# RFC 4493 section 4: K = 2b7e1516 28aed2a6 abf71588 09cf4f3c
RFC_KEY = H("2b7e151628aed2a6abf7158809cf4f3c")
RFC_MSG = H("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")


@pytest.mark.parametrize("length,mac", [
    (0, "bb1d6929e95937287fa37d129b756746"),
    (16, "070a16b46b4d4144f79bdd9dd04a287c"),
    (40, "dfa66747de9ae63030ca32611497c827"),
    (64, "51f0bebf7e3b9d92fc49741779363cfe"),
])
def test_aes_cmac_rfc4493(length, mac):
    assert aes_cmac(RFC_KEY, RFC_MSG[:length]).hex() == mac


CRYPTOGRAPHY_NAMES = {8: cec.SECP192R1, 10: cec.SECP224R1, 12: cec.SECP256R1, 13: cec.BrainpoolP256R1,
                      15: cec.SECP384R1, 16: cec.BrainpoolP384R1, 17: cec.BrainpoolP512R1, 18: cec.SECP521R1}


@pytest.mark.parametrize("pid", sorted(CURVES))
def test_curve_constants(pid):
    c = CURVES[pid]
    assert c.on_curve(c.g) and c.add(c.mul(c.n - 1, c.g), c.g) is None  # n*G = O
    if pid in CRYPTOGRAPHY_NAMES:
        k = 0x1234567890ABCDEF1234567890ABCDEF % c.n
        pub = cec.derive_private_key(k, CRYPTOGRAPHY_NAMES[pid]()).public_key().public_numbers()
        assert c.mul(k, c.g) == (pub.x, pub.y)
