"""A demo/test facility signing identity: RSA key + self-signed certificate in a PKCS#12 file.

Generated once per directory and cached there: `facility.p12` and its password in
`facility.p12.pass` (both 0600, written atomically), plus `facility-cert.pem` for registering the
certificate with the gateway simulator. Never for production: real facilities use their CA-issued
certificate.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from kiosk.files import write_atomic

P12_NAME = "facility.p12"
PASS_NAME = "facility.p12.pass"
CERT_NAME = "facility-cert.pem"


@dataclass(frozen=True)
class DevIdentity:
    p12_path: Path
    password_file: Path
    cert_path: Path
    cert_pem: bytes

    @property
    def password(self) -> bytes:
        return self.password_file.read_bytes().strip()


def generate_key_and_cert(common_name: str, *, key_size: int = 2048, days: int = 3650,
                          organization: str = "Demo facility (synthetic)") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def ensure_dev_identity(directory: Path, facility_code: str = "79001") -> DevIdentity:
    """Load the cached demo identity in `directory`, creating it the first time."""
    directory = Path(directory)
    p12_path, pass_path, cert_path = directory / P12_NAME, directory / PASS_NAME, directory / CERT_NAME
    if not (p12_path.exists() and pass_path.exists() and cert_path.exists()):
        directory.mkdir(parents=True, exist_ok=True)
        key, cert = generate_key_and_cert(f"CSKCB {facility_code} kiosk demo")
        password = secrets.token_urlsafe(18).encode("ascii")
        blob = pkcs12.serialize_key_and_certificates(
            b"facility", key, cert, None, serialization.BestAvailableEncryption(password))
        write_atomic(pass_path, password + b"\n")
        write_atomic(p12_path, blob)
        write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return DevIdentity(p12_path, pass_path, cert_path, cert_path.read_bytes())
