"""kiosk.files: the one durable-write helper (0600 before data, fsync, rename, fsync the directory)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import kiosk.files as files
from kiosk.files import atomic_path, write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """umask 0: a helper that relied on the umask would create 0666 files here."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_writes_bytes_and_text_as_0600(tmp_path, open_umask):
    write_atomic(tmp_path / "a.bin", b"\x00\x01secret")
    write_atomic(tmp_path / "b.txt", "Nguyễn\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01secret"
    assert (tmp_path / "b.txt").read_bytes() == "Nguyễn\n".encode()
    assert _mode(tmp_path / "a.bin") == 0o600 and _mode(tmp_path / "b.txt") == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.txt"]


def test_replaces_an_existing_file_and_makes_it_0600(tmp_path, open_umask):
    target = tmp_path / "state.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert _mode(target) == 0o600


def test_temp_file_is_0600_and_empty_before_the_first_byte(tmp_path, monkeypatch, open_umask):
    seen = []
    real_open = open

    def spy_open(path, *args, **kwargs):
        st = os.stat(path)
        seen.append((stat.S_IMODE(st.st_mode), st.st_size))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files, "open", spy_open, raising=False)
    write_atomic(tmp_path / "k", b"x" * 1000)
    assert seen == [(0o600, 0)]


def test_never_world_readable_while_being_written(tmp_path, open_umask):
    """A watcher stats every entry of the directory while 300 files are written; every file it
    ever sees (temp or final) is 0600."""
    stop = threading.Event()
    modes: set[int] = set()
    looks = [0]

    def watch():
        while not stop.is_set():
            for entry in os.scandir(tmp_path):
                try:
                    modes.add(stat.S_IMODE(entry.stat().st_mode))
                    looks[0] += 1
                except FileNotFoundError:
                    pass  # renamed away between scandir and stat

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(300):
            write_atomic(tmp_path / f"f{i % 7}", os.urandom(4096))
    finally:
        stop.set()
        watcher.join()
    assert looks[0] > 0
    assert modes == {0o600}


def test_exception_before_rename_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "kiosk.db"
    target.write_bytes(b"old contents")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half of the new")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.db"]


def test_crash_before_rename_leaves_the_old_file_intact(tmp_path):
    """A real process dies (os._exit, no cleanup) after the data is fsynced but before the rename."""
    target = tmp_path / "key"
    target.write_bytes(b"O" * 32)
    code = (
        "import os, sys\n"
        "import kiosk.files as f\n"
        "def die(*a, **k):\n"
        "    os._exit(9)\n"
        "f.os.replace = die\n"
        "f.write_atomic(sys.argv[1], b'N' * 32)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.run([sys.executable, "-c", code, str(target)], env=env, timeout=60)
    assert proc.returncode == 9
    assert target.read_bytes() == b"O" * 32
    leftovers = [p for p in tmp_path.iterdir() if p.name != "key"]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".key.")  # a stray temp, never the key
    assert _mode(leftovers[0]) == 0o600 and leftovers[0].read_bytes() == b"N" * 32


def test_no_overwrite_refuses_an_existing_file(tmp_path):
    target = tmp_path / "key"
    target.write_bytes(b"first")
    with pytest.raises(FileExistsError):
        write_atomic(target, b"second", overwrite=False)
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["key"]
    write_atomic(tmp_path / "fresh", b"ok", overwrite=False)
    assert (tmp_path / "fresh").read_bytes() == b"ok"


def test_file_and_directory_are_fsynced_in_order(tmp_path, monkeypatch):
    calls = []
    real_fsync = os.fsync

    def spy_fsync(fd):
        calls.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    real_replace = os.replace

    def spy_replace(a, b):
        calls.append("rename")
        real_replace(a, b)

    monkeypatch.setattr(files.os, "fsync", spy_fsync)
    monkeypatch.setattr(files.os, "replace", spy_replace)
    write_atomic(tmp_path / "x", b"data")
    assert calls.index("rename") > calls.index("file")
    assert calls[-1] == "dir"


def test_creates_missing_parent_directory_0700(tmp_path, open_umask):
    write_atomic(tmp_path / "new" / "f", b"1")
    assert _mode(tmp_path / "new") == 0o700
