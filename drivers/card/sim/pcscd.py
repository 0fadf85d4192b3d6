"""pcscd lifecycle for the tests and the demo: start `pcscd --foreground` if none runs, wait
for the vpcd readers, stop it at the end (only if we started it)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from smartcard import scard

PID_FILE = Path("/run/pcscd/pcscd.pid")
VPCD_READER = "Virtual PCD"
VPCD_PORTS = (35963, 35964)      # vpcd's listening ports (reader.conf.d/vpcd CHANNELID and the next)
TIME_WAIT_S = 75.0               # Linux keeps a closed server-side connection's port for 60 s


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


def running_pid(pid_file: Path | None = None) -> int | None:
    """The live pcscd's pid, or None. pcscd writes the file padded with a NUL ('17142\\n\\x00'):
    strip NULs and whitespace, else a second pcscd would be started beside the first."""
    try:
        pid = int((pid_file or PID_FILE).read_text(errors="replace").replace("\x00", "").strip())
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    return pid if _pid_alive(pid) else None


def ports_free(ports: tuple[int, ...] = VPCD_PORTS) -> bool:
    """True when vpcd could bind its ports: none listening and none held in TIME_WAIT by a
    connection the previous daemon closed first (vpcd binds without SO_REUSEADDR)."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


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
            deadline = time.monotonic() + TIME_WAIT_S
            while not ports_free() and time.monotonic() < deadline:
                time.sleep(0.5)
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen([exe, "--foreground", "--error"], stdout=logf, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        try:
            self._wait_readers()
        except PcscdError:
            self.stop()          # never leave a daemon of ours behind without its readers
            raise
        return self

    def _wait_readers(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                other = running_pid()
                if other is not None and other != self.proc.pid:
                    # another pcscd won the race to /run/pcscd: use it, it is not ours to stop
                    self.proc = None
                    continue
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
