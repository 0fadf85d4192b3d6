"""A chip read as an Identity: trust follows passive authentication; DG13 wins, DG1 fills gaps."""
from __future__ import annotations

import datetime as dt

import pytest

from drivers.card.icao.csca import load_store
from drivers.card.icao.reader import IcaoReader
from drivers.card.sim.chip import DirectTransport, VirtualChip
from drivers.card.sim.citizen import DEFAULT_CITIZENS, Forgery, build_files
from kiosk.identity.chip import ChipDataError, identity_from_chip, pa_failed
from kiosk.identity.model import Gender, Kind, Source
from kiosk.identity.jsonify import identity_to_dict


def read(pki, citizen, csca=True, **kw):
    v = VirtualChip(build_files(citizen, pki, **kw), citizen.bac_key())
    return IcaoReader(DirectTransport(v)).read([citizen.bac_key()], csca=load_store(pki.csca_dir) if csca else None)


def test_verified_chip_identity(pki):
    c = DEFAULT_CITIZENS[1]
    chip = read(pki, c)
    ident = identity_from_chip(chip)
    assert ident.source is Source.CHIP_VERIFIED and ident.kind is Kind.CHIP and not ident.warnings
    assert ident.full_name == "TRẦN THỊ THẺ MẪU" and ident.person.gender is Gender.FEMALE
    assert ident.birth_date.as_date() == c.birth_date and ident.cccd.number == c.cccd
    assert ident.cccd.issue_date == c.issue_date and ident.cccd.expiry_date == c.expiry_date
    assert ident.person.address == c.residence and ident.mrz.document_number == c.cccd[-9:]
    assert ident.lookup_keys() == [("cccd", c.cccd)]
    masked = identity_to_dict(ident)
    assert c.cccd not in str(masked) and "MẪU" not in str(masked)


@pytest.mark.parametrize("forgery,check", [(Forgery.DG13_ALTERED, "dg_hash"),
                                           (Forgery.UNTRUSTED_SIGNER, "ds_chain"),
                                           (Forgery.EXPIRED_SIGNER, "ds_validity")])
def test_forged_chip_is_never_verified(pki, forgery, check):
    ident = identity_from_chip(read(pki, DEFAULT_CITIZENS[0], forgery=forgery))
    assert ident.source is Source.CHIP_UNVERIFIED
    assert check in ident.source_detail and ident.has_warning("chip_not_verified")
    assert pa_failed(ident)                      # the resolver rejects exactly these


def test_no_csca_means_unverified(pki):
    ident = identity_from_chip(read(pki, DEFAULT_CITIZENS[0], csca=False))
    assert ident.source is Source.CHIP_UNVERIFIED and "not run" in ident.source_detail
    assert not pa_failed(ident)                  # unchecked is not forged: accepted with a warning
    assert not pa_failed(identity_from_chip(read(pki, DEFAULT_CITIZENS[0])))


def test_dg1_with_a_broken_expiry_is_a_warning_not_a_crash(pki):
    """An MRZ whose check digits fail is used as read: an impossible expiry must not raise."""
    from drivers.card.icao.lds import parse_td1
    chip = read(pki, DEFAULT_CITIZENS[1])
    text = chip.mrz.text
    chip.mrz = parse_td1(text[:38] + "991399" + text[44:])     # line 2, expiry field
    chip.dg13 = None
    ident = identity_from_chip(chip)
    assert ident.cccd is None or ident.cccd.expiry_date is None
    assert ident.has_warning("chip_not_verified") and ident.full_name


def test_non_expiring_card_and_dg1_fallback(pki):
    c = DEFAULT_CITIZENS[2]
    chip = read(pki, c)
    ident = identity_from_chip(chip)
    assert ident.cccd.expiry_date is None and ident.mrz.expiry_yymmdd == "991231"
    assert chip.mrz.text[38:48] == "9912315VNM"    # as real non-expiring CCCD MRZs have it (review 3.6)
    # without DG13 the MRZ provides name (no diacritics), birth date with the CCCD century, number
    chip.dg13 = None
    ident = identity_from_chip(chip)
    assert ident.full_name == "LE VAN GIA DINH" and ident.birth_date.as_date() == dt.date(1962, 7, 30)
    assert ident.cccd.number == c.cccd and ident.person.gender is Gender.MALE
    assert ident.cccd.expiry_date is None          # 991231 means "does not expire", not 31/12/2099


def test_face_kept_in_memory_only(pki):
    chip = read(pki, DEFAULT_CITIZENS[0])
    assert chip.face is not None and chip.face.data        # read for the session, never stored
    assert "face" not in str(identity_to_dict(identity_from_chip(chip), masked=False))


def test_empty_read_is_a_typed_error(pki):
    chip = read(pki, DEFAULT_CITIZENS[0])
    chip.mrz = chip.dg13 = None
    with pytest.raises(ChipDataError):
        identity_from_chip(chip)


def test_identity_bac_candidates_open_the_chip(pki):
    """The identity layer's candidate keys (from CCCD number + birth date) drive the reader."""
    from kiosk.identity.bac import bac_candidates
    from kiosk.identity.model import BirthDate
    c = DEFAULT_CITIZENS[2]   # issued at 59: a card that never expires
    keys = bac_candidates((c.cccd, BirthDate.of(c.birth_date)), "last9", today=dt.date(2026, 11, 21))
    v = VirtualChip(build_files(c, pki), c.bac_key())
    out = IcaoReader(DirectTransport(v)).read(keys, csca=load_store(pki.csca_dir))
    assert out.pa.ok and out.access_protocol == "BAC" and out.key_index == 0
    assert keys[0].expiry_yymmdd == "991231"       # first candidate for a holder 58 or older


def _dg13_real_layout(entries: dict) -> bytes:
    """DG13 the way NghiaLio/NFC_CCCD_Reader decoded real chips (conformance review 3.7):
    6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET { SEQUENCE { INTEGER n, value } ... } } }."""
    from drivers.card.icao import tlv
    items = b"".join(tlv.encode(0x30, tlv.encode(0x02, bytes((n,))) + tlv.encode(0x0C, v.encode()))
                     for n, v in entries.items())
    oid = tlv.encode(0x06, bytes.fromhex("28D316010008"))      # 1.0.10646.1.0.8
    return tlv.encode(0x6D, tlv.encode(0x30, tlv.encode(0x02, b"\x01") + oid + tlv.encode(0x31, items)))


@pytest.mark.parametrize("field16,old_id", [
    ("123456789", "123456789"), ("001085000101", "001085000101"),
    ("3F1A9C00D2E4B768", None),        # the 16-hex-char value one real-chip reader saw in field 16
    ("12345678", None), ("", None),
])
def test_dg13_field16_is_old_cmnd_only_when_9_or_12_digits(field16, old_id):
    from drivers.card.icao.dg13 import parse_dg13
    from drivers.card.icao.reader import ChipRead
    chip = ChipRead(dg13=parse_dg13(_dg13_real_layout({1: "079190001234", 2: "NGUYỄN VĂN CHÍP", 15: "B7654321",
                                                         16: field16})))
    ident = identity_from_chip(chip)
    assert ident.cccd.old_id == old_id and ident.cccd.other_document == "B7654321"
    assert "B7654321" not in str(identity_to_dict(ident))              # masked like other numbers
