"""The virtual eMRTD chip: answers APDUs like a CCCD chip (SELECT, BAC's GET CHALLENGE and MUTUAL
AUTHENTICATE, PACE's MSE:Set AT and GENERAL AUTHENTICATE when EF.CardAccess offers it, secure
messaging, READ BINARY B0/B1), with fault injection for the tests. `pace_only` refuses BAC
with 6982, like chips that only do PACE."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.errors import CardRemovedError, SecureMessagingError
from drivers.card.icao import tlv
from drivers.card.icao.bac import BacAuthError, BacKey, chip_answer
from drivers.card.icao.lds import EF, EMRTD_AID
from drivers.card.icao.pace import PW_CAN, PW_MRZ, PacePassword, parse_pace_infos
from drivers.card.icao.pace_chip import PaceChip
from drivers.card.icao.sm import SecureMessaging

log = logging.getLogger(__name__)
ATR = bytes.fromhex("3B80800101")  # contactless-style ATR announcing T=1


class CardPulled(Exception):
    """Raised by the chip when a fault says the card leaves the field now."""


@dataclass
class Faults:
    """Fault injection. Counters are of APDUs seen since power-on."""
    remove_after_apdus: int | None = None   # the card leaves the field at this APDU
    wrong_mac_on_apdu: int | None = None    # corrupt the MAC of the answer to this APDU
    deny_file: int | None = None            # answer 6982 when this file id is selected
    t0_style: bool = False                  # answer 61xx and wait for GET RESPONSE, like T=0
    once: bool = True                       # each fault fires once, then the chip behaves


class VirtualChip:
    def __init__(self, files: dict[EF, bytes], key: BacKey, faults: Faults | None = None,
                 rng: Callable[[int], bytes] = os.urandom, can: str | None = None, pace_only: bool = False):
        self.files = {ef.fid: data for ef, data in files.items()}
        self.k_enc, self.k_mac = key.keys()
        infos = parse_pace_infos(files[EF.CARD_ACCESS]) if EF.CARD_ACCESS in files else []
        passwords = {PW_MRZ: PacePassword.mrz(key), **({PW_CAN: PacePassword.can(can)} if can else {})}
        self.pace = PaceChip(infos, passwords, rng) if infos else None
        self.pace_only = pace_only and self.pace is not None
        self.faults = faults or Faults()
        self.rng = rng
        self.power_ons = 0
        self._fired: set[str] = set()
        self.reset()

    def reset(self) -> None:
        self.app_selected = False
        self.current: int | None = None
        self.rnd_icc: bytes | None = None
        self.sm: SecureMessaging | None = None
        self.access = ""              # "PACE" / "BAC" once a session is open (tests)
        self.count = 0
        if getattr(self, "pace", None) is not None:
            self.pace.reset()
        self._pending = b""

    def power_on(self) -> bytes:
        self.power_ons += 1
        self.reset()
        return ATR

    def _fire(self, name: str) -> bool:
        """True if fault `name` may fire now; with `once`, it is disarmed by firing."""
        if self.faults.once and name in self._fired:
            return False
        self._fired.add(name)
        return True

    # ---- entry point
    def process(self, raw: bytes) -> bytes:
        self.count += 1
        fa = self.faults
        if fa.remove_after_apdus is not None and self.count >= fa.remove_after_apdus and self._fire("remove"):
            raise CardPulled()
        if fa.t0_style and raw[1:2] == b"\xC0":
            out, self._pending = self._pending[: raw[4] or 256], self._pending[raw[4] or 256:]
            sw = (0x61, min(len(self._pending), 255)) if self._pending else (0x90, 0x00)
            return out + bytes(sw)
        try:
            cmd = CommandApdu.decode(raw)
        except ValueError:
            return b"\x67\x00"
        resp = self._dispatch(cmd).to_bytes()
        if fa.wrong_mac_on_apdu == self.count and len(resp) > 4 and self._fire("mac"):
            resp = resp[:-3] + bytes((resp[-3] ^ 0xFF,)) + resp[-2:]
        if fa.t0_style and len(resp) > 2:
            self._pending = resp[:-2]
            return bytes((0x61, min(len(self._pending), 255) & 0xFF))
        return resp

    def _dispatch(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.cla & 0x0C:
            if self.sm is None:
                return ResponseApdu(b"", 0x6882)  # secure messaging not supported in this state
            try:
                plain = self.sm.unwrap_command(cmd)
            except (SecureMessagingError, ValueError, tlv.TlvError):
                self.sm = None  # a chip ends the session on an SM error
                return ResponseApdu(b"", 0x6988)
            data, sw = self._command(plain)
            return self.sm.wrap_response(data, sw, odd_ins=bool(plain.ins & 1)) if self.sm else ResponseApdu(data, sw)
        self.sm = None  # any plain command ends a secure session
        data, sw = self._plain(cmd)
        return ResponseApdu(data, sw)

    # ---- plain commands: selection and BAC
    def _plain(self, cmd: CommandApdu) -> tuple[bytes, int]:
        if cmd.ins == 0xA4 and cmd.p1 == 0x04:
            if cmd.data == EMRTD_AID:
                self.app_selected, self.current = True, None
                return b"", 0x9000
            return b"", 0x6A82
        if cmd.ins == 0xA4 and cmd.p1 == 0x02 and not self.app_selected:
            fid = int.from_bytes(cmd.data, "big")
            if fid == EF.CARD_ACCESS.fid and fid in self.files:
                self.current = fid
                return b"", 0x9000
            return b"", 0x6A82
        if cmd.ins == 0xB0 and not self.app_selected and self.current == EF.CARD_ACCESS.fid:
            return self._read(cmd.p1 << 8 | cmd.p2, cmd.le or 256)
        if self.pace is not None and cmd.ins == 0x22 and (cmd.p1, cmd.p2) == (0xC1, 0xA4):
            return b"", self.pace.mse(cmd)
        if self.pace is not None and cmd.ins == 0x86:
            data, sw, sm = self.pace.general_authenticate(cmd)
            if sm is not None:
                self.sm, self.access = sm, "PACE"
            return data, sw
        if not self.app_selected:
            return b"", 0x6985
        if self.pace_only and cmd.ins in (0x84, 0x82):
            return b"", 0x6982     # BAC not allowed: this chip wants PACE
        if cmd.ins == 0x84:
            self.rnd_icc = self.rng(8)
            return self.rnd_icc, 0x9000
        if cmd.ins == 0x82:
            if self.rnd_icc is None:
                return b"", 0x6985
            try:
                answer, self.sm = chip_answer(self.k_enc, self.k_mac, self.rnd_icc, cmd.data, self.rng)
                self.access = "BAC"
            except BacAuthError:
                self.rnd_icc = None
                return b"", 0x6300
            self.rnd_icc = None
            return answer, 0x9000
        return b"", 0x6982  # everything else needs secure messaging

    # ---- protected commands
    def _command(self, cmd: CommandApdu) -> tuple[bytes, int]:
        if cmd.ins == 0xA4 and cmd.p1 == 0x04:   # application selection under SM (after PACE)
            if cmd.data != EMRTD_AID:
                return b"", 0x6A82
            self.app_selected, self.current = True, None
            return b"", 0x9000
        if cmd.ins == 0xA4 and cmd.p1 == 0x02:
            fid = int.from_bytes(cmd.data, "big")
            if self.faults.deny_file == fid and self._fire("deny"):
                return b"", 0x6982
            if fid not in self.files or fid == EF.CARD_ACCESS.fid:
                return b"", 0x6A82
            self.current = fid
            return b"", 0x9000
        if cmd.ins == 0xB0:
            if cmd.p1 & 0x80:  # short file identifier
                sfi = cmd.p1 & 0x1F
                fid = next((f for f in self.files if f & 0x1F == sfi and f >> 8 == 1), None)
                if fid is None:
                    return b"", 0x6A82
                self.current = fid
                return self._read(cmd.p2, cmd.le or 256)
            return self._read((cmd.p1 << 8) | cmd.p2, cmd.le or 256)
        if cmd.ins == 0xB1:
            try:
                offset = int.from_bytes(tlv.unwrap(cmd.data, 0x54), "big")
            except tlv.TlvError:
                return b"", 0x6A80
            data, sw = self._read(offset, max(0, (cmd.le or 256) - 4))
            return (tlv.encode(0x53, data) if data else b""), sw
        return b"", 0x6D00

    def _read(self, offset: int, le: int) -> tuple[bytes, int]:
        if self.current is None:
            return b"", 0x6986
        content = self.files[self.current]
        if offset > len(content):
            return b"", 0x6B00
        chunk = content[offset:offset + le]
        return chunk, 0x9000 if len(chunk) == le or offset + len(chunk) == len(content) and chunk else 0x6282


class DirectTransport:
    """The virtual chip as an in-process `Transport` (unit tests, no pcscd)."""

    def __init__(self, chip: VirtualChip):
        self.chip = chip
        self.present = True
        chip.power_on()

    def transmit(self, apdu: bytes) -> bytes:
        if not self.present:
            raise CardRemovedError("card not present")
        try:
            return self.chip.process(apdu)
        except CardPulled:
            self.present = False
            raise CardRemovedError("card left the field") from None

    def reinsert(self) -> None:
        self.present = True
        self.chip.power_on()
