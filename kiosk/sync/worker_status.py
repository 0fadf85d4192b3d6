"""The upload worker's state, outside the database (red-team M4): `<data_dir>/sync.status`.

The worker writes "starting", "running", "down" (its start keeps failing: a busy database, a full
disk...) or "stopped". The database is often the very thing that fails, so the state lives in a small
file that the desk alerts and the idle screen's health line read, in staff wording, from any process.
A "running" or "starting" file whose process is gone reads as down too (the worker died with it).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

STATUS_FILE = "sync.status"


@dataclass(frozen=True)
class WorkerStatus:
    state: str              # starting, running, down, stopped
    error: str = ""         # why it is down (type and message, no personal data)
    pid: int = 0
    since: float = 0.0      # wall-clock seconds of the last change

    @property
    def down(self) -> bool:
        return self.state == "down" or (self.state in ("running", "starting") and not _alive(self.pid))


def status_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATUS_FILE


def write_status(path: Path | None, state: str, error: str = "") -> None:
    if path is None:
        return
    from kiosk.files import write_atomic
    body = {"state": state, "error": error[:300], "pid": os.getpid(), "since": time.time()}
    try:
        write_atomic(path, json.dumps(body) + "\n")
    except OSError:   # a full disk is one reason to be down: the log still says it
        pass


def read_status(path: Path) -> WorkerStatus | None:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return WorkerStatus(str(raw["state"]), str(raw.get("error", "")), int(raw.get("pid", 0)),
                            float(raw.get("since", 0.0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def down_text(status: WorkerStatus | None) -> str | None:
    """Staff wording (Vietnamese / English) when the upload worker is down; None when it is not."""
    if status is None or not status.down:
        return None
    why = status.error or "the process that ran it has stopped"
    return ("Bộ gửi hồ sơ lên cổng BHXH đang dừng: lượt khám vẫn được nhận, hồ sơ chờ gửi; báo kỹ thuật viên / "
            f"the upload worker is down ({why}): check-ins continue, uploads wait; call the technician")


def worker_trouble(worker) -> str | None:
    """down_text for an in-process SyncWorker (its `down` reason), None when it uploads or is absent."""
    why = getattr(worker, "down", None) if worker is not None else None
    return down_text(WorkerStatus("down", why)) if why else None
