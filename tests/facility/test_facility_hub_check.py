"""The technician's hub check: connection, a least-privilege role, TLS, the schema version
(real PostgreSQL)."""
from __future__ import annotations

import socket

import psycopg

from kiosk.facility.hub_check import check_hub


def _dsn(hub, user="hub_kiosk", **extra) -> str:
    c = hub.cluster
    words = " ".join(f"{k}={v}" for k, v in extra.items())
    return f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user={user} {words}".strip()


def _by_name(items):
    return {i.name: i for i in items}


def test_the_kiosk_role_passes_every_item(hub):
    items = _by_name(check_hub(_dsn(hub), hub.secrets / "hub_kiosk.password"))
    assert list(items) == ["connect", "role", "tls", "schema"]
    assert all(i.ok for i in items.values()), items
    assert "hub_kiosk" in items["role"].message and "not used" in items["tls"].message


def test_a_superuser_is_refused(hub):
    c = hub.cluster
    secret = hub.secrets.parent / "admin.password"
    from kiosk.facility.dsn import write_secret
    write_secret(secret, c.password)
    from kiosk.facility.cluster import SUPERUSER
    items = _by_name(check_hub(_dsn(hub, user=SUPERUSER), secret))
    assert items["connect"].ok and not items["role"].ok
    assert "SUPERUSER" in items["role"].message and "hub_kiosk" in items["role"].message


def test_a_missing_migration_is_named(hub):
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("DELETE FROM hub_schema_migrations WHERE version = 3")
    items = _by_name(check_hub(_dsn(hub), hub.secrets / "hub_kiosk.password"))
    assert not items["schema"].ok and "0003" in items["schema"].message and "kiosk hub init" in items["schema"].message


def test_unreachable_wrong_password_and_tls_demanded_of_a_plain_hub(hub, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    [item] = check_hub(f"host=127.0.0.1 port={port} dbname=x user=hub_kiosk")
    assert not item.ok and "không kết nối được / unreachable" in item.message
    from kiosk.facility.dsn import write_secret
    write_secret(tmp_path / "wrong", "not-the-password")
    [item] = check_hub(_dsn(hub), tmp_path / "wrong")
    assert not item.ok and "refused" in item.message and "password authentication failed" in item.message
    # the cluster has no TLS: verify-full must fail rather than fall back to a clear session
    [item] = check_hub(f"host=127.0.0.1 port={hub.cluster.port} dbname={hub.dbname} user=hub_kiosk "
                       f"sslmode=verify-full sslrootcert={tmp_path / 'none.pem'}", hub.secrets / "hub_kiosk.password")
    assert not item.ok and item.name == "connect"
    # a remote hub without verify-full is refused before any connection
    [item] = check_hub("host=hub.example.vn dbname=x user=hub_kiosk")
    assert not item.ok and "verify-full" in item.message
