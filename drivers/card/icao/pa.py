"""Passive authentication (9303 part 11 §5.1): is the data on the chip what the issuer signed?

Checks, in order: EF.SOD parses; its CMS signature verifies with the document signer (DS)
certificate; the DS chains to a trusted CSCA; DS and CSCA are within their validity dates;
every data group read hashes to the value in the SOD. The result names the first failure.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from enum import Enum

from asn1crypto import cms, x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from drivers.card.errors import MalformedDataError
from drivers.card.icao.csca import CscaStore
from drivers.card.icao.sod import Sod, parse_sod

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
           "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class PaCheck(str, Enum):
    SOD_FORMAT = "sod_format"            # EF.SOD missing or not parseable
    SOD_SIGNATURE = "sod_signature"      # CMS signature / signed attributes do not verify
    CSCA_STORE = "csca_store"            # no trusted CSCA configured
    DS_CHAIN = "ds_chain"                # the DS is not issued by any trusted CSCA
    DS_VALIDITY = "ds_validity"          # the DS certificate is expired or not yet valid
    CSCA_VALIDITY = "csca_validity"      # the issuing CSCA certificate is expired or not yet valid
    DG_HASH = "dg_hash"                  # a data group read differs from (or is absent in) the SOD


@dataclass(frozen=True)
class PaResult:
    ok: bool
    failed: PaCheck | None = None
    detail: str = ""                                   # staff-facing; no personal data
    hash_algorithm: str = ""
    signature_algorithm: str = ""
    ds_subject: str = ""
    csca_subject: str = ""
    dg_hash_ok: dict[int, bool] = field(default_factory=dict)
    failures: tuple[PaCheck, ...] = ()

    def as_dict(self) -> dict:
        return {"ok": self.ok, "failed": self.failed.value if self.failed else None,
                "failures": [f.value for f in self.failures], "detail": self.detail,
                "hash_algorithm": self.hash_algorithm, "signature_algorithm": self.signature_algorithm,
                "ds_subject": self.ds_subject, "csca_subject": self.csca_subject,
                "dg_hash_ok": {f"DG{n}": v for n, v in sorted(self.dg_hash_ok.items())}}


def _hash(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


def _verify(public_key, signature: bytes, data: bytes, sig_algo, digest_name: str) -> None:
    """Verify one CMS signature; raises InvalidSignature or ValueError."""
    algo = sig_algo.signature_algo
    if algo == "rsassa_pss":
        params = sig_algo["parameters"]
        h = _HASHES[params["hash_algorithm"]["algorithm"].native]()
        mgf_h = _HASHES[params["mask_gen_algorithm"]["parameters"]["algorithm"].native]()
        pad = padding.PSS(padding.MGF1(mgf_h), params["salt_length"].native)
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise ValueError("PSS signature with a non-RSA key")
        public_key.verify(signature, data, pad, h)
        return
    try:
        h = _HASHES[sig_algo.hash_algo]()
    except (ValueError, KeyError):  # e.g. plain rsaEncryption / ecPublicKey: the digest algorithm
        h = _HASHES[digest_name]()
    if algo == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), h)
    elif algo == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(h))
    else:
        raise ValueError(f"unsupported signature algorithm {algo}")


def _check_signature(sod: Sod, ds: x509.Certificate) -> str | None:
    """None if the SOD's signer info verifies with `ds`, else why not."""
    si: cms.SignerInfo = sod.signer
    attrs = si["signed_attrs"]
    digest_name = sod.digest_algorithm
    if len(attrs):
        values = {a["type"].native: a["values"] for a in attrs}
        md = values.get("message_digest")
        ct = values.get("content_type")
        if md is None or ct is None:
            return "signed attributes lack message-digest or content-type"
        if ct[0].dotted != "2.23.136.1.1.1":
            return "signed content-type is not an LDS security object"
        if not hmac.compare_digest(md[0].native, _hash(digest_name, sod.econtent)):
            return "message digest does not match the LDS security object"
        signed = b"\x31" + attrs.dump()[1:]  # DER of the SET, not the [0] IMPLICIT encoding
    else:
        signed = sod.econtent
    try:
        _verify(ds.public_key(), si["signature"].native, signed, si["signature_algorithm"], digest_name)
    except InvalidSignature:
        return "signature does not verify with the document signer key"
    except (ValueError, KeyError, TypeError) as exc:
        return f"signature cannot be checked: {exc}"
    return None


