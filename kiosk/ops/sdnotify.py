"""systemd notifications (READY=1, WATCHDOG=1, STATUS=…) without a dependency: one datagram each."""
from __future__ import annotations

import os
import socket


class SdNotifier:
    """Sends to $NOTIFY_SOCKET when systemd started us with Type=notify; otherwise does nothing."""

    def __init__(self, address: str | None = None):
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, message: str) -> bool:
        if not self.address:
            return False
        addr = self.address
        if addr.startswith("@"):  # abstract namespace socket
            addr = "\0" + addr[1:]
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect(addr)
                sock.sendall(message.encode("utf-8"))
            except OSError:
                return False
        return True

    def ready(self) -> bool:
        return self.notify("READY=1")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")


def watchdog_interval_seconds() -> float | None:
    """Half of systemd's WatchdogSec (WATCHDOG_USEC), the usual heartbeat period."""
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec or (os.environ.get("WATCHDOG_PID") and os.environ["WATCHDOG_PID"] != str(os.getpid())):
        return None
    return int(usec) / 2_000_000
