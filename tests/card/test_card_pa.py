"""Passive authentication: good chips (RSA, RSA-PSS, ECDSA; SHA-256 and SHA-1) and each forgery."""
from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import cms, x509 as ax509
from cryptography.hazmat.primitives import serialization

from drivers.card.icao import tlv
from drivers.card.icao.csca import load_store
from drivers.card.icao.lds import EF
from drivers.card.icao.pa import PaCheck, passive_authentication
from drivers.card.icao.sod import CSCA_MASTER_LIST_OID, CscaMasterList, parse_sod
from drivers.card.sim.citizen import DEFAULT_CITIZENS, Forgery, build_files
from drivers.card.sim.pki import build_sod

CITIZEN = DEFAULT_CITIZENS[0]


def dgs_of(files):
    return {ef.dg_number: data for ef, data in files.items() if ef.dg_number}


@pytest.fixture(scope="module")
def store(pki):
    return load_store(pki.csca_dir)


@pytest.mark.parametrize("scheme", ["rsa", "rsa-pss", "ecdsa"])
@pytest.mark.parametrize("hash_name", ["sha256", "sha1"])
def test_good_chip_passes(pki, store, scheme, hash_name):
    files = build_files(CITIZEN, pki, scheme=scheme, hash_name=hash_name)
    res = passive_authentication(files[EF.SOD], dgs_of(files), store)
    assert res.ok and res.failed is None, res.detail
    assert res.hash_algorithm == hash_name
    assert res.dg_hash_ok == {1: True, 2: True, 13: True}
    assert "CSCA Test VN" in res.csca_subject
    assert parse_sod(files[EF.SOD]).dg_hashes.keys() == {1, 2, 13}


def test_altered_dg13_fails_the_hash_check_only(pki, store):
    files = build_files(CITIZEN, pki, forgery=Forgery.DG13_ALTERED)
    res = passive_authentication(files[EF.SOD], dgs_of(files), store)
    assert not res.ok and res.failed is PaCheck.DG_HASH and res.failures == (PaCheck.DG_HASH,)
    assert res.dg_hash_ok == {1: True, 2: True, 13: False} and "DG13" in res.detail


def test_untrusted_signer_fails_the_chain(pki, store):
    files = build_files(CITIZEN, pki, forgery=Forgery.UNTRUSTED_SIGNER)
    res = passive_authentication(files[EF.SOD], dgs_of(files), store)
    assert res.failed is PaCheck.DS_CHAIN and res.failures == (PaCheck.DS_CHAIN,)


def test_expired_signer_fails_validity(pki, store):
    files = build_files(CITIZEN, pki, forgery=Forgery.EXPIRED_SIGNER)
    res = passive_authentication(files[EF.SOD], dgs_of(files), store)
    assert res.failed is PaCheck.DS_VALIDITY and res.failures == (PaCheck.DS_VALIDITY,)
    # the same chip checked at a time inside the signer's validity passes: dates are what failed
    then = pki.ds_expired.cert.not_valid_before_utc + dt.timedelta(days=1)
    assert passive_authentication(files[EF.SOD], dgs_of(files), store, now=then).ok


def test_tampered_signature_and_tampered_hash_list(pki, store):
    files = build_files(CITIZEN, pki)
    sod = bytearray(files[EF.SOD])
    sod[-5] ^= 0x01  # inside the signature value (the last field of the SignerInfo)
    res = passive_authentication(bytes(sod), dgs_of(files), store)
    assert res.failed is PaCheck.SOD_SIGNATURE
    # a SOD re-signed by nobody: the hash list swapped for one covering altered data
    forged = build_sod({**dgs_of(files), 13: b"\x6D\x00"}, pki.ds_rsa)
    parsed = cms.ContentInfo.load(tlv.unwrap(forged, 0x77))
    original = cms.ContentInfo.load(tlv.unwrap(files[EF.SOD], 0x77))
    parsed["content"]["signer_infos"] = original["content"]["signer_infos"]
    res = passive_authentication(tlv.encode(0x77, parsed.dump(force=True)), {**dgs_of(files), 13: b"\x6D\x00"}, store)
    assert res.failed is PaCheck.SOD_SIGNATURE and "message digest" in res.detail


def test_dg_absent_from_sod_and_missing_sod_and_empty_store(pki, store):
    files = build_files(CITIZEN, pki)
    res = passive_authentication(files[EF.SOD], {**dgs_of(files), 14: b"\x6E\x00"}, store)
    assert res.failed is PaCheck.DG_HASH and res.dg_hash_ok[14] is False
    assert passive_authentication(None, dgs_of(files), store).failed is PaCheck.SOD_FORMAT
    assert passive_authentication(b"\x77\x03\x01\x02\x03", dgs_of(files), store).failed is PaCheck.SOD_FORMAT
    assert passive_authentication(files[EF.SOD], dgs_of(files), load_store(None)).failed is PaCheck.CSCA_STORE


def test_store_from_der_file_and_master_list(pki, tmp_path):
    files = build_files(CITIZEN, pki)
    der = pki.csca.public_bytes(serialization.Encoding.DER)
    (tmp_path / "der").mkdir()
    (tmp_path / "der" / "csca.cer").write_bytes(der)
    (tmp_path / "der" / "README.txt").write_text("not a certificate")
    st = load_store(tmp_path / "der")
    assert len(st) == 1 and st.unreadable == ["README.txt"]
    assert passive_authentication(files[EF.SOD], dgs_of(files), st).ok
    ml = CscaMasterList({"version": 0, "cert_list": [ax509.Certificate.load(der)]})
    sd = cms.SignedData({"version": "v3", "digest_algorithms": [],
                         "encap_content_info": {"content_type": CSCA_MASTER_LIST_OID, "content": ml.dump()},
                         "signer_infos": []})
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "VN.ml").write_bytes(cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump())
    st = load_store(tmp_path / "ml")
    assert len(st) == 1 and passive_authentication(files[EF.SOD], dgs_of(files), st).ok


def test_signer_identifier_must_name_the_carried_certificate(pki, store):
    files = build_files(CITIZEN, pki)
    ci = cms.ContentInfo.load(tlv.unwrap(files[EF.SOD], 0x77))
    rogue = ax509.Certificate.load(pki.ds_rogue.cert.public_bytes(serialization.Encoding.DER))
    ci["content"]["certificates"] = [rogue]   # same key, but not the certificate the signer names
    res = passive_authentication(tlv.encode(0x77, ci.dump(force=True)), dgs_of(files), store)
    assert res.failed is PaCheck.SOD_SIGNATURE and "signer identifier" in res.detail
