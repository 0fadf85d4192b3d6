"""One sync worker per data directory, enforced with an advisory file lock.

The kernel drops the lock when its holder dies (even by SIGKILL), so the next worker knows that
every `sending` lease it finds belongs to a dead worker and can reclaim it at once.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "sync.lock"


class WorkerBusy(Exception):
    def __init__(self, path: Path):
        super().__init__(f"another sync worker holds {path} (the kiosk app or `kiosk sync run`)")


class WorkerLock:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> "WorkerLock":
        return cls(Path(data_dir) / LOCK_NAME)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WorkerBusy(self.path) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
