"""PACE end to end against the in-process virtual chip: CAN, MRZ password, PACE-only chips,
every cipher and a spread of the standardized curves, AES secure messaging faults."""
from __future__ import annotations

import os

import pytest

from drivers.card.errors import AccessDeniedError, SecureMessagingError
from drivers.card.icao.bac import BacKey
from drivers.card.icao.csca import load_store
from drivers.card.icao.pace import PaceInfo
from drivers.card.icao.reader import IcaoReader
from drivers.card.sim.chip import DirectTransport, Faults, VirtualChip
from drivers.card.sim.citizen import DEFAULT_CITIZENS, build_files, face_jpeg

C = DEFAULT_CITIZENS[0]
WRONG = BacKey("999999999", "900315", "300315")
GM = "0.4.0.127.0.7.2.2.4.2."


def vchip(pki, pace=True, pace_only=False, faults=None, **kw):
    return VirtualChip(build_files(C, pki, pace=pace, **kw), C.bac_key(), faults, can=C.can, pace_only=pace_only)


def test_can_is_the_last_six_digits():
    assert C.can == C.cccd[-6:] == "001234"


def test_pace_with_can_reads_everything_and_passes_pa(pki):
    v = vchip(pki)
    out = IcaoReader(DirectTransport(v)).read([], can=C.can, csca=load_store(pki.csca_dir))
    assert out.access_protocol == "PACE" and v.access == "PACE" and out.key_index == 0
    assert set(out.files) == {"COM", "DG1", "DG2", "DG13", "SOD"} and out.pa.ok
    assert out.dg13.fields[1] == C.cccd and out.face.data == face_jpeg(C.cccd)


def test_pace_only_chip_refuses_bac_but_is_read_with_pace(pki):
    with pytest.raises(AccessDeniedError):
        IcaoReader(DirectTransport(vchip(pki, pace_only=True)), use_pace=False).read([C.bac_key()])
    out = IcaoReader(DirectTransport(vchip(pki, pace_only=True))).read([C.bac_key()], can=C.can)
    assert out.access_protocol == "PACE" and out.mrz.document_number == C.cccd[-9:]


def test_pace_only_chip_without_can_uses_the_mrz_password(pki):
    out = IcaoReader(DirectTransport(vchip(pki, pace_only=True))).read([WRONG, C.bac_key()])
    assert out.access_protocol == "PACE" and out.key_index == 1 and out.bac_attempts == 2


def test_wrong_can_falls_back_to_the_mrz_keys(pki):
    out = IcaoReader(DirectTransport(vchip(pki))).read([C.bac_key()], can="999999")
    assert out.access_protocol == "PACE" and out.key_index == 1


def test_wrong_everything_is_denied_and_bounded(pki):
    with pytest.raises(AccessDeniedError):
        IcaoReader(DirectTransport(vchip(pki, pace_only=True)), max_bac_attempts=2).read([WRONG] * 5, can="999999")


def test_chip_without_pace_is_read_with_bac_even_with_a_can(pki):
    out = IcaoReader(DirectTransport(vchip(pki, pace=False))).read([C.bac_key()], can=C.can)
    assert out.access_protocol == "BAC" and out.pace_offered == ()


def test_unsupported_pace_offer_falls_back_to_bac(pki):
    dh_only = (PaceInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 0),)    # PACE-DH-GM: not implemented
    out = IcaoReader(DirectTransport(vchip(pki, pace=dh_only))).read([C.bac_key()], can=C.can)
    assert out.access_protocol == "BAC" and out.pace_offered == ("0.4.0.127.0.7.2.2.4.1.2",)


@pytest.mark.parametrize("suite,param", [
    ("1", 12),   # 3DES, secp256r1 (3DES secure messaging after PACE)
    ("2", 8),    # AES-128, secp192r1
    ("2", 11),   # AES-128, brainpoolP224r1
    ("3", 14),   # AES-192, brainpoolP320r1
    ("3", 15),   # AES-192, secp384r1
    ("4", 16),   # AES-256, brainpoolP384r1
    ("4", 17),   # AES-256, brainpoolP512r1
    ("4", 18),   # AES-256, secp521r1
])
def test_every_cipher_and_many_curves(pki, suite, param):
    v = vchip(pki, pace=(PaceInfo(GM + suite, 2, param),))
    out = IcaoReader(DirectTransport(v)).read([], can=C.can, csca=load_store(pki.csca_dir))
    assert out.access_protocol == "PACE" and out.pa.ok
    assert type(v.sm).__name__ == ("SecureMessaging" if suite == "1" else "AesSecureMessaging")


def test_several_pace_infos_pick_the_strongest_and_name_the_parameters(pki):
    infos = (PaceInfo(GM + "1", 2, 13), PaceInfo(GM + "4", 2, 13), PaceInfo(GM + "2", 2, 12))
    sent = []
    v = vchip(pki, pace=infos)
    t = DirectTransport(v)
    orig = t.transmit
    t.transmit = lambda apdu: (sent.append(apdu), orig(apdu))[1]
    out = IcaoReader(t).read([], can=C.can)
    assert out.access_protocol == "PACE" and v.sm.ks_enc.__len__() == 32           # AES-256 keys
    mse = next(a for a in sent if a[1:4] == bytes.fromhex("22C1A4"))
    assert mse.endswith(bytes.fromhex("83010284010D"))          # password CAN, DO'84' = 13


def test_aes_sm_large_file_with_odd_ins(pki):
    big_face = face_jpeg("x") + os.urandom(40000)
    out = IcaoReader(DirectTransport(vchip(pki, face=big_face)), chunk_size=4000).read(
        [], can=C.can, csca=load_store(pki.csca_dir))
    assert out.access_protocol == "PACE" and out.face.data == big_face and out.pa.ok


def test_aes_sm_detects_a_corrupted_mac(pki):
    v = vchip(pki, faults=Faults(wrong_mac_on_apdu=12))
    with pytest.raises(SecureMessagingError):
        IcaoReader(DirectTransport(v)).read([], can=C.can)
