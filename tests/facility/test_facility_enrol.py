"""In facility mode the hub assigns the kiosk_id (issue 16 item 1): unique, stable per machine,
a duplicate refused; concurrent enrolments never share an id."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from kiosk.facility.enrol import EnrolRefused, enrol, machine_id


def test_the_hub_assigns_unique_stable_ids_and_refuses_a_duplicate(hub):
    with hub.connect() as conn:
        a, created_a = enrol(conn, "79001", "machine-a")
        b, created_b = enrol(conn, "79001", "machine-b")
        assert (a, created_a, b, created_b) == ("2", True, "3", True)     # 1 is the default provisioning refuses
        assert enrol(conn, "79001", "machine-a") == ("2", False)           # asking again: the same id
        with pytest.raises(EnrolRefused, match="another machine"):
            enrol(conn, "79001", "machine-c", wanted="3")
        with pytest.raises(EnrolRefused, match="already enrolled as kiosk 2"):
            enrol(conn, "79001", "machine-a", wanted="9")
        assert enrol(conn, "79001", "machine-c", wanted="4") == ("4", True)
        assert enrol(conn, "79001", "machine-d") == ("5", True)            # 4 was taken by hand: skipped
        with pytest.raises(EnrolRefused, match="letters and digits"):
            enrol(conn, "79001", "machine-e", wanted="4-1")
        # the kiosk role cannot write the table itself, only through hub_enrol
        import psycopg
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO kiosk_enrolments (kiosk_id, facility_code, machine) VALUES ('7', '79001', 'x')")


def test_concurrent_enrolments_never_share_an_id(hub):
    def one(i):
        with hub.connect() as conn:
            return enrol(conn, "79001", f"m{i}")[0]
    with ThreadPoolExecutor(8) as ex:
        ids = list(ex.map(one, range(24)))
    assert len(set(ids)) == 24


def test_enrol_command(hub, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\nfacility_code = "79001"\n')

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(cfg), "hub", "enrol",
                               "--dsn", hub.dsn(), *argv], capture_output=True, text=True, env=env, timeout=120)
    first = run("--machine", "front-1")
    assert first.returncode == 0 and "kiosk_id 2 (enrolled now)" in first.stdout, first.stderr
    assert "kiosk_id 2 (already enrolled)" in run("--machine", "front-1").stdout
    dup = run("--machine", "front-2", "--kiosk-id", "2")
    assert dup.returncode == 1 and "refused" in dup.stderr and "another machine" in dup.stderr


def test_machine_id_reads_systemd_machine_id(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "machine-id").write_text("0123abcd\n")
    assert machine_id(tmp_path) == "0123abcd"
    os.remove(tmp_path / "etc" / "machine-id")
    assert machine_id(tmp_path)                       # falls back to the host name
