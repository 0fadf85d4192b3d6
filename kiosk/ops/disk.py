"""Free-space guard: refuse new check-ins before SQLite could hit SQLITE_FULL mid-transaction."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class DiskState:
    free_mib: float
    min_free_mib: float

    @property
    def ok(self) -> bool:
        return self.free_mib >= self.min_free_mib


class DiskGuard:
    """`usage` is injectable so tests can simulate a nearly full disk without filling one."""

    def __init__(self, path: Path, min_free_mib: float,
                 usage: Callable[[Path], float] | None = None):
        self.path = Path(path)
        self.min_free_mib = float(min_free_mib)
        self._usage = usage or (lambda p: shutil.disk_usage(p).free / (1024 * 1024))

    def state(self) -> DiskState:
        return DiskState(self._usage(self.path), self.min_free_mib)

    def ok(self) -> bool:
        return self.state().ok
