"""The ICAO reader against the in-process virtual chip: full read, keys, chunks, faults."""
from __future__ import annotations

import pytest

from drivers.card.errors import AccessDeniedError, CardRemovedError, SecureMessagingError, StatusWordError
from drivers.card.icao.bac import BacKey
from drivers.card.icao.csca import load_store
from drivers.card.icao.lds import EF
from drivers.card.icao.pa import PaCheck
from drivers.card.icao.reader import IcaoReader
from drivers.card.sim.chip import DirectTransport, Faults, VirtualChip
from drivers.card.sim.citizen import DEFAULT_CITIZENS, Forgery, build_files, face_jpeg
from drivers.card.transport_base import exchange

C = DEFAULT_CITIZENS[0]
WRONG = BacKey("999999999", "900315", "300315")


def chip(pki, faults=None, **kw):
    return VirtualChip(build_files(C, pki, **kw), C.bac_key(), faults)


def test_full_read_with_progress_and_pa(pki):
    steps = []
    reader = IcaoReader(DirectTransport(chip(pki)), progress=steps.append)
    out = reader.read([WRONG, C.bac_key()], csca=load_store(pki.csca_dir))
    assert out.key_index == 1 and out.bac_attempts == 2 and out.access_protocol == "BAC"
    assert set(out.files) == {"COM", "DG1", "DG2", "DG13", "SOD"}
    assert out.mrz.document_number == C.cccd[-9:] and out.dg13.fields[1] == C.cccd
    assert out.face.mime == "image/jpeg" and out.face.data == face_jpeg(C.cccd)
    assert out.pa.ok and out.pace_offered == ()
    names = [p.step for p in steps]
    assert names[0] == "bac" and names[-2:] == ["passive-auth", "done"]
    order = list(dict.fromkeys(names))
    assert order == ["bac", "EF.COM", "DG1", "DG13", "DG2", "SOD", "passive-auth", "done"]
    dg2 = [p for p in steps if p.step == "DG2"]
    assert dg2[-1].file_bytes == dg2[-1].file_size == len(out.files["DG2"]) and len(dg2) > 5
    assert steps[-1].total_bytes == sum(len(v) for v in out.files.values())
    assert out.apdus > 40 and out.timings_ms["total"] > 0


def test_file_size_from_first_bytes_saves_round_trips(pki):
    # EF.COM (23 bytes) and DG1 (95) fit one chunk: SELECT + one READ BINARY each
    big = IcaoReader(DirectTransport(chip(pki)), chunk_size=4096).read([C.bac_key()])
    files = {"COM": 23, "DG1": 95}
    assert all(len(big.files[k]) == n for k, n in files.items())
    # card-access probe 1 + select app 1 + BAC 2 + 5 files x (SELECT + 1 READ) + 1 more for DG2;
    # DG14/DG15 are not listed in EF.COM, so not even selected
    assert big.apdus == 1 + 1 + 2 + 5 * 2 + 1
    small = IcaoReader(DirectTransport(chip(pki)), chunk_size=32).read([C.bac_key()])
    assert small.files == big.files and small.apdus > 3 * big.apdus


def test_wrong_keys_are_bounded_and_typed(pki):
    t = DirectTransport(chip(pki))
    with pytest.raises(AccessDeniedError) as err:
        IcaoReader(t, max_bac_attempts=3).read([WRONG] * 5 + [C.bac_key()])
    assert err.value.attempts == 3 and err.value.code == "access_denied"
    assert "999999999" not in str(err.value)


def test_offsets_beyond_32767_use_odd_ins(pki):
    import os
    big_face = face_jpeg("x") + os.urandom(40000)  # JPEG followed by padding: DG2 > 32 KiB
    v = chip(pki, face=big_face)
    reader = IcaoReader(DirectTransport(v), chunk_size=4000)
    out = reader.read([C.bac_key()], csca=load_store(pki.csca_dir))
    assert len(out.files["DG2"]) > 40000 and out.face.data == big_face and out.pa.ok


def test_pace_offer_is_reported_and_used(pki):
    out = IcaoReader(DirectTransport(chip(pki, pace=True))).read([C.bac_key()])
    assert out.pace_offered == ("0.4.0.127.0.7.2.2.4.2.2",) and out.access_protocol == "PACE"
    bac = IcaoReader(DirectTransport(chip(pki, pace=True)), use_pace=False).read([C.bac_key()])
    assert bac.access_protocol == "BAC" and bac.files == out.files


