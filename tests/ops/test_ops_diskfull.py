"""A nearly full and a truly full disk, on a small tmpfs data dir (CI runs as root): check-ins are
refused cleanly through the real issuing path, and the outbox keeps every queued item, byte for byte."""
from __future__ import annotations

import errno
import os
import subprocess

import pytest

from ops_issuing import issuer, people, request

from kiosk.core.clock import FakeClock
from kiosk.core.ports import IssueError
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import CheckinGate, CheckinsRefused, HealthState, startup_health
from kiosk.store import open_store

SIZE_MIB = 12


@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.fail("the disk-full test mounts a tmpfs and needs root (CI runs as root)")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MIB}m,mode=0700", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a {SIZE_MIB} MiB tmpfs for the disk-full test: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(directory, keep_bytes: int = 0) -> int:
    """Write a filler file until the file system is full (or only `keep_bytes` are left); returns bytes written."""
    fd = os.open(directory / "filler.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    written = 0
    try:
        for size in (65536, 4096, 512, 1):   # unbuffered, so the last partial block gets used too
            while True:
                st = os.statvfs(directory)
                if keep_bytes and st.f_bavail * st.f_frsize - size < keep_bytes:
                    break
                try:
                    written += os.write(fd, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
            if keep_bytes:
                break
    finally:
        os.close(fd)
    return written


def outbox_rows(store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT id, kind, ma_lk, payload, payload_sha256, state, attempts FROM outbox ORDER BY id")]


def counts(store) -> dict:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("patients", "visits", "tickets", "outbox", "audit_log")}


def _setup(small_fs, signer):
    clock = FakeClock()
    key = os.urandom(32)
    data_dir = small_fs / "data"
    store = open_store(data_dir, key, create=True, clock=clock, cache_mib=2)
    iss = issuer(store, signer, clock)
    folks = people()
    for p in folks[:3]:
        iss.issue(request(p, "K01"))
    return store, iss, folks, data_dir, key


def test_nearly_full_disk_refuses_check_ins_before_the_database_could_fail(small_fs, signer):
    store, iss, folks, data_dir, key = _setup(small_fs, signer)
    before_rows, before_counts = outbox_rows(store), counts(store)
    guard = DiskGuard(data_dir, min_free_mib=4)
    fill(small_fs, keep_bytes=2 * 1024 * 1024)          # ~2 MiB left: under the 4 MiB floor
    assert not guard.ok()
    at_start = startup_health(data_dir, key, guard)     # the kiosk (re)starts on the nearly full disk
    assert at_start.reason == "disk_low"
    gate = CheckinGate(iss, guard, at_start)
    with pytest.raises(CheckinsRefused) as info:
        gate.issue(request(folks[3], "K01"))
    assert isinstance(info.value, IssueError)            # the machine shows its "go to the desk" screen
    h = info.value.health
    assert h.state is HealthState.REFUSE_CHECKINS and h.reason == "disk_low"
    assert "bộ nhớ sắp đầy" in h.message_vi and "nearly full" in h.message_en
    assert outbox_rows(store) == before_rows and counts(store) == before_counts
    (small_fs / "filler.bin").unlink()
    t = gate.issue(request(folks[3], "K01"))              # room again: check-ins resume, no restart
    assert t.number == "A1-004"
    assert outbox_rows(store)[:3] == before_rows
    store.close()


def test_truly_full_disk_fails_the_transaction_cleanly_and_keeps_the_outbox(small_fs, signer, caplog):
    """No guard (or a guard set too low): SQLite meets SQLITE_FULL inside the issuing transaction.
    The issuer answers IssueError, nothing half-written remains, and the store keeps working."""
    store, iss, folks, data_dir, key = _setup(small_fs, signer)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # so the next commit needs new blocks
    before_rows, before_counts = outbox_rows(store), counts(store)
    fill(small_fs)
    assert os.statvfs(small_fs).f_bavail == 0
    failures = 0
    for p in folks[3:6]:
        with pytest.raises(IssueError):
            iss.issue(request(p, "K01"))
        failures += 1
        assert not store.conn.in_transaction, "a failed commit left the connection inside a transaction"
    assert failures == 3
    assert "OperationalError" in caplog.text             # SQLite's "database or disk is full"
    with pytest.raises(Exception, match="full"):
        store.conn.execute("CREATE TABLE probe_full (x)")
    assert outbox_rows(store) == before_rows and counts(store) == before_counts
    (small_fs / "filler.bin").unlink()
    t = iss.issue(request(folks[3], "K01"))
    assert t.number == "A1-004"
    assert outbox_rows(store)[:3] == before_rows
    assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    store.close()
    # and from a fresh connection, as after a restart: every item there with the same bytes
    again = open_store(data_dir, key)
    assert outbox_rows(again)[:3] == before_rows and len(outbox_rows(again)) == 4
    assert [r[0] for r in again.conn.execute("PRAGMA cipher_integrity_check")] == []
    again.close()


def test_full_disk_at_start_up_is_reported_as_the_disk_not_a_wrong_key(small_fs):
    """SQLite cannot create the -shm/-wal files on a full disk; the first read then fails with
    "disk I/O error", which the store reads as a wrong key. Start-up health names the disk."""
    key = os.urandom(32)
    data_dir = small_fs / "data"
    open_store(data_dir, key, create=True).close()        # closed cleanly: no -wal, no -shm
    fill(small_fs)
    h = startup_health(data_dir, key, DiskGuard(data_dir, 1))
    assert h.state is HealthState.MAINTENANCE and h.reason == "disk_full"
    assert "bộ nhớ đã đầy" in h.message_vi and "storage is full" in h.message_en
    (small_fs / "filler.bin").unlink()
    assert startup_health(data_dir, key, DiskGuard(data_dir, 1)).ok
