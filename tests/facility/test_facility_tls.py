"""The hub over TLS with the certificate verified (issue 17, point 1): a private cluster serving a
certificate from a test CA; the kiosk's production DSN (sslmode=verify-full) connects, numbers a
ticket and pushes; a hub presenting a certificate from another CA, or for another name, is refused
by libpq before any password is sent; `hostssl` in pg_hba refuses clear-text connections. The
technician's hub check (`kiosk.facility.hub_check`) reports the certificate verified, or refused."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility import schema
from kiosk.facility.cluster import PG_USER, PrivateCluster
from kiosk.facility.dsn import check_dsn
from kiosk.facility.hub_check import check_hub
from tests.facility.helpers import node

HUB_NAME = "hub.benhvien.test"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _server(ca_key, ca_cert, dns: str):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(dns)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _pem(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


@pytest.fixture(scope="module")
def tls_hub(tmp_path_factory):
    base = tmp_path_factory.mktemp("tls-hub")
    ca_key, ca_cert = _ca("Test Hospital CA")
    other_key, other_cert = _ca("Someone Else CA")
    key, cert = _server(ca_key, ca_cert, HUB_NAME)
    cluster = PrivateCluster(base / "pg").init()
    data = cluster.data_dir
    _pem(data / "server.crt", cert.public_bytes(serialization.Encoding.PEM))
    _pem(data / "server.key", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()), 0o600)
    if os.geteuid() == 0:
        import pwd
        pg = pwd.getpwnam(PG_USER)
        for f in ("server.crt", "server.key"):
            os.chown(data / f, pg.pw_uid, pg.pw_gid)
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
    # TCP clients must come over TLS: hostssl first, and the plain `host` lines for 127.0.0.1 rejected
    hba = (data / "pg_hba.conf").read_text()
    (data / "pg_hba.conf").write_text("hostssl all all 127.0.0.1/32 scram-sha-256\n"
                                      "hostnossl all all 127.0.0.1/32 reject\n" + hba)
    cluster.start()
    schema.create_database(cluster.dsn(), "hub")
    schema.init(cluster.dsn(dbname="hub"), base / "secrets")
    ca_file = _pem(base / "ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM))
    other_file = _pem(base / "other-ca.pem", other_cert.public_bytes(serialization.Encoding.PEM))
    yield cluster, base, ca_file, other_file
    cluster.stop("immediate")


def _tcp(cluster, base, role: str, **extra) -> str:
    pw = (base / "secrets" / f"{role}.password").read_text().strip()
    parts = {"host": HUB_NAME, "hostaddr": "127.0.0.1", "port": str(cluster.port), "dbname": "hub", "user": role,
             "connect_timeout": "5", **extra}
    dsn = " ".join(f"{k}={v}" for k, v in parts.items())
    check_dsn(dsn, production=True)            # what the kiosk's settings check accepts or refuses
    return f"{dsn} password={pw}"


def test_a_kiosk_numbers_and_pushes_over_verified_tls(tls_hub, tmp_path, signer):
    cluster, base, ca, _ = tls_hub
    dsn = _tcp(cluster, base, "hub_kiosk", sslmode="verify-full", sslrootcert=str(ca))
    with psycopg.connect(dsn) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0] is True

    class Hub:                                  # the shape tests.facility.helpers.node wants
        def dsn(self, role):
            return _tcp(cluster, base, role, sslmode="verify-full", sslrootcert=str(ca))
    k = node(tmp_path, "1", Hub(), signer, FakeClock())
    try:
        assert k.checkin(crowd_person(1), "K01").number == "A001"      # numbered by the hub, over TLS
        assert k.sync()["pushed"] >= 2
    finally:
        k.close()


def test_a_hub_with_a_certificate_from_another_ca_is_refused(tls_hub):
    cluster, base, _, other = tls_hub
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(_tcp(cluster, base, "hub_kiosk", sslmode="verify-full", sslrootcert=str(other)))


def test_a_hub_answering_for_another_name_is_refused(tls_hub):
    cluster, base, ca, _ = tls_hub
    dsn = _tcp(cluster, base, "hub_kiosk", sslmode="verify-full", sslrootcert=str(ca)).replace(
        f"host={HUB_NAME}", "host=other-hub.test")
    with pytest.raises(psycopg.OperationalError, match="does not match host name"):
        psycopg.connect(dsn)


def test_clear_text_is_refused_by_the_hub(tls_hub):
    cluster, base, _, _ = tls_hub
    pw = (base / "secrets" / "hub_kiosk.password").read_text().strip()
    with pytest.raises(psycopg.OperationalError, match="no encryption|SSL off|rejects connection"):
        psycopg.connect(f"hostaddr=127.0.0.1 port={cluster.port} dbname=hub user=hub_kiosk password={pw} "
                        "sslmode=disable connect_timeout=5")
    with pytest.raises(Exception, match="verify-full"):
        check_dsn(f"host={HUB_NAME} dbname=hub user=hub_kiosk sslmode=require", production=True)


def _check_dsn(cluster, ca: Path) -> str:
    return (f"host={HUB_NAME} hostaddr=127.0.0.1 port={cluster.port} dbname=hub user=hub_kiosk "
            f"sslmode=verify-full sslrootcert={ca}")


def test_the_hub_check_reports_verify_full_verified(tls_hub):
    cluster, base, ca, _ = tls_hub
    items = {i.name: i for i in check_hub(_check_dsn(cluster, ca), base / "secrets" / "hub_kiosk.password")}
    assert all(i.ok for i in items.values()), items
    assert "verified" in items["tls"].message and "xác minh" in items["tls"].message


def test_the_hub_check_reports_a_certificate_from_another_ca_refused(tls_hub):
    cluster, base, _, other = tls_hub
    [item] = check_hub(_check_dsn(cluster, other), base / "secrets" / "hub_kiosk.password")
    assert not item.ok and item.name == "connect" and "refused" in item.message
    assert "certificate verify failed" in item.message
