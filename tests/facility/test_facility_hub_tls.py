"""The hub check over TLS: a private cluster with ssl = on and a certificate from a test CA; with
sslmode=verify-full the check reports the hub's certificate verified, and a hub whose certificate
the kiosk's CA did not sign is refused (never "unreachable", never a clear-text fallback)."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.facility import schema
from kiosk.facility.cluster import PG_USER, PrivateCluster
from kiosk.facility.hub_check import check_hub


def _ca(name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _server(ca_key, ca_cert):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def tls_hub():
    base = Path(tempfile.mkdtemp(prefix="kiosk-test-pg-tls-"))
    cluster = PrivateCluster(base).init()
    ca_key, ca = _ca("Kiosk test hub CA")
    key, cert = _server(ca_key, ca)
    (cluster.data_dir / "server.crt").write_bytes(_pem(cert))
    (cluster.data_dir / "server.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    if os.geteuid() == 0:
        import pwd
        user = pwd.getpwnam(PG_USER)
        for name in ("server.crt", "server.key"):
            os.chown(cluster.data_dir / name, user.pw_uid, user.pw_gid)
    os.chmod(cluster.data_dir / "server.key", 0o600)
    with open(cluster.data_dir / "postgresql.conf", "a") as conf:
        conf.write("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
    cluster.start()
    (base / "ca.pem").write_bytes(_pem(ca))
    (base / "other-ca.pem").write_bytes(_pem(_ca("Someone else's CA")[1]))
    schema.create_database(cluster.dsn(), "hub")
    schema.init(cluster.dsn(dbname="hub"), base / "secrets")
    yield cluster
    try:
        cluster.stop("immediate")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_verify_full_is_reported_verified(tls_hub):
    base = tls_hub.base
    dsn = (f"host=localhost hostaddr=127.0.0.1 port={tls_hub.port} dbname=hub user=hub_kiosk "
           f"sslmode=verify-full sslrootcert={base / 'ca.pem'}")
    items = {i.name: i for i in check_hub(dsn, base / "secrets" / "hub_kiosk.password")}
    assert all(i.ok for i in items.values()), items
    assert "verified" in items["tls"].message and "xác minh" in items["tls"].message


def test_a_certificate_from_another_ca_is_refused(tls_hub):
    base = tls_hub.base
    dsn = (f"host=localhost hostaddr=127.0.0.1 port={tls_hub.port} dbname=hub user=hub_kiosk "
           f"sslmode=verify-full sslrootcert={base / 'other-ca.pem'}")
    [item] = check_hub(dsn, base / "secrets" / "hub_kiosk.password")
    assert not item.ok and item.name == "connect" and "refused" in item.message
    assert "certificate verify failed" in item.message
