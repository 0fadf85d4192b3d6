"""Link the virtual chip to pcscd through vsmartcard-vpcd's TCP protocol.

Frames are a 2-byte big-endian length then the payload. A 1-byte payload is a control
(0 power off, 1 power on, 2 reset, 4 get ATR: answered with the ATR); anything longer is a
command APDU answered with the response APDU. Connected = card inserted; closed = removed.
"""
from __future__ import annotations

import logging
import socket
import threading
import time

from drivers.card.sim.chip import ATR, CardPulled, VirtualChip

log = logging.getLogger(__name__)
DEFAULT_PORT = 35963
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


def _quickack(sock: socket.socket) -> None:
    """vpcd writes the length and the payload separately; with Nagle on its side and delayed
    ACKs on ours each frame would wait ~40 ms. Linux resets TCP_QUICKACK after use: set it anew."""
    if hasattr(socket, "TCP_QUICKACK"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        _quickack(sock)
        part = sock.recv(n - len(buf))
        if not part:
            raise ConnectionError("vpcd closed the connection")
        buf += part
    return bytes(buf)


class VpcdLink:
    """Runs the chip on its own thread. `insert()` connects, `remove()` closes the socket."""

    def __init__(self, chip: VirtualChip, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        self.chip = chip
        self.host, self.port = host, port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.connected = threading.Event()
        self.pulled = threading.Event()   # set when a fault pulled the card mid-read
        self.apdus = 0

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while pcscd/vpcd starts up) and serve on a thread."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sock = sock
        self.pulled.clear()
        self.connected.set()
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"vpcd-{self.port}", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.connected.clear()

    def wait_removed(self, timeout: float) -> bool:
        """True once the serving thread ended (card removed by a fault or by remove())."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                size = int.from_bytes(_recv_exact(sock, 2), "big")
                msg = _recv_exact(sock, size)
                if size == 1:
                    ctl = msg[0]
                    if ctl == POWER_ON:
                        self.chip.power_on()
                    elif ctl == RESET:
                        self.chip.power_on()
                    elif ctl == GET_ATR:
                        sock.sendall(len(ATR).to_bytes(2, "big") + ATR)
                    elif ctl == POWER_OFF:
                        self.chip.reset()
                    continue
                self.apdus += 1
                try:
                    resp = self.chip.process(msg)
                except CardPulled:
                    self.pulled.set()
                    log.info("virtual card pulled from the field (fault)")
                    break
                sock.sendall(len(resp).to_bytes(2, "big") + resp)
        except (ConnectionError, OSError):
            pass
        finally:
            with self._lock:
                if self._sock is sock:
                    self._sock = None
            try:
                sock.close()
            except OSError:
                pass
            self.connected.clear()

    def __enter__(self) -> "VpcdLink":
        self.insert()
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
