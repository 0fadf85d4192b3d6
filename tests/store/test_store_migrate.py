"""Migration runner: fresh install, upgrade from the schema-1 fixture, refusal, atomic failure."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.paths import migrations_dir
from kiosk.store.db import connect, db_path
from kiosk.store.errors import MigrationError, SchemaTooNewError
from kiosk.store.migrate import discover, latest_version, migrate, open_store, schema_version, split_statements

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store_schema1"
TABLES = {"patients", "patient_documents", "eligibility_checks", "visits", "tickets", "outbox", "audit_log",
          "staff", "settings", "devices"}


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _migrations_with(tmp_path, extra: dict[str, str], all_real: bool = False) -> Path:
    d = tmp_path / "migrations"
    d.mkdir()
    for real in (sorted(migrations_dir().glob("*.sql")) if all_real else [migrations_dir() / "0001_init.sql"]):
        shutil.copy(real, d / real.name)
    for name, sql in extra.items():
        (d / name).write_text(sql)
    return d


@pytest.fixture
def schema1_copy(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE / "kiosk.db", data / "kiosk.db")
    return data, (FIXTURE / "db.key").read_bytes()


def test_fresh_install(store):
    assert store.schema_version == discover()[-1].version == latest_version() >= 1
    assert TABLES <= _tables(store.conn)
    triggers = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"audit_log_no_update", "audit_log_no_delete"} <= triggers


def test_split_keeps_triggers_strings_and_comments_whole():
    sql = ("CREATE TABLE t (a TEXT); -- a comment; with a semicolon\n"
           "INSERT INTO t VALUES ('x;y');\n"
           "CREATE TRIGGER tr BEFORE DELETE ON t\nBEGIN SELECT RAISE(ABORT, 'no; never'); SELECT 1; END;\n"
           "/* block; comment */ SELECT 2")
    parts = split_statements(sql)
    assert len(parts) == 4
    assert parts[1].endswith("\nINSERT INTO t VALUES ('x;y');")  # a leading comment rides along
    assert parts[2].startswith("CREATE TRIGGER") and parts[2].endswith("END;")
    assert len(split_statements((migrations_dir() / "0001_init.sql").read_text())) == 27


def test_incomplete_statement_is_refused():
    with pytest.raises(MigrationError, match="incomplete"):
        split_statements("CREATE TRIGGER tr BEFORE DELETE ON t BEGIN SELECT 1;")


def test_schema1_fixture_opens_and_keeps_its_rows(schema1_copy):
    data, key = schema1_copy
    store = open_store(data, key)
    assert store.schema_version == discover()[-1].version
    p = store.patients.find_by_document("cccd", "079175000111")
    assert p is not None and p.full_name == "TRẦN THỊ FIXTURE"
    visit = store.visits.by_ma_lk("FIXTURE-MALK-0001")
    assert visit is not None and visit.ma_doituong_kcb == "1.1"     # migration 0006: the old 1 is the code 1.1
    assert store.settings.get("fixture") == "schema1"
    store.close()


def test_ma_doituong_kcb_keeps_codes_as_text(tmp_path):
    """QĐ 824 has both 1.1 and 1.10: an INTEGER column could not keep them apart (migration 0005)."""
    import sqlite3
    sql = next(p for p in migrations_dir().glob("0*_ma_doituong_kcb_code.sql")).read_text()
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, ma_doituong_kcb INTEGER NOT NULL DEFAULT 1)")
    conn.execute("CREATE TABLE tickets (id INTEGER PRIMARY KEY)")   # the queue triggers are rebuilt on it
    conn.executemany("INSERT INTO visits (id, ma_doituong_kcb) VALUES (?, ?)", [(1, 1), (2, 2)])
    for statement in split_statements(sql):
        conn.execute(statement)
    conn.execute("INSERT INTO visits (id, ma_doituong_kcb) VALUES (3, '1.10')")
    rows = conn.execute("SELECT id, ma_doituong_kcb, typeof(ma_doituong_kcb) FROM visits ORDER BY id").fetchall()
    assert rows == [(1, "1.1", "text"), (2, "2", "text"), (3, "1.10", "text")]


def test_upgrade_from_schema1_fixture(schema1_copy, tmp_path):
    data, key = schema1_copy
    mdir = _migrations_with(tmp_path, {
        "0002_patient_email.sql": "ALTER TABLE patients ADD COLUMN email TEXT;\n"
                                  "CREATE TABLE queue_display (id INTEGER PRIMARY KEY, text TEXT);\n"
                                  "INSERT INTO queue_display (text) VALUES ('x;y');",
        "0003_index.sql": "CREATE INDEX patients_email ON patients(email);"})
    conn = connect(db_path(data), key)
    assert schema_version(conn) == 1
    report = migrate(conn, mdir)
    assert (report.before, report.after) == (1, 3)
    assert report.applied == ("0002_patient_email.sql", "0003_index.sql")
    assert conn.execute("SELECT full_name, email FROM patients").fetchone()[:] == ("TRẦN THỊ FIXTURE", None)
    assert conn.execute("SELECT text FROM queue_display").fetchone()[0] == "x;y"
    assert migrate(conn, mdir).applied == ()         # idempotent
    conn.close()


def test_newer_schema_is_refused(store, data_dir, key):
    store.conn.execute("PRAGMA user_version = 42")
    store.close()
    with pytest.raises(SchemaTooNewError, match="newer kiosk version") as info:
        open_store(data_dir, key)
    assert "42" in str(info.value) and f"knows up to schema {latest_version()}" in str(info.value)
    conn = connect(db_path(data_dir), key)
    assert schema_version(conn) == 42      # untouched
    conn.close()


def test_failing_migration_leaves_previous_version(store, data_dir, key, tmp_path, monkeypatch):
    store.close()
    n = latest_version()      # the real schema the store fixture is at
    mdir = _migrations_with(tmp_path, {
        f"{n + 1:04d}_ok.sql": "CREATE TABLE second (id INTEGER PRIMARY KEY);",
        f"{n + 2:04d}_broken.sql": "CREATE TABLE third (id INTEGER PRIMARY KEY);\n"
                                   "ALTER TABLE patients ADD COLUMN nickname TEXT;\n"
                                   "INSERT INTO no_such_table VALUES (1);"}, all_real=True)
    monkeypatch.setenv("KIOSK_MIGRATIONS_DIR", str(mdir))   # the runner's default dir follows it
    with pytest.raises(MigrationError, match=f"{n + 2:04d}_broken.sql failed.*stays at schema {n + 1}"):
        open_store(data_dir, key)
    conn = connect(db_path(data_dir), key)
    assert schema_version(conn) == n + 1
    tables = _tables(conn)
    assert "second" in tables and "third" not in tables
    cols = {r[1] for r in conn.execute("PRAGMA table_info(patients)")}
    assert "nickname" not in cols
    assert not conn.in_transaction
    conn.close()


def test_numbering_gaps_are_refused(tmp_path):
    mdir = _migrations_with(tmp_path, {"0003_skip.sql": "SELECT 1;"})
    with pytest.raises(MigrationError, match="expected migration 0002"):
        discover(mdir)
    (mdir / "0003_skip.sql").rename(mdir / "2_bad.sql")
    with pytest.raises(MigrationError, match="NNNN_name.sql"):
        discover(mdir)


def _schema_objects(conn, kind: str) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL",
                                             (kind,))}


def test_0006_rebuilds_patients_without_losing_rows_triggers_or_indexes(tmp_path, monkeypatch, clock):
    """Migration 0006 makes patients.full_name nullable (a nameless first visit, issue 14 M7) by a
    table rebuild: every row, child row, trigger and index survives, and foreign keys still bind."""
    from kiosk.store.patients import DocumentInput, PatientInput
    from tests.store.store_helpers import add_patient, add_visit_with_ticket
    before_dir = tmp_path / "m5"
    before_dir.mkdir()
    for real in sorted(migrations_dir().glob("*.sql")):
        if int(real.name[:4]) <= 5:
            shutil.copy(real, before_dir / real.name)
    data, key = tmp_path / "data", b"k" * 32
    monkeypatch.setenv("KIOSK_MIGRATIONS_DIR", str(before_dir))
    old = open_store(data, key, create=True, clock=clock)
    assert old.schema_version == 5
    a = add_patient(old)
    b = add_patient(old, name="LÊ THỊ BÌNH", cccd="079185000222", bhyt=None, birth_date="1985-03-04")
    add_visit_with_ticket(old, a)
    add_visit_with_ticket(old, b, ma_lk="79001-1-0002", service="K02")
    with old.transaction():
        old.outbox.enqueue("checkin", "79001-1-0001", b"<signed/>", 1)
    with pytest.raises(Exception):        # schema 5: a patient needs a name
        with old.transaction():
            old.conn.execute("INSERT INTO patients (full_name, first_seen, last_seen) VALUES (NULL, 'x', 'x')")
    counts = {t: old.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("patients", "patient_documents", "visits", "tickets", "queue_entries", "outbox", "audit_log")}
    triggers, indexes = _schema_objects(old.conn, "trigger"), _schema_objects(old.conn, "index")
    old.close()

    monkeypatch.delenv("KIOSK_MIGRATIONS_DIR")
    after_dir = tmp_path / "m6"             # later migrations add triggers of their own (0009)
    after_dir.mkdir()
    for real in sorted(migrations_dir().glob("*.sql")):
        if int(real.name[:4]) <= 6:
            shutil.copy(real, after_dir / real.name)
    monkeypatch.setenv("KIOSK_MIGRATIONS_DIR", str(after_dir))
    new = open_store(data, key, clock=clock)
    assert new.schema_version == 6 <= latest_version()
    conn = new.conn
    assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
    assert _schema_objects(conn, "trigger") == triggers            # the queue and audit triggers, unchanged
    assert _schema_objects(conn, "index") == indexes               # patients_last_seen rebuilt as it was
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # back on after the rebuild
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    notnull = {r[1]: r[3] for r in conn.execute("PRAGMA table_info(patients)")}
    assert notnull["full_name"] == 0 and notnull["first_seen"] == 1 and notnull["gender"] == 1
    assert new.patients.get(b.id).full_name == "LÊ THỊ BÌNH" and new.patients.get(b.id).birth_date == "1985-03-04"
    # children still reference the rebuilt table: a cascade reaches them
    with new.transaction():
        conn.execute("DELETE FROM patients WHERE id = ?", (b.id,))
    assert conn.execute("SELECT count(*) FROM visits WHERE patient_id = ?", (b.id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM patient_documents WHERE patient_id = ?", (b.id,)).fetchone()[0] == 0
    # a nameless first visit can now be stored, only when asked for
    with pytest.raises(ValueError, match="full name"):
        with new.transaction():
            new.patients.upsert(PatientInput(), [DocumentInput("cccd", "079085000001")])
    with new.transaction():
        p = new.patients.upsert(PatientInput(), [DocumentInput("cccd", "079085000001")], nameless=True)
    assert p.full_name is None and new.patients.find_by_document("cccd", "079085000001").id == p.id
    # a later read with the name fills it in
    with new.transaction():
        named = new.patients.upsert(PatientInput(full_name="PHẠM VĂN MỚI"), [DocumentInput("cccd", "079085000001")])
    assert named.id == p.id and named.full_name == "PHẠM VĂN MỚI"
    new.close()
