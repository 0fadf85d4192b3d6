"""Hub migration numbers are handed out per engineer: a branch may lack a lower number, and a
lower number merged later is still applied (by number, not "newer than the newest")."""
from __future__ import annotations

import shutil

import pytest

from kiosk.facility import schema


def test_a_lower_migration_merged_later_is_still_applied(pg_cluster, tmp_path):
    src = schema.hub_migrations_dir()
    mig = tmp_path / "mig"
    mig.mkdir()
    shutil.copy(src / "0001_hub_init.sql", mig)
    shutil.copy(next(src.glob("0004_*.sql")), mig)
    schema.create_database(pg_cluster.dsn(), "hub_gap")
    admin = pg_cluster.dsn(dbname="hub_gap")
    first = schema.init(admin, pg_cluster.base / "secrets", mig)
    assert first.applied == ("0001_hub_init.sql", "0004_hub_calling.sql")
    (mig / "0002_later.sql").write_text("CREATE TABLE merged_later (id int);")
    second = schema.init(admin, pg_cluster.base / "secrets", mig)
    assert second.applied == ("0002_later.sql",)
    import psycopg
    with psycopg.connect(admin) as conn:
        assert conn.execute("SELECT to_regclass('merged_later')").fetchone()[0] is not None
        assert [r[0] for r in conn.execute("SELECT version FROM hub_schema_migrations ORDER BY version")] == [1, 2, 4]
    (mig / "0002_twin.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="two hub migrations numbered 0002"):
        schema.discover(mig)
