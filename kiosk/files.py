"""Durable file writes: the one way the kiosk puts a file on disk that must survive a power cut.

Every writer goes through `atomic_path` (or the `write_atomic` shortcut):
  1. a temp file is created next to the target with mode 0600 *before any byte is written*
     (O_CREAT|O_EXCL with 0600, then fchmod in case the umask or the filesystem disagreed),
  2. the caller fills it, it is fsynced,
  3. it is renamed over the target (or hard-linked, when an existing target must not be replaced),
  4. the directory is fsynced so the rename itself is durable.
A crash or an exception at any step before the rename leaves the old file exactly as it was and
removes the temp file; at no moment is a partly written or world-readable file visible.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SECRET_MODE = 0o600


def fsync_dir(directory: Path | str) -> None:
    """fsync a directory so a rename, link or unlink inside it survives a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_private(tmp: Path, mode: int) -> int:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # the umask can only remove bits; say the mode exactly, before any data
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def atomic_path(path: Path | str, *, overwrite: bool = True, mode: int = SECRET_MODE,
                dir_mode: int = 0o700) -> Iterator[Path]:
    """Yield an empty temp path (already `mode`) to fill; on success it atomically becomes `path`.

    For writers that need a file name rather than a handle (SQLite backup, zipfile, copyfile).
    With overwrite=False an existing `path` raises FileExistsError and is left untouched (the
    temp file is hard-linked, which fails if the name exists: no race can replace it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=dir_mode)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    os.close(_create_private(tmp, mode))
    try:
        yield tmp
        fsync_file(tmp)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            os.unlink(tmp)
        fsync_dir(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(path: Path | str, data: bytes | str, *, overwrite: bool = True,
                 mode: int = SECRET_MODE) -> None:
    """Write `data` (str is UTF-8 encoded) durably to `path` as a `mode` (0600) file."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with atomic_path(path, overwrite=overwrite, mode=mode) as tmp:
        with open(tmp, "r+b") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
