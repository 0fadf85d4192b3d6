"""A private PostgreSQL cluster per test session (initdb + pg_ctl as an unprivileged user), and a
fresh hub database per test, initialised by the same code as `kiosk hub init`."""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kiosk.facility.cluster import PrivateCluster, pg_bindir
from tests.core.conftest import gateway  # noqa: F401  (the gateway simulator's client)

_count = itertools.count(1)


def _have_postgres() -> bool:
    try:
        pg_bindir()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory):
    if not _have_postgres():
        pytest.fail("PostgreSQL server binaries missing: ./dev.sh setup installs the 'postgresql' package")
    # not under pytest's basetemp: every pytest run of the same user prunes old basetemps and
    # makes /tmp/pytest-of-<user> private, which would pull the cluster away from its server
    base = Path(tempfile.mkdtemp(prefix="kiosk-test-pg-"))
    cluster = PrivateCluster(base).init().start()
    from kiosk.facility import schema
    schema.create_database(cluster.dsn(), "hub_roles")      # makes the cluster-wide login roles once
    schema.init(cluster.dsn(dbname="hub_roles"), base / "secrets")
    yield cluster
    try:
        cluster.stop("immediate")
    finally:
        shutil.rmtree(base, ignore_errors=True)


class Hub:
    def __init__(self, cluster: PrivateCluster, dbname: str, secrets: Path):
        self.cluster, self.dbname, self.secrets = cluster, dbname, secrets

    def admin_dsn(self) -> str:
        return self.cluster.dsn(dbname=self.dbname)

    def dsn(self, role: str = "hub_kiosk") -> str:
        password = (self.secrets / f"{role}.password").read_text().strip()
        return self.cluster.dsn(user=role, password=password, dbname=self.dbname)

    def connect(self, role: str = "hub_kiosk", **kw):
        import psycopg
        return psycopg.connect(self.dsn(role), **kw)


@pytest.fixture
def hub(pg_cluster, tmp_path):
    from kiosk.facility import schema
    name = f"hub_{os.getpid()}_{next(_count)}"
    schema.create_database(pg_cluster.dsn(), name)
    secrets = tmp_path / "secrets"
    admin = pg_cluster.dsn(dbname=name)
    # roles are cluster-wide: the first init makes them; later databases reuse their key-store files
    shared = Path(pg_cluster.base) / "secrets"
    schema.init(admin, shared)
    secrets.symlink_to(shared)
    return Hub(pg_cluster, name, secrets)