def test_forged_chip_reads_but_fails_pa(pki):
    out = IcaoReader(DirectTransport(chip(pki, forgery=Forgery.DG13_ALTERED))).read(
        [C.bac_key()], csca=load_store(pki.csca_dir))
    assert out.dg13 is not None and not out.pa.ok and out.pa.failed is PaCheck.DG_HASH


def test_wrong_response_mac_is_detected(pki):
    v = chip(pki, Faults(wrong_mac_on_apdu=8))
    with pytest.raises(SecureMessagingError):
        IcaoReader(DirectTransport(v)).read([C.bac_key()])


def test_security_status_not_satisfied(pki):
    v = chip(pki, Faults(deny_file=EF.DG13.fid))
    with pytest.raises(StatusWordError) as err:
        IcaoReader(DirectTransport(v)).read([C.bac_key()])
    assert err.value.sw == 0x6982


def test_card_removed_mid_read_then_read_again(pki):
    v = chip(pki, Faults(remove_after_apdus=20))
    t = DirectTransport(v)
    with pytest.raises(CardRemovedError) as err:
        IcaoReader(t).read([C.bac_key()])
    assert err.value.retryable
    t.reinsert()
    out = IcaoReader(t).read([C.bac_key()], csca=load_store(pki.csca_dir))
    assert out.pa.ok


def test_t0_get_response_and_wrong_le():
    calls = []

    def card(apdu: bytes) -> bytes:
        calls.append(apdu.hex().upper())
        if apdu[1] == 0xC0:
            return bytes.fromhex("0304") + bytes.fromhex("9000") if apdu[4] == 2 else b"\x67\x00"
        if apdu[4] == 0x10:
            return bytes.fromhex("6C05")
        return bytes.fromhex("0102") + bytes.fromhex("6102")

    assert exchange(card, bytes.fromhex("00B0000010")) == bytes.fromhex("010203049000")
    assert calls == ["00B0000010", "00B0000005", "00C0000002"]


def test_t0_style_chip_through_exchange(pki):
    v = chip(pki, Faults(t0_style=True))
    inner = DirectTransport(v)

    class T0:
        def transmit(self, apdu):
            return exchange(inner.transmit, apdu)

    out = IcaoReader(T0()).read([C.bac_key()], csca=load_store(pki.csca_dir))
    assert out.pa.ok


def test_dg14_dg15_are_read_and_hashed_when_listed(pki):
    from drivers.card.icao import tlv
    dg14 = tlv.encode(0x6E, tlv.encode(0x31, tlv.encode(0x30, tlv.encode(0x06, bytes.fromhex("04007F000702020302")))))
    dg15 = tlv.encode(0x6F, bytes(range(200)))
    out = IcaoReader(DirectTransport(chip(pki, extra={EF.DG14: dg14, EF.DG15: dg15}))).read(
        [C.bac_key()], csca=load_store(pki.csca_dir))
    assert out.files["DG14"] == dg14 and out.files["DG15"] == dg15
    assert out.pa.ok and out.pa.dg_hash_ok == {1: True, 2: True, 13: True, 14: True, 15: True}


def test_pcsc_error_mapping():
    from smartcard import scard

    from drivers.card.errors import CardTimeoutError, PcscUnavailableError, ReaderGoneError, TransmitError
    from drivers.card.transport import _error
    assert isinstance(_error(scard.SCARD_W_REMOVED_CARD, "x"), CardRemovedError)
    assert isinstance(_error(scard.SCARD_E_NO_SMARTCARD, "x"), CardRemovedError)
    assert isinstance(_error(scard.SCARD_E_READER_UNAVAILABLE, "x"), ReaderGoneError)
    assert isinstance(_error(scard.SCARD_E_NO_SERVICE, "x"), PcscUnavailableError)
    assert isinstance(_error(scard.SCARD_E_TIMEOUT, "x"), CardTimeoutError)
    assert isinstance(_error(scard.SCARD_E_INVALID_PARAMETER, "x"), TransmitError)
    assert _error(scard.SCARD_E_READER_UNAVAILABLE, "x").retryable


def test_chip_refusing_le_beyond_file_end(pki):
    class Strict(VirtualChip):
        def _read(self, offset, le):
            if self.current is not None and offset + le > len(self.files[self.current]):
                return b"", 0x6700
            return super()._read(offset, le)

    v = Strict(build_files(C, pki), C.bac_key())
    out = IcaoReader(DirectTransport(v)).read([C.bac_key()], csca=load_store(pki.csca_dir))
    assert out.pa.ok and len(out.files["COM"]) == 23
