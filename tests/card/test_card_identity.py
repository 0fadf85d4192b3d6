"""A chip read as an Identity: trust follows passive authentication; DG13 wins, DG1 fills gaps."""
from __future__ import annotations

import datetime as dt

import pytest

from drivers.card.icao.csca import load_store
from drivers.card.icao.reader import IcaoReader
from drivers.card.sim.chip import DirectTransport, VirtualChip
from drivers.card.sim.citizen import DEFAULT_CITIZENS, Forgery, build_files
from kiosk.identity.chip import ChipDataError, face_to_store, identity_from_chip, pa_failed
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
    assert ident.cccd.expiry_date is None and ident.mrz.expiry_yymmdd == "<<<<<<"
    # without DG13 the MRZ provides name (no diacritics), birth date with the CCCD century, number
    chip.dg13 = None
    ident = identity_from_chip(chip)
    assert ident.full_name == "LE VAN GIA DINH" and ident.birth_date.as_date() == dt.date(1962, 7, 30)
    assert ident.cccd.number == c.cccd and ident.person.gender is Gender.MALE


def test_face_kept_in_memory_unless_configured(pki):
    chip = read(pki, DEFAULT_CITIZENS[0])
    assert chip.face is not None and face_to_store(chip, False) is None
    assert face_to_store(chip, True) == chip.face.data
    assert "face" not in str(identity_to_dict(identity_from_chip(chip), masked=False))


def test_empty_read_is_a_typed_error(pki):
    chip = read(pki, DEFAULT_CITIZENS[0])
    chip.mrz = chip.dg13 = None
    with pytest.raises(ChipDataError):
        identity_from_chip(chip)


def test_identity_bac_candidates_open_the_chip(pki):
    """The identity layer's candidate keys (from CCCD number + birth date) drive the reader."""
    from kiosk.identity.bac import bac_candidates
    from kiosk.identity.chip import driver_keys
    from kiosk.identity.model import BirthDate
    c = DEFAULT_CITIZENS[2]   # issued at 59: a card that never expires
    keys = driver_keys(bac_candidates((c.cccd, BirthDate.of(c.birth_date)), "last9", today=dt.date(2026, 11, 21)))
    v = VirtualChip(build_files(c, pki), c.bac_key())
    out = IcaoReader(DirectTransport(v)).read(keys, csca=load_store(pki.csca_dir))
    assert out.pa.ok and keys[out.key_index].expiry_yymmdd == "<<<<<<"