def _signer_certificate(sod: Sod) -> x509.Certificate | None:
    """The certificate the SignerInfo names (issuer + serial, or subject key identifier)."""
    sid = sod.signer["sid"]
    for der in sod.certificates:
        cert = x509.load_der_x509_certificate(der)
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            # asn1crypto compares names after normalisation (string types, case, spaces)
            if ias["serial_number"].native == cert.serial_number and \
                    ax509.Certificate.load(der).issuer == ias["issuer"]:
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == sid.chosen.native:
                return cert
    return None


def _within(cert: x509.Certificate, now: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def passive_authentication(sod_bytes: bytes | None, dgs: dict[int, bytes], store: CscaStore,
                           now: dt.datetime | None = None) -> PaResult:
    """Verify `dgs` (DG number → file bytes as read) against EF.SOD and the CSCA store."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if not sod_bytes:
        return PaResult(False, PaCheck.SOD_FORMAT, "EF.SOD was not read", failures=(PaCheck.SOD_FORMAT,))
    try:
        sod = parse_sod(sod_bytes)
    except MalformedDataError as exc:
        return PaResult(False, PaCheck.SOD_FORMAT, str(exc), failures=(PaCheck.SOD_FORMAT,))
    failures: list[tuple[PaCheck, str]] = []
    sig_name = sod.signer["signature_algorithm"]["algorithm"].native
    if not sod.certificates:
        failures.append((PaCheck.SOD_SIGNATURE, "EF.SOD carries no document signer certificate"))
        ds = None
    else:
        ds = _signer_certificate(sod)
        why = _check_signature(sod, ds) if ds is not None else "no certificate in EF.SOD matches the signer identifier"
        if why:
            failures.append((PaCheck.SOD_SIGNATURE, why))
        if ds is None:
            ds = x509.load_der_x509_certificate(sod.certificates[0])
    csca = None
    if ds is not None:
        if not len(store):
            failures.append((PaCheck.CSCA_STORE, "no trusted CSCA certificate is configured"))
        else:
            for cand in store.issuers_of(ds):
                try:
                    ds.verify_directly_issued_by(cand)
                    csca = cand
                    break
                except (InvalidSignature, ValueError, TypeError):
                    continue
            if csca is None:
                failures.append((PaCheck.DS_CHAIN, "document signer is not issued by a trusted CSCA"))
        if not _within(ds, now):
            failures.append((PaCheck.DS_VALIDITY, "document signer certificate is outside its validity"))
        if csca is not None and not _within(csca, now):
            failures.append((PaCheck.CSCA_VALIDITY, "CSCA certificate is outside its validity"))
    dg_ok: dict[int, bool] = {}
    for n, data in sorted(dgs.items()):
        expected = sod.dg_hashes.get(n)
        dg_ok[n] = expected is not None and hmac.compare_digest(_hash(sod.hash_algorithm, data), expected)
    bad = [n for n, ok in dg_ok.items() if not ok]
    if bad:
        failures.append((PaCheck.DG_HASH, "hash mismatch for " + ", ".join(f"DG{n}" for n in bad)))
    first = failures[0] if failures else None
    return PaResult(
        ok=not failures, failed=first[0] if first else None, detail=first[1] if first else "all checks passed",
        hash_algorithm=sod.hash_algorithm, signature_algorithm=sig_name,
        ds_subject=ds.subject.rfc4514_string() if ds else "",
        csca_subject=csca.subject.rfc4514_string() if csca else "",
        dg_hash_ok=dg_ok, failures=tuple(f for f, _ in failures))
