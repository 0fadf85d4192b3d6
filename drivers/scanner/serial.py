"""Serial and USB CDC scanners through pyserial: a port, a baud rate, a terminator; the port is
reopened after an unplug (udev's /dev/serial/by-id/ link comes back with the device)."""
from __future__ import annotations

import threading
import time

import serial as pyserial

from drivers.scanner.base import DeviceGone, Sink, ThreadedScanner


class SerialFramer:
    """Splits a byte stream into payloads at `terminator`, or after `idle` seconds of silence
    when the scanner sends no terminator. Pure; `feed(chunk, t)` and `tick(t)` return payloads."""

    def __init__(self, terminator: bytes | None = b"\r", idle: float = 0.08,
                 strip: bytes = b"\r\n", max_bytes: int = 8192):
        self.terminator = terminator or None
        self.idle = idle
        self.strip = strip
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._last = 0.0
        self.overflows = 0

    @property
    def pending(self) -> bool:
        return bool(self._buf)

    def feed(self, chunk: bytes, t: float) -> list[bytes]:
        out: list[bytes] = []
        if chunk:
            self._buf += chunk
            self._last = t
        if self.terminator:
            while (i := self._buf.find(self.terminator)) >= 0:
                part = bytes(self._buf[:i]).strip(self.strip)
                del self._buf[: i + len(self.terminator)]
                if part:
                    out.append(part)
        if len(self._buf) > self.max_bytes:
            self._buf.clear()
            self.overflows += 1
        return out

    def tick(self, t: float) -> list[bytes]:
        """Without a terminator, silence ends a payload; with one, silence leaves it pending."""
        if self.terminator is None and self._buf and t - self._last >= self.idle:
            part = bytes(self._buf).strip(self.strip)
            self._buf.clear()
            return [part] if part else []
        return []

    def reset(self) -> bool:
        had = bool(self._buf)
        self._buf.clear()
        return had


class SerialScanner(ThreadedScanner):
    def __init__(self, port: str, baud: int = 9600, terminator: bytes | None = b"\r",
                 idle: float = 0.08, sink: Sink | None = None, source: str | None = None,
                 read_timeout: float = 0.05, **kw):
        super().__init__(source or f"serial:{port}", sink, **kw)
        self.port, self.baud = port, baud
        self._framer = SerialFramer(terminator, idle)
        self._read_timeout = read_timeout
        self._ser: pyserial.Serial | None = None

    def _interrupt(self) -> None:
        ser = self._ser
        if ser is not None:
            try:
                ser.cancel_read()
            except Exception:  # noqa: BLE001 - best effort wake-up
                pass

    def _session(self, stop: threading.Event) -> None:
        try:
            ser = pyserial.Serial(self.port, self.baud, timeout=self._read_timeout)
        except (pyserial.SerialException, OSError) as exc:
            raise DeviceGone(f"{self.source}: cannot open ({exc.__class__.__name__})") from exc
        self._ser = ser
        try:
            self._connected()
            while not stop.is_set():
                try:
                    chunk = ser.read(ser.in_waiting or 1)
                except (pyserial.SerialException, OSError) as exc:
                    raise DeviceGone(f"{self.source}: port lost") from exc
                now = time.monotonic()
                for part in self._framer.feed(chunk, now) + self._framer.tick(now):
                    self._emit(part, "serial")
        finally:
            self._ser = None
            if self._framer.reset():
                self._dropped()
            try:
                ser.close()
            except Exception:  # noqa: BLE001
                pass
