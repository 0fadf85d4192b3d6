"""Read an eMRTD chip: access control, the LDS files in chunks under secure messaging, PA.

Pure protocol over a `Transport`; the same code reads a real reader, pcscd+vpcd and the
in-process virtual chip. The progress callback reports real steps and bytes.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from drivers.card.apdu import SW_FILE_NOT_FOUND, SW_OK, CommandApdu, ResponseApdu
from drivers.card.errors import (AccessDeniedError, MalformedDataError, NotAnEmrtdError,
                                 SecureMessagingError, StatusWordError, TransmitError)
from drivers.card.icao import tlv
from drivers.card.icao.access import AccessGranted, choose_protocols, select_application
from drivers.card.icao.bac import BacKey
from drivers.card.icao.csca import CscaStore
from drivers.card.icao.dg13 import Dg13, parse_dg13
from drivers.card.icao.lds import EF, EfCom, FaceImage, Td1Mrz, parse_card_access, parse_com, parse_dg1, parse_dg2
from drivers.card.icao.pa import PaResult, passive_authentication
from drivers.card.icao.sm import SecureMessaging
from drivers.card.transport_base import CountingTransport, Transport

SHORT_CHUNK = 0xDF          # largest common safe plain chunk whose protected answer fits 256 bytes
DEFAULT_FILES = (EF.DG1, EF.DG13, EF.DG2, EF.DG14, EF.DG15)


@dataclass(frozen=True)
class Progress:
    step: str                   # "card-access", "bac", "EF.COM", "DG1", "DG13", "DG2", "SOD", "passive-auth", "done"
    file_bytes: int = 0         # bytes of this step's file read so far
    file_size: int | None = None
    total_bytes: int = 0        # all file bytes read so far in this session


@dataclass
class ChipRead:
    """Everything one read produced. `files` holds raw bytes by EF name (for PA and storage)."""
    files: dict[str, bytes] = field(default_factory=dict)
    com: EfCom | None = None
    mrz: Td1Mrz | None = None
    dg13: Dg13 | None = None
    face: FaceImage | None = None
    pa: PaResult | None = None
    pace_offered: tuple[str, ...] = ()
    access_protocol: str = ""   # "PACE" or "BAC"
    key_index: int = -1
    bac_attempts: int = 0
    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"ChipRead(files={sorted(self.files)}, pa_ok={self.pa.ok if self.pa else None})"

    def dg_bytes(self) -> dict[int, bytes]:
        return {ef.dg_number: self.files[ef.name] for ef in EF
                if ef.dg_number is not None and ef.name in self.files}


ProgressFn = Callable[[Progress], None]


class IcaoReader:
    def __init__(self, transport: Transport, *, chunk_size: int = SHORT_CHUNK,
                 max_bac_attempts: int = 6, progress: ProgressFn | None = None,
                 clock: Callable[[], float] = time.perf_counter, use_pace: bool = True):
        if not 8 <= chunk_size <= 0xFFFF - 64:  # >= 8: the first chunk must hold a TLV header
            raise ValueError("chunk size out of range")
        self.transport = CountingTransport(transport)
        self.chunk_size = chunk_size
        self.max_bac_attempts = max_bac_attempts
        self._progress = progress or (lambda p: None)
        self._clock = clock
        self._use_pace = use_pace
        self._sm: SecureMessaging | None = None
        self._total = 0

    # ---- plumbing
    def _transmit(self, apdu: bytes) -> ResponseApdu:
        raw = self.transport.transmit(apdu)
        if len(raw) < 2:
            raise TransmitError("response without a status word")
        return ResponseApdu.from_bytes(raw)

    def _send(self, cmd: CommandApdu) -> ResponseApdu:
        if self._sm is None:
            return self._transmit(cmd.encode())
        resp = self._sm.unprotect(self._transmit(self._sm.protect(cmd).encode()))
        if resp.sw in (0x6987, 0x6988):
            raise SecureMessagingError(f"chip rejected secure messaging (SW {resp.sw:04X})")
        return resp

    def _select_ef(self, ef: EF) -> bool:
        resp = self._send(CommandApdu(0x00, 0xA4, 0x02, 0x0C, ef.fid.to_bytes(2, "big")))
        if resp.sw == SW_FILE_NOT_FOUND:
            return False
        if resp.sw != SW_OK:
            raise StatusWordError(resp.sw, f"SELECT {ef.name}")
        return True

    def _read_binary(self, offset: int, length: int) -> bytes:
        if offset <= 0x7FFF:
            resp = self._send(CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length))
            data = resp.data
        else:  # odd INS: the offset travels in DO'54', the data comes back in DO'53'
            off = offset.to_bytes(3 if offset > 0xFFFF else 2, "big")
            resp = self._send(CommandApdu(0x00, 0xB1, 0x00, 0x00, tlv.encode(0x54, off), le=length + 4))
            data = tlv.unwrap(resp.data, 0x53) if resp.data else b""
        if resp.sw not in (SW_OK, 0x6282):
            raise StatusWordError(resp.sw, "READ BINARY")
        return data

    def read_file(self, ef: EF, step: str | None = None) -> bytes | None:
        """The whole file, or None if the chip has no such file. Sized from its first bytes."""
        step = step or ef.name
        if not self._select_ef(ef):
            return None
        try:
            first = self._read_binary(0, self.chunk_size)
        except StatusWordError as exc:  # chips refusing Le beyond the file end: ask for the header
            if exc.sw not in (0x6700, 0x6B00):
                raise
            first = self._read_binary(0, 8)
        size = tlv.header_total_length(first)
        if size is None:
            raise MalformedDataError(f"{ef.name} does not start with a TLV header")
        buf = bytearray(first[:size])
        self._total += len(buf)
        self._progress(Progress(step, len(buf), size, self._total))
        while len(buf) < size:
            part = self._read_binary(len(buf), min(self.chunk_size, size - len(buf)))
            if not part:
                raise MalformedDataError(f"{ef.name} ends before its declared length")
            buf += part
            self._total += len(part)
            self._progress(Progress(step, len(buf), size, self._total))
        return bytes(buf[:size])

    # ---- the read
    def _card_access(self) -> bytes | None:
        """EF.CardAccess, read in the clear before selecting the application (None if absent)."""
        try:
            return self.read_file(EF.CARD_ACCESS, "card-access")
        except (StatusWordError, MalformedDataError):
            return None

    def authenticate(self, keys: Sequence[BacKey], card_access: bytes | None = None,
                     can: str | None = None) -> AccessGranted:
        """PACE when the chip offers it (CAN first, then the MRZ keys), else or then BAC. PACE
        runs before the application is selected; the selection follows under SM."""
        self._sm = None
        protocols = choose_protocols(card_access if self._use_pace else None, keys, can, self.max_bac_attempts)
        last: AccessDeniedError | None = None
        for proto in protocols:
            if proto.name != "PACE" and not select_application(self._send).ok:
                raise NotAnEmrtdError("the eMRTD application cannot be selected")
            try:
                granted = proto.establish(self._send)
            except AccessDeniedError as exc:
                last = exc
                continue
            self._sm = granted.sm
            if proto.name == "PACE" and not select_application(self._send).ok:
                raise NotAnEmrtdError("the eMRTD application cannot be selected after PACE")
            return granted
        raise last or AccessDeniedError(0)

    def read(self, keys: Sequence[BacKey], *, can: str | None = None, files: Sequence[EF] = DEFAULT_FILES,
             csca: CscaStore | None = None, now: dt.datetime | None = None) -> ChipRead:
        """Authenticate (PACE with `can` / the keys when offered, else BAC with the keys), read
        `files` (those EF.COM lists) and EF.SOD, and run passive authentication when a CSCA
        store is given. `can`: the card access number (CCCD: last 6 digits of the number)."""
        out = ChipRead()
        t_start = self._clock()
        mark = t_start

        def lap(name: str) -> None:
            nonlocal mark
            t = self._clock()
            out.timings_ms[name] = round((t - mark) * 1000, 3)
            mark = t

        self._total = 0
        self._sm = None
        card_access = self._card_access()
        try:
            out.pace_offered = parse_card_access(card_access) if card_access else ()
        except MalformedDataError:
            out.pace_offered = ()
        lap("card-access")
        self._progress(Progress("bac", 0, None, self._total))
        granted = self.authenticate(keys, card_access, can)
        out.access_protocol, out.key_index, out.bac_attempts = granted.protocol, granted.key_index, granted.attempts
        lap("bac")
        com_bytes = self.read_file(EF.COM, "EF.COM")
        if com_bytes is None:
            raise MalformedDataError("the chip has no EF.COM")
        out.files[EF.COM.name], out.com = com_bytes, parse_com(com_bytes)
        lap("EF.COM")
        listed = set(out.com.files())
        for ef in files:
            if ef not in listed:
                continue
            data = self.read_file(ef)
            if data is not None:
                out.files[ef.name] = data
            lap(ef.name)
        sod = self.read_file(EF.SOD, "SOD")
        if sod is not None:
            out.files[EF.SOD.name] = sod
        lap("SOD")
        self._parse(out)
        if csca is not None:
            self._progress(Progress("passive-auth", 0, None, self._total))
            out.pa = passive_authentication(sod, out.dg_bytes(), csca, now)
            lap("passive-auth")
        out.timings_ms["total"] = round((self._clock() - t_start) * 1000, 3)
        st = self.transport.stats
        out.apdus, out.bytes_sent, out.bytes_received = st.apdus, st.bytes_sent, st.bytes_received
        self._progress(Progress("done", 0, None, self._total))
        return out

    @staticmethod
    def _parse(out: ChipRead) -> None:
        if EF.DG1.name in out.files:
            out.mrz = parse_dg1(out.files[EF.DG1.name])
        if EF.DG13.name in out.files:
            out.dg13 = parse_dg13(out.files[EF.DG13.name])
        if EF.DG2.name in out.files:
            try:
                out.face = parse_dg2(out.files[EF.DG2.name])
            except MalformedDataError:
                out.face = None  # a missing photo must not stop the identification

