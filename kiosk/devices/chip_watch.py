"""Watches the PC/SC card reader (ChipPresented / ChipRemoved) and reads the chip when the check-in
machine asks (`ReadChip`, run by the service on its chip lane through the `ChipReader` port).

BAC key source (design decision). The CCCD chip opens only with the MRZ-derived key (document
number, birth date, expiry); the kiosk never guesses it. The key comes from the identity the live
check-in session already resolved, which the service hands to `read_chip`:
  (a) the patient scanned the card's QR (or typed a CCCD number known to the cache) first: the
      card laid during Confirm turns the screen into the chip read (same session, `ReadChip`) and the
      chip is opened with `bac_candidates(identity)` (CCCD number + birth date + expiry candidates);
  (b) the card is laid first: ChipPresented starts a chip session; with no identity yet the service
      answers `ChipNeedsQr` and the screen asks "scan the QR on the front of your card"
      (Reading.needs_qr); the QR is resolved in the same session (the machine stays on the chip
      read) and emits `ReadChip`, keyed by the QR's identity.
Either way the chip read is merged with that identity (`kiosk.identity.merge`: the chip-verified
values win) and answered as `ChipReadDone(identity)`; the resolver turns it into the Confirm screen.
Passive authentication is judged here, once: a chip failing it is `ChipReadFailed(rejected=True)`.
A QR that carries no CCCD key (a BHYT card) cannot open the chip: the patient is told so.
Not chosen: guessing keys (birth dates × expiries is unbounded), or PACE with the CAN printed on the
card (would need the CAN typed; it slots in beside BAC through the driver's PaceFactory later).
`ChipReadDone` carries the merged Identity, not the ChipRead: the face image is not kept.
The watcher never looks at the machine's state: flow decisions (which session, when to read) are
the machine's. A card left on the reader is not announced again, so it is not read for the next
patient. Attempts are bounded: the driver tries at most `max_bac_attempts` keys; a failed read is
retried at most `max_read_attempts` times per request; a wrong key ends that laying.

Threads: one watcher thread polls presence in short slices; every PC/SC call runs on the
PcscService's own thread (a read runs there as one job, requested from the service's chip lane).
Nothing here touches the UI: events go through `service.post` / the `report` callback (both
thread-safe). pcscd down or no reader: the status says so and the watcher retries with exponential
backoff; `stop()` ends it within about one poll slice (or one read).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from kiosk.core import checkin as c
from kiosk.core.views import Message

if TYPE_CHECKING:
    from kiosk.identity.model import Identity

Report = Callable[[c.Event], None]

log = logging.getLogger(__name__)

REPRESENT_S = 1.0            # a card still reported after a mid-read removal counts as laid back
# The steps the ICAO reader reports, in order (others, e.g. DG14, keep the last index).
STEPS = ("bac", "EF.COM", "DG1", "DG13", "DG2", "SOD", "passive-auth", "done")

KEY_MISMATCH = Message("chip_key_mismatch",
                       "Mã QR không khớp với thẻ trên đầu đọc. Vui lòng nhấc thẻ ra, quét mã QR trên mặt trước "
                       "của chính thẻ đó rồi đặt lại thẻ.",
                       "The QR code does not match the card on the reader. Please lift the card, scan the QR "
                       "code on the front of that card, then lay it down again.")
NO_CHIP_KEY = Message("chip_needs_cccd_qr",
                      "Mã này không mở được chip của thẻ. Vui lòng quét mã QR ở mặt trước thẻ căn cước.",
                      "This code cannot open the card's chip. Please scan the QR code on the front of your "
                      "citizen identity card.")


class DeviceState(str, Enum):
    STARTING = "starting"
    UP = "up"                  # pcscd answers and a matching reader is connected
    NO_READER = "no_reader"    # pcscd answers, no (matching) reader
    DOWN = "down"              # pcscd cannot be reached
    STOPPED = "stopped"


@dataclass(frozen=True)
class WatchStatus:
    state: DeviceState = DeviceState.STARTING
    detail: str = ""                 # an error code, never personal data
    retry_in_s: float | None = None  # while DOWN / NO_READER: the next attempt
    presented: int = 0
    read_ok: int = 0
    rejected: int = 0
    removed: int = 0
    failed: int = 0


@dataclass
class _Card:
    reader: str
    reading: bool = False      # a read runs: its own outcome reports a removal
    done: bool = False         # read (or given up) for this laying: its removal is not news
    lost_at: float | None = None  # left the field mid-read (monotonic); pcscd may not know yet


class ChipWatcher:
    def __init__(self, service: Any, *, reader: str = "", chunk_size: int = 223, csca_dir: Path | str | None = None,
                 rule: str = "last9", renewal_ages: Sequence[int] | None = None,
                 no_expiry_forms: Sequence[str] | None = None, max_bac_attempts: int = 6,
                 max_read_attempts: int = 2, poll_ms: int = 150, backoff: tuple[float, float] = (0.5, 15.0),
                 pcsc_factory: Callable[[], Any] | None = None):
        self.service = service
        self.reader = reader
        self.chunk_size = chunk_size
        self.csca_dir = csca_dir
        self.rule = rule
        self.renewal_ages = tuple(renewal_ages) if renewal_ages else None
        self.no_expiry_forms = tuple(no_expiry_forms) if no_expiry_forms else None
        self.max_bac_attempts = max_bac_attempts
        self.max_read_attempts = max(1, max_read_attempts)
        self.poll_ms = poll_ms
        self.backoff = backoff
        self._factory = pcsc_factory
        self._pcsc: Any = None
        self._csca: Any = None
        self._card: _Card | None = None
        self._card_lock = threading.Lock()
        self._ready = threading.Event()      # the CSCA store is loaded (reads wait for it)
        self._status = WatchStatus()
        self._status_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, cfg: Any, service: Any) -> "ChipWatcher":
        return cls(service, reader=cfg.card_reader, chunk_size=cfg.card_chunk_size, csca_dir=cfg.csca_dir,
                   rule=cfg.cccd_docnum_rule, renewal_ages=cfg.bac_renewal_ages,
                   no_expiry_forms=cfg.bac_no_expiry_forms)

    # ------------------------------------------------------------ public (any thread)

    def start(self) -> "ChipWatcher":
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="chip-watch", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("chip watcher did not stop within %.0f s", timeout)
            self._thread = None
        self._set(state=DeviceState.STOPPED, retry_in_s=None)

    def status(self) -> WatchStatus:
        with self._status_lock:
            return self._status

    def has_card(self) -> bool:
        """A card lies on the watched reader, as this watcher last saw it."""
        with self._card_lock:
            return self._card is not None

    # ------------------------------------------------------------ the watcher thread

    def _set(self, **changes) -> None:
        with self._status_lock:
            self._status = replace(self._status, **changes)

    def _count(self, name: str) -> None:
        with self._status_lock:
            self._status = replace(self._status, **{name: getattr(self._status, name) + 1})

    def _run(self) -> None:
        from drivers.card.errors import NoReaderError, PcscUnavailableError, ReaderGoneError
        delay = self.backoff[0]
        try:
            try:
                self._csca = self._load_csca()
            finally:
                self._ready.set()
            while not self._stop.is_set():
                try:
                    if self._pcsc is None:
                        self._pcsc = self._new_pcsc()
                    self._cycle()
                    delay = self.backoff[0]
                    continue
                except NoReaderError as exc:
                    self._set(state=DeviceState.NO_READER, detail=exc.code, retry_in_s=delay)
                except (PcscUnavailableError, ReaderGoneError) as exc:
                    self._set(state=DeviceState.DOWN, detail=exc.code, retry_in_s=delay)
                except Exception as exc:   # never let the device thread die
                    log.exception("chip watcher cycle failed")
                    self._set(state=DeviceState.DOWN, detail=type(exc).__name__, retry_in_s=delay)
                self._card_lost()
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff[1])
        finally:
            if self._pcsc is not None:
                try:
                    self._pcsc.close()
                except Exception:
                    log.debug("closing PC/SC", exc_info=True)
                self._pcsc = None

    def _new_pcsc(self):
        if self._factory is not None:
            return self._factory()
        from drivers.card.transport import PcscService
        return PcscService()

    def _load_csca(self):
        if self.csca_dir is None or str(self.csca_dir) in ("", "."):
            log.warning("no CSCA store configured: chip reads stay unverified")
            return None
        from drivers.card.icao.csca import load_store
        return load_store(self.csca_dir)

    def _card_lost(self) -> None:
        with self._card_lock:
            card, self._card = self._card, None
        if card is not None and not card.done and not card.reading:
            self._count("removed")
            self.service.post(c.ChipRemoved())

    def _cycle(self) -> None:
        present = self._pcsc.present(self.reader, wait_ms=self.poll_ms)
        if self._status.state is not DeviceState.UP:
            self._set(state=DeviceState.UP, detail="", retry_in_s=None)
        reader = next((r for r, has in sorted(present.items()) if has), None)
        if reader is None:
            self._card_lost()
            return
        with self._card_lock:
            card = self._card
            if card is not None and card.reading:
                return             # a read runs on this card: its outcome says what happened
            # pcscd reports a card pulled mid-read as present for a moment: no new laying until it
            # is seen absent, or it stays present past REPRESENT_S (laid back between two polls)
            inserted = (card is None or card.reader != reader
                        or (card.lost_at is not None and time.monotonic() - card.lost_at >= REPRESENT_S))
            if inserted:
                self._card = _Card(reader)
        if inserted:
            self._count("presented")
            self.service.post(c.ChipPresented())     # the machine decides whether to read it

    # ------------------------------------------------------------ ChipReader port (the chip lane)

    def read_chip(self, identity: Identity, report: Report) -> None:
        """Read the card on the reader with keys from the session's `identity`; answers through
        `report` (see `kiosk.core.ports.ChipReader`). No card on the reader: nothing to report."""
        self._ready.wait(5.0)
        with self._card_lock:
            card = self._card
            if card is None or self._pcsc is None or (card.lost_at is not None and card.done):
                return
            card.reading, card.done = True, False
        try:
            keys, can = self._access(identity)
            if not keys and not can:
                self._count("failed")
                report(c.ChipReadFailed(message=NO_CHIP_KEY))
                card.done = True
                return
            self._read(card, keys, can, identity, report)
        finally:
            card.reading = False

    def _access(self, identity: Identity) -> tuple[list, str | None]:
        """BAC / PACE-MRZ candidate keys and the CAN (PACE; the CCCD number's last 6 digits)."""
        from kiosk.identity.bac import chip_access
        kw: dict[str, Any] = {}
        if self.renewal_ages:
            kw["renewal_ages"] = self.renewal_ages
        if self.no_expiry_forms:
            kw["no_expiry_forms"] = self.no_expiry_forms
        try:
            access = chip_access(identity, self.rule, **kw)
            return list(access.keys), access.can
        except (ValueError, AttributeError) as exc:
            log.warning("no chip key from the session identity: %s", type(exc).__name__)
            return [], None

    def _read(self, card: _Card, keys: list, can: str | None, base: Identity, report: Report) -> None:
        from drivers.card.errors import (AccessDeniedError, CardError, CardRemovedError, PcscUnavailableError,
                                         ReaderGoneError)
        chip = None
        for _ in range(self.max_read_attempts):
            try:
                chip = self._read_chip(card.reader, keys, can, report)
                break
            except CardRemovedError:
                card.done, card.lost_at = True, time.monotonic()
                self._count("removed")
                report(c.ChipRemoved())
                return
            except AccessDeniedError:
                card.done = True
                self._count("failed")
                report(c.ChipReadFailed(message=KEY_MISMATCH))
                return
            except (PcscUnavailableError, ReaderGoneError) as exc:
                log.warning("chip read: the reader went away (%s)", exc.code)
                break                      # the watcher thread reports the device and backs off
            except CardError as exc:
                log.warning("chip read failed: %s", exc.code)
                if not exc.retryable:
                    break
        card.done = True
        if chip is None:
            self._count("failed")
            report(c.ChipReadFailed())
            return
        self._report_result(chip, base, report)

    def _read_chip(self, reader: str, keys: list, can: str | None, report: Report):
        from drivers.card.errors import CardError
        from drivers.card.icao.reader import IcaoReader
        seen: list[str] = []
        index = [0]

        def progress(p) -> None:        # runs on the PC/SC thread; report is thread-safe
            # reading EF.CardAccess is part of unlocking the chip (PACE or BAC) for the patient
            step = "bac" if p.step == "card-access" else p.step
            if step in seen:
                return
            seen.append(step)
            if step in STEPS:
                index[0] = STEPS.index(step)
            report(c.ChipProgress(step, index[0], len(STEPS)))

        handle = self._pcsc.connect(reader)
        try:
            t0 = time.perf_counter()
            chip = handle.run(lambda t: IcaoReader(t, chunk_size=self.chunk_size,
                                                   max_bac_attempts=self.max_bac_attempts,
                                                   progress=progress).read(keys, can=can, csca=self._csca))
            log.info("chip read in %.0f ms (%d APDUs)", (time.perf_counter() - t0) * 1000, chip.apdus)
            return chip
        finally:
            try:
                handle.disconnect()
            except CardError:
                pass

    def _report_result(self, chip: Any, base: Identity, report: Report) -> None:
        """The chip's identity, judged once: passive authentication FAILED (forged or cloned) is
        rejected, the desk decides; not checked (no CSCA store configured) is accepted as
        unverified (the identity carries a warning); then merged with the session's identity."""
        from kiosk.identity.chip import identity_from_chip, pa_failed
        from kiosk.identity.errors import IdentityError
        from kiosk.identity.merge import merge
        try:
            identity = identity_from_chip(chip)
        except IdentityError as exc:
            self._count("failed")
            report(c.ChipReadFailed(message=Message(exc.code, exc.vi, exc.en)))
            return
        if pa_failed(identity):
            log.warning("chip failed passive authentication: %s", chip.pa.failed.value if chip.pa else "?")
            self._count("rejected")
            report(c.ChipReadFailed(rejected=True))
            return
        try:
            identity = merge(identity, base).identity     # the chip's values win
        except IdentityError:
            log.warning("chip and session identity disagree on a number: the chip's is kept")
        self._count("read_ok")
        report(c.ChipReadDone(identity))
