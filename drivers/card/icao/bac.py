"""Basic Access Control (ICAO 9303 part 11 §4.3): key seed from the MRZ, mutual authentication.

Both ends live here so the virtual chip and the reader share the arithmetic; the known-answer
tests pin every value of the Doc 9303 worked example.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Callable

from drivers.card.icao.crypto import ENC_COUNTER, MAC_COUNTER, des3_decrypt, des3_encrypt, kdf, retail_mac
from drivers.card.icao.sm import SecureMessaging

_WEIGHTS = (7, 3, 1)


def check_digit(text: str) -> str:
    """ICAO 9303 part 3 check digit: digits, A=10..Z=35, '<'=0, weights 7-3-1."""
    total = 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            v = int(ch)
        elif "A" <= ch <= "Z":
            v = ord(ch) - 55
        elif ch == "<":
            v = 0
        else:
            raise ValueError("character not allowed in an MRZ field")
        total += v * _WEIGHTS[i % 3]
    return str(total % 10)


@dataclass(frozen=True)
class BacKey:
    """What BAC needs: the MRZ document number and the two dates as yymmdd."""
    document_number: str
    birth_yymmdd: str
    expiry_yymmdd: str
    expiry_check: str | None = None   # only for a non-expiring card's filler form ("0" or "<")

    def __post_init__(self) -> None:
        for d in (self.birth_yymmdd, self.expiry_yymmdd):
            if len(d) != 6 or not (d.isdigit() or d == "<<<<<<"):
                raise ValueError("BAC dates are yymmdd")

    def __repr__(self) -> str:  # never print the document number or dates into logs
        return "BacKey(<redacted>)"

    def mrz_information(self) -> str:
        num = self.document_number.upper()
        if len(num) < 9:
            num = num.ljust(9, "<")
        # Numbers longer than 9 characters: the first 9, '<' as check digit, then the rest
        # would go in the optional data; BAC takes the full number + its check digit.
        return (num + check_digit(num) + self.birth_yymmdd + check_digit(self.birth_yymmdd)
                + self.expiry_yymmdd + (self.expiry_check or check_digit(self.expiry_yymmdd)))

    def seed(self) -> bytes:
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()[:16]

    def keys(self) -> tuple[bytes, bytes]:
        """(K_enc, K_mac), the document basic access keys."""
        s = self.seed()
        return kdf(s, ENC_COUNTER), kdf(s, MAC_COUNTER)


class BacAuthError(Exception):
    """The cryptogram did not verify: wrong key (terminal side) or a forged terminal (chip side)."""


def session_from_seed(k_seed: bytes, rnd_icc: bytes, rnd_ifd: bytes) -> SecureMessaging:
    ssc = int.from_bytes(rnd_icc[4:8] + rnd_ifd[4:8], "big")
    return SecureMessaging(kdf(k_seed, ENC_COUNTER), kdf(k_seed, MAC_COUNTER), ssc)


@dataclass
class BacTerminal:
    """Terminal side of one BAC attempt. `rng` is injectable for the known-answer test."""
    k_enc: bytes
    k_mac: bytes
    rng: Callable[[int], bytes] = os.urandom

    def __post_init__(self) -> None:
        self.rnd_ifd = self.rng(8)
        self.k_ifd = self.rng(16)
        self.rnd_icc = b""

    def mutual_auth_data(self, rnd_icc: bytes) -> bytes:
        """E_IFD || M_IFD for MUTUAL AUTHENTICATE, from the chip's challenge."""
        self.rnd_icc = rnd_icc
        e_ifd = des3_encrypt(self.k_enc, self.rnd_ifd + rnd_icc + self.k_ifd)
        return e_ifd + retail_mac(self.k_mac, e_ifd)

    def finish(self, resp: bytes) -> SecureMessaging:
        """Check the chip's E_ICC || M_ICC and derive the session keys."""
        if len(resp) != 40:
            raise BacAuthError("MUTUAL AUTHENTICATE response has the wrong length")
        e_icc, m_icc = resp[:32], resp[32:]
        if retail_mac(self.k_mac, e_icc) != m_icc:
            raise BacAuthError("chip cryptogram MAC does not verify")
        r = des3_decrypt(self.k_enc, e_icc)
        if r[:8] != self.rnd_icc or r[8:16] != self.rnd_ifd:
            raise BacAuthError("chip cryptogram does not echo the challenges")
        k_icc = r[16:32]
        seed = bytes(a ^ b for a, b in zip(self.k_ifd, k_icc))
        return session_from_seed(seed, self.rnd_icc, self.rnd_ifd)


def chip_answer(k_enc: bytes, k_mac: bytes, rnd_icc: bytes, cmd_data: bytes,
                rng: Callable[[int], bytes] = os.urandom) -> tuple[bytes, SecureMessaging]:
    """Chip side of MUTUAL AUTHENTICATE: verify the terminal, answer E_ICC || M_ICC."""
    if len(cmd_data) != 40:
        raise BacAuthError("MUTUAL AUTHENTICATE data has the wrong length")
    e_ifd, m_ifd = cmd_data[:32], cmd_data[32:]
    if retail_mac(k_mac, e_ifd) != m_ifd:
        raise BacAuthError("terminal cryptogram MAC does not verify")
    s = des3_decrypt(k_enc, e_ifd)
    rnd_ifd, echoed, k_ifd = s[:8], s[8:16], s[16:32]
    if echoed != rnd_icc:
        raise BacAuthError("terminal did not echo the challenge")
    k_icc = rng(16)
    e_icc = des3_encrypt(k_enc, rnd_icc + rnd_ifd + k_icc)
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc))
    return e_icc + retail_mac(k_mac, e_icc), session_from_seed(seed, rnd_icc, rnd_ifd)
