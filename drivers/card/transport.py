"""PC/SC through pyscard's `scard` layer, owned by one thread.

Every PC/SC call runs on the service's single worker thread (PC/SC handles are not shared
across threads); callers on other threads are marshalled onto it. Failures become typed
errors: a card or reader that disappears mid-read raises CardRemovedError / ReaderGoneError,
both retryable; the context is re-established after pcscd restarts.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, TypeVar

from smartcard import scard

from drivers.card.errors import (CardError, CardRemovedError, CardTimeoutError, NoReaderError,
                                 PcscUnavailableError, ReaderGoneError, TransmitError)
from drivers.card.transport_base import exchange

log = logging.getLogger(__name__)
T = TypeVar("T")

_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD,
            scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_E_NOT_TRANSACTED}
# F_COMM_ERROR: pcscd itself went away mid-call (daemon restart, reader stack crash)
_READER_GONE = {scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_UNKNOWN_READER,
                scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_INVALID_HANDLE, scard.SCARD_F_COMM_ERROR}
_NO_SERVICE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_F_COMM_ERROR,
               scard.SCARD_E_INVALID_HANDLE}


def _error(hr: int, what: str) -> CardError:
    name = scard.SCardGetErrorMessage(hr)
    if hr in _REMOVED:
        return CardRemovedError(f"{what}: {name}")
    if hr == scard.SCARD_E_TIMEOUT:
        return CardTimeoutError(f"{what}: {name}")
    if hr in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
        return PcscUnavailableError(f"{what}: {name}")
    if hr in _READER_GONE:
        return ReaderGoneError(f"{what}: {name}")
    return TransmitError(f"{what}: {name} (0x{hr & 0xFFFFFFFF:08X})")


@dataclass(frozen=True)
class CardEvent:
    kind: str      # "inserted" or "removed"
    reader: str


class PcscService:
    """One PC/SC context on one thread. Thread-safe; every method may be called from anywhere."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcsc")
        self._owner: threading.Thread | None = None
        self._ctx: int | None = None
        self._pool.submit(self._bind).result()

    def _bind(self) -> None:
        self._owner = threading.current_thread()

    def call(self, fn: Callable[..., T], *args) -> T:
        """Run `fn(*args)` on the PC/SC thread (directly when already on it)."""
        if threading.current_thread() is self._owner:
            return fn(*args)
        return self._pool.submit(fn, *args).result()

    def _context(self) -> int:
        assert threading.current_thread() is self._owner, "PC/SC used off its thread"
        if self._ctx is None:
            hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hr != scard.SCARD_S_SUCCESS:
                raise PcscUnavailableError(f"cannot reach pcscd: {scard.SCardGetErrorMessage(hr)}")
            self._ctx = ctx
        return self._ctx

    def _drop_context(self) -> None:
        if self._ctx is not None:
            scard.SCardReleaseContext(self._ctx)
            self._ctx = None

    def _checked(self, hr: int, what: str) -> None:
        if hr != scard.SCARD_S_SUCCESS:
            err = _error(hr, what)
            if hr in _NO_SERVICE:
                self._drop_context()
            raise err

    # ---- readers and cards
    def list_readers(self) -> list[str]:
        def run() -> list[str]:
            hr, readers = scard.SCardListReaders(self._context(), [])
            if hr in (scard.SCARD_E_NO_READERS_AVAILABLE,):
                return []
            self._checked(hr, "list readers")
            return list(readers)
        return self.call(run)

    def _states(self, reader_filter: str) -> list[str]:
        readers = [r for r in self.list_readers() if reader_filter in r]
        if not readers:
            raise NoReaderError("no PC/SC reader" + (" matches the configured name" if reader_filter else ""))
        return readers

    def present(self, reader_filter: str = "", wait_ms: int = 0) -> dict[str, bool]:
        """Card presence per matching reader, waiting up to `wait_ms` for a change."""
        def run() -> dict[str, bool]:
            readers = self._states(reader_filter)
            hr, states = scard.SCardGetStatusChange(self._context(), 0,
                                                    [(r, scard.SCARD_STATE_UNAWARE) for r in readers])
            self._checked(hr, "reader status")
            if wait_ms:
                hr2, changed = scard.SCardGetStatusChange(self._context(), wait_ms,
                                                          [(r, ev) for r, ev, _ in states])
                if hr2 == scard.SCARD_S_SUCCESS:
                    states = changed
                elif hr2 != scard.SCARD_E_TIMEOUT:
                    self._checked(hr2, "reader status")
            return {r: bool(ev & scard.SCARD_STATE_PRESENT) and not ev & scard.SCARD_STATE_MUTE
                    for r, ev, _ in states}
        return self.call(run)

    def wait_for_card(self, reader_filter: str = "", timeout: float = 30.0,
                      stop: threading.Event | None = None) -> str:
        """Name of the first matching reader with a card, waiting up to `timeout` seconds.
        Waits in short slices so other PC/SC work and `stop` are served in between."""
        deadline = time.monotonic() + timeout
        wait_ms = 0  # a card already lying on the reader is found without waiting
        while True:
            try:
                states = self.present(reader_filter, wait_ms=wait_ms)
                wait_ms = 200
                for reader, has_card in states.items():
                    if has_card:
                        return reader
            except NoReaderError:
                time.sleep(0.2)
            if (stop is not None and stop.is_set()) or time.monotonic() >= deadline:
                raise CardTimeoutError("no card presented in time")

    def events(self, reader_filter: str, stop: threading.Event, callback: Callable[[CardEvent], None]) -> None:
        """Report insert/remove events until `stop` is set (run on a caller thread)."""
        known: dict[str, bool] = {}
        while not stop.is_set():
            try:
                now = self.present(reader_filter, wait_ms=250)
            except (NoReaderError, ReaderGoneError, PcscUnavailableError):
                now = {}
                stop.wait(0.5)
            for reader in set(known) | set(now):
                before, after = known.get(reader, False), now.get(reader, False)
                if before != after:
                    callback(CardEvent("inserted" if after else "removed", reader))
            known = now

    def connect(self, reader: str) -> "PcscCard":
        def run() -> PcscCard:
            hr, handle, proto = scard.SCardConnect(self._context(), reader, scard.SCARD_SHARE_SHARED,
                                                   scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
            self._checked(hr, "connect")
            return PcscCard(self, handle, proto, reader)
        return self.call(run)

    def close(self) -> None:
        try:
            self.call(self._drop_context)
        finally:
            self._pool.shutdown(wait=True)


class PcscCard:
    """A connected card; `transmit` is the transport surface used by the ICAO reader."""

    def __init__(self, service: PcscService, handle: int, protocol: int, reader: str):
        self.service, self.handle, self.protocol, self.reader = service, handle, protocol, reader
        self._pci = scard.SCARD_PCI_T0 if protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1

    def _raw(self, apdu: bytes) -> bytes:
        hr, resp = scard.SCardTransmit(self.handle, self._pci, list(apdu))
        self.service._checked(hr, "transmit")
        if len(resp) < 2:  # vpcd (and some readers) answer "success, no bytes" when the card left
            raise CardRemovedError("transmit: no status word from the card")
        return bytes(resp)

    def transmit(self, apdu: bytes) -> bytes:
        return self.service.call(exchange, self._raw, apdu)

    def run(self, job: Callable[["PcscCard"], T]) -> T:
        """Run a whole job (e.g. a chip read) on the PC/SC thread: no per-APDU thread hop."""
        return self.service.call(job, self)

    def disconnect(self, disposition: int = scard.SCARD_LEAVE_CARD) -> None:
        def run() -> None:
            scard.SCardDisconnect(self.handle, disposition)
        self.service.call(run)
