"""ISO 7816-4 command and response APDUs (short and extended length encodings)."""
from __future__ import annotations

from dataclasses import dataclass

SW_OK = 0x9000
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_SM_DATA_MISSING = 0x6987
SW_SM_DATA_INCORRECT = 0x6988
SW_WRONG_LENGTH = 0x6700
SW_END_OF_FILE = 0x6282


@dataclass(frozen=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # expected length; 0 means "as many as possible" (256 / 65536)

    def is_extended(self) -> bool:
        return len(self.data) > 255 or (self.le is not None and self.le > 256)

    def encode(self, extended: bool | None = None) -> bytes:
        """Case 1-4 encoding; extended (3-byte Lc / 2-3 byte Le) when needed or asked for."""
        ext = self.is_extended() if extended is None else extended
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += (b"\x00" + len(self.data).to_bytes(2, "big")) if ext else bytes((len(self.data),))
            out += self.data
        if self.le is not None:
            if ext:
                le = 0 if self.le >= 65536 else self.le
                out += (b"" if self.data else b"\x00") + le.to_bytes(2, "big")
            else:
                out.append(0 if self.le >= 256 else self.le)
        return bytes(out)

    @classmethod
    def decode(cls, raw: bytes) -> "CommandApdu":
        """Parse any case 1-4 short or extended APDU (used by the virtual chip)."""
        if len(raw) < 4:
            raise ValueError("APDU shorter than its header")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, b"", body[0] or 256)
        if body[0] == 0 and len(body) >= 3:  # extended
            if len(body) == 3:
                return cls(cla, ins, p1, p2, b"", int.from_bytes(body[1:3], "big") or 65536)
            lc = int.from_bytes(body[1:3], "big")
            data = body[3:3 + lc]
            rest = body[3 + lc:]
            if len(data) != lc or len(rest) not in (0, 2):
                raise ValueError("bad extended APDU length")
            le = (int.from_bytes(rest, "big") or 65536) if rest else None
            return cls(cla, ins, p1, p2, data, le)
        lc = body[0]
        data = body[1:1 + lc]
        rest = body[1 + lc:]
        if len(data) != lc or len(rest) > 1:
            raise ValueError("bad short APDU length")
        le = (rest[0] or 256) if rest else None
        return cls(cla, ins, p1, p2, data, le)


@dataclass(frozen=True)
class ResponseApdu:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @classmethod
    def from_bytes(cls, raw: bytes) -> "ResponseApdu":
        if len(raw) < 2:
            raise ValueError("response shorter than its status word")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")
