"""pcscd lifecycle for the tests and the demo: start `pcscd --foreground` if none runs, wait
for the vpcd readers, stop it at the end (only if we started it)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from smartcard import scard

PID_FILE = Path("/run/pcscd/pcscd.pid")
VPCD_READER = "Virtual PCD"


class PcscdError(RuntimeError):
    """pcscd could not be started or the vpcd readers did not appear; the message says why."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def running_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def list_readers() -> list[str]:
    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return []
    try:
        hr, readers = scard.SCardListReaders(ctx, [])
        return list(readers) if hr == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(ctx)


class Pcscd:
    """`with Pcscd() as d:` ensures a pcscd with the vpcd readers; `d.started` says if it is ours."""

    def __init__(self, binary: str = "pcscd", log_path: Path | None = None, timeout: float = 15.0):
        self.binary = binary
        self.timeout = timeout
        self.log_path = log_path or Path(tempfile.gettempdir()) / "kiosk-pcscd.log"
        self.proc: subprocess.Popen | None = None

    @property
    def started(self) -> bool:
        return self.proc is not None

    def start(self) -> "Pcscd":
        if running_pid() is None:
            exe = shutil.which(self.binary) or (f"/usr/sbin/{self.binary}" if Path(f"/usr/sbin/{self.binary}").exists() else None)
            if exe is None:
                raise PcscdError("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
            if not Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so").exists():
                raise PcscdError("the vsmartcard-vpcd driver is not installed (apt-get install vsmartcard-vpcd)")
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen([exe, "--foreground", "--error"], stdout=logf, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        self._wait_readers()
        return self

    def _wait_readers(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise PcscdError(f"pcscd exited with status {self.proc.returncode}; log: {self.log_path}")
            if any(VPCD_READER in r for r in list_readers()):
                return
            time.sleep(0.1)
        raise PcscdError(f"no '{VPCD_READER}' reader after {self.timeout:.0f}s; is pcscd running as root "
                         f"with vsmartcard-vpcd? log: {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def __enter__(self) -> "Pcscd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
