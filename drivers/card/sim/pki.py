"""Test PKI for the virtual chip: a CSCA, document signers (RSA, RSA-PSS, ECDSA), a rogue chain,
an expired signer, and EF.SOD signing. Keys and certificates are cached on disk (generated once)."""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms, x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from drivers.card.icao import tlv
from drivers.card.icao.sod import LDS_SECURITY_OBJECT_OID, LdsSecurityObject

_H: dict[str, type[hashes.HashAlgorithm]] = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def default_pki_dir() -> Path:
    return Path(os.environ.get("KIOSK_CARD_SIM_PKI") or Path(tempfile.gettempdir()) / "vn-kiosk-card-sim-pki")


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: x509.Name, key, issuer: x509.Name, issuer_key, ca: bool,
          not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                        critical=False))
    usage = dict(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    b = b.add_extension(x509.KeyUsage(**usage), critical=True)
    return b.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    scheme: str          # "rsa", "rsa-pss", "ecdsa"


@dataclass(frozen=True)
class TestPki:
    dir: Path
    csca: x509.Certificate
    ds_rsa: Signer
    ds_pss: Signer
    ds_ecdsa: Signer
    ds_expired: Signer
    ds_rogue: Signer         # issued by a CSCA that is not in csca_dir

    @property
    def csca_dir(self) -> Path:
        return self.dir / "csca"

    def signer(self, scheme: str) -> Signer:
        return {"rsa": self.ds_rsa, "rsa-pss": self.ds_pss, "ecdsa": self.ds_ecdsa}[scheme]


def _save_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.chmod(path, 0o600)


def _generate(d: Path) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    year = dt.timedelta(days=365)
    csca_key = rsa.generate_private_key(65537, 2048)
    csca_name = _name("CSCA Test VN (synthetic)", "Kiosk test PKI")
    csca = _cert(csca_name, csca_key, csca_name, csca_key, True, now - 5 * year, now + 20 * year)
    rogue_key = rsa.generate_private_key(65537, 2048)
    rogue_name = _name("CSCA Rogue (synthetic)", "Not trusted")
    rogue = _cert(rogue_name, rogue_key, rogue_name, rogue_key, True, now - 5 * year, now + 20 * year)
    ds_key = rsa.generate_private_key(65537, 2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    items = {
        "ds_rsa": (ds_key, _cert(_name("DS RSA", "Kiosk test PKI"), ds_key, csca_name, csca_key, False, now - year, now + 10 * year)),
        "ds_ecdsa": (ec_key, _cert(_name("DS ECDSA", "Kiosk test PKI"), ec_key, csca_name, csca_key, False, now - year, now + 10 * year)),
        "ds_expired": (ds_key, _cert(_name("DS expired", "Kiosk test PKI"), ds_key, csca_name, csca_key, False, now - 4 * year, now - 2 * year)),
        "ds_rogue": (ds_key, _cert(_name("DS rogue", "Not trusted"), ds_key, rogue_name, rogue_key, False, now - year, now + 10 * year)),
    }
    (d / "csca").mkdir(parents=True, exist_ok=True)
    (d / "signers").mkdir(exist_ok=True)
    (d / "csca" / "csca.pem").write_bytes(csca.public_bytes(serialization.Encoding.PEM))
    (d / "signers" / "rogue_csca.pem").write_bytes(rogue.public_bytes(serialization.Encoding.PEM))
    for name, (key, cert) in items.items():
        _save_key(d / "signers" / f"{name}.key", key)
        (d / "signers" / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "signers" / "ready").write_text("1")


def load_pki(directory: Path | None = None) -> TestPki:
    """The cached test PKI, generated under a file lock on first use."""
    d = Path(directory or default_pki_dir())
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(d / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (d / "signers" / "ready").exists():
            _generate(d)

    def signer(name: str, scheme: str) -> Signer:
        key = serialization.load_pem_private_key((d / "signers" / f"{name}.key").read_bytes(), None)
        assert isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey))  # _generate writes only these
        return Signer(key, x509.load_pem_x509_certificate((d / "signers" / f"{name}.pem").read_bytes()), scheme)

    csca = x509.load_pem_x509_certificate((d / "csca" / "csca.pem").read_bytes())
    return TestPki(d, csca, signer("ds_rsa", "rsa"), signer("ds_rsa", "rsa-pss"), signer("ds_ecdsa", "ecdsa"),
                   signer("ds_expired", "rsa"), signer("ds_rogue", "rsa"))


def _sig_algorithm(scheme: str, hash_name: str) -> dict:
    if scheme == "rsa":
        return {"algorithm": f"{hash_name}_rsa"}
    if scheme == "ecdsa":
        return {"algorithm": f"{hash_name}_ecdsa"}
    return {"algorithm": "rsassa_pss", "parameters": {
        "hash_algorithm": {"algorithm": hash_name},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
        "salt_length": _H[hash_name].digest_size, "trailer_field": "trailer_field_bc"}}


def _sign(signer: Signer, data: bytes, hash_name: str) -> bytes:
    h = _H[hash_name]()
    key = signer.key
    if signer.scheme == "rsa":
        assert isinstance(key, rsa.RSAPrivateKey)
        return key.sign(data, padding.PKCS1v15(), h)
    if signer.scheme == "rsa-pss":
        assert isinstance(key, rsa.RSAPrivateKey)
        return key.sign(data, padding.PSS(padding.MGF1(_H[hash_name]()), h.digest_size), h)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.sign(data, ec.ECDSA(h))


def build_sod(dgs: dict[int, bytes], signer: Signer, hash_name: str = "sha256") -> bytes:
    """EF.SOD (tag 77) signing the hashes of `dgs` (DG number → file bytes)."""
    lso = LdsSecurityObject({
        "version": 0, "hash_algorithm": {"algorithm": hash_name},
        "data_group_hash_values": [{"data_group_number": n, "data_group_hash_value": hashlib.new(hash_name, b).digest()}
                                   for n, b in sorted(dgs.items())]})
    econtent = lso.dump()
    ds = ax509.Certificate.load(signer.cert.public_bytes(serialization.Encoding.DER))
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": [LDS_SECURITY_OBJECT_OID]},
        {"type": "message_digest", "values": [hashlib.new(hash_name, econtent).digest()]},
    ])
    si = cms.SignerInfo({
        "version": "v1",
        "sid": {"issuer_and_serial_number": {"issuer": ds.issuer, "serial_number": ds.serial_number}},
        "digest_algorithm": {"algorithm": hash_name}, "signed_attrs": attrs,
        "signature_algorithm": _sig_algorithm(signer.scheme, hash_name), "signature": b"",
    })
    si["signature"] = _sign(signer, b"\x31" + si["signed_attrs"].dump()[1:], hash_name)
    sd = cms.SignedData({
        "version": "v3", "digest_algorithms": [{"algorithm": hash_name}],
        "encap_content_info": {"content_type": LDS_SECURITY_OBJECT_OID, "content": econtent},
        "certificates": [ds], "signer_infos": [si]})
    return tlv.encode(0x77, cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump())
