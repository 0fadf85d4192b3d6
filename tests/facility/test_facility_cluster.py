"""The private cluster and the hub schema: real PostgreSQL, least-privilege roles."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from kiosk.facility import schema
from kiosk.facility.dsn import HubConfigError, check_dsn, full_dsn


def test_cluster_runs_as_unprivileged_user(pg_cluster):
    with psycopg.connect(pg_cluster.dsn()) as conn:
        assert conn.execute("SHOW data_directory").fetchone()[0] == str(pg_cluster.data_dir)
        assert conn.execute("SHOW unix_socket_directories").fetchone()[0] == str(pg_cluster.socket_dir)
    # the running postmaster itself (its pid is postmaster.pid's first line) is not root, and
    # neither is the owner of the data directory it serves
    pid = int((pg_cluster.data_dir / "postmaster.pid").read_text().splitlines()[0])
    status = Path(f"/proc/{pid}/status").read_text()
    real, effective = (int(x) for x in next(ln for ln in status.splitlines() if ln.startswith("Uid:")).split()[1:3])
    assert real != 0 and effective != 0, status
    assert pg_cluster.data_dir.stat().st_uid == effective


def test_hub_init_is_idempotent_and_versioned(hub):
    report = schema.init(hub.admin_dsn(), hub.secrets)
    newest = schema.discover()
    assert report.applied == () and report.before == report.after == newest[-1][0]
    with psycopg.connect(hub.admin_dsn()) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM hub_schema_migrations ORDER BY version")]
    assert names[0] == "0001_hub_init.sql" and names == [p.name for _, p in newest]


@pytest.mark.parametrize("role", ["hub_kiosk", "hub_desk", "hub_worker"])
def test_app_roles_are_not_superusers(hub, role):
    with hub.connect(role) as conn:
        row = conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user").fetchone()
        assert row == (False, False, False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE evil (x int)")


def test_kiosk_cannot_rewrite_a_visit_status_or_drop_tables(hub):
    with hub.connect("hub_kiosk") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE visits SET status = 'closed'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM visits")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE visits")


def test_desk_cannot_allocate_numbers(hub):
    with hub.connect("hub_desk") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO ticket_series VALUES ('79001', '2026-01-01', 'K01', 1)")


def test_role_passwords_live_in_private_key_store_files(hub):
    for role in schema.LOGIN_ROLES:
        path = hub.secrets / f"{role}.password"
        assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("dsn,why", [
    ("host=hub.lan dbname=hub user=hub_kiosk", "verify-full"),
    ("host=hub.lan dbname=hub user=hub_kiosk sslmode=require", "verify-full"),
    ("host=/tmp dbname=hub password=secret", "password"),
    ("not a dsn ===", "libpq"),
])
def test_unsafe_hub_dsn_refused(dsn, why):
    with pytest.raises(HubConfigError, match=why):
        check_dsn(dsn, production=True)


def test_remote_hub_with_verified_tls_accepted(tmp_path):
    check_dsn("host=hub1.lan,hub2.lan dbname=hub user=hub_kiosk sslmode=verify-full sslrootcert=/etc/ca.pem "
              "target_session_attrs=read-write")
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    with pytest.raises(HubConfigError, match="chmod 600"):
        full_dsn("host=/tmp dbname=hub", secret)
    secret.chmod(0o600)
    assert "password=s3cret" in full_dsn("host=/tmp dbname=hub", secret)
