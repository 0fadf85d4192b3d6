"""PACE with generic mapping over elliptic curves (ICAO 9303 part 11 §4.4), both ends.

The terminal side (`PaceAccess`) is an `AccessProtocol`: MSE:Set AT, four GENERAL AUTHENTICATE
steps (encrypted nonce, mapping, key agreement on the mapped generator, mutual tokens), then
secure messaging (3DES or AES) with the SSC at zero. The chip side (`PaceChip`) serves the
virtual chip. The password is the CAN (Vietnamese CCCD: the last 6 digits of the 12-digit
number) or the MRZ information (as for BAC). Known-answer tests pin the 9303-11 worked example.
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from typing import Callable, Sequence

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.errors import AccessDeniedError, MalformedDataError
from drivers.card.icao import tlv
from drivers.card.icao.aes import aes_cbc_decrypt, aes_cbc_encrypt, aes_cmac, aes_kdf
from drivers.card.icao.bac import BacKey
from drivers.card.icao.crypto import des3_decrypt, des3_encrypt, kdf, retail_mac
from drivers.card.icao.ec import CURVES, Curve, Point
from drivers.card.icao.sm import AesSecureMessaging, SecureMessaging

log = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]
PACE_PREFIX = "0.4.0.127.0.7.2.2.4."
ECDH_GM = PACE_PREFIX + "2."
PW_MRZ, PW_CAN = 1, 2
PI_COUNTER, ENC_COUNTER, MAC_COUNTER = 3, 1, 2


class PaceAuthError(Exception):
    """A token or a public key did not verify (wrong password, or a forged peer)."""


@dataclass(frozen=True)
class Suite:
    """The cipher of a PACE OID: '3DES' (112-bit) or 'AES' 128/192/256."""
    cipher: str
    key_bits: int

    def kdf(self, secret: bytes, counter: int) -> bytes:
        return kdf(secret, counter) if self.cipher == "3DES" else aes_kdf(secret, counter, self.key_bits)

    def encrypt_nonce(self, k_pi: bytes, s: bytes) -> bytes:
        return des3_encrypt(k_pi, s) if self.cipher == "3DES" else aes_cbc_encrypt(k_pi, s)

    def decrypt_nonce(self, k_pi: bytes, z: bytes) -> bytes:
        return des3_decrypt(k_pi, z) if self.cipher == "3DES" else aes_cbc_decrypt(k_pi, z)

    @property
    def nonce_len(self) -> int:
        return 8 if self.cipher == "3DES" else 16

    def mac8(self, key: bytes, data: bytes) -> bytes:
        return retail_mac(key, data) if self.cipher == "3DES" else aes_cmac(key, data)[:8]

    def session(self, ks_enc: bytes, ks_mac: bytes) -> SecureMessaging:
        cls = SecureMessaging if self.cipher == "3DES" else AesSecureMessaging
        return cls(ks_enc, ks_mac, 0)


SUITES = {"1": Suite("3DES", 112), "2": Suite("AES", 128), "3": Suite("AES", 192), "4": Suite("AES", 256)}


def oid_bytes(oid: str) -> bytes:
    """DER content of an OID (first two arcs 0.4 here), for DO'80' and the token input."""
    arcs = [int(a) for a in oid.split(".")]
    out = bytearray((arcs[0] * 40 + arcs[1],))
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


@dataclass(frozen=True)
class PaceInfo:
    oid: str
    version: int
    parameter_id: int | None

    @property
    def supported(self) -> bool:
        """ECDH generic mapping with a standardized curve we know."""
        return (self.oid.startswith(ECDH_GM) and self.oid[len(ECDH_GM):] in SUITES
                and self.parameter_id in CURVES)

    @property
    def suite(self) -> Suite:
        return SUITES[self.oid[len(ECDH_GM):]]

    @property
    def curve(self) -> Curve:
        return CURVES[self.parameter_id]   # type: ignore[index]


def parse_pace_infos(card_access: bytes) -> list[PaceInfo]:
    """The PACEInfos of EF.CardAccess (SecurityInfos SET; other infos are skipped)."""
    from drivers.card.icao.lds import oid_to_str
    try:
        infos = tlv.parse_all(tlv.unwrap(card_access, 0x31))
        out = []
        for info in infos:
            parts = info.children() if info.tag == 0x30 else []
            if not parts or parts[0].tag != 0x06:
                continue
            oid = oid_to_str(parts[0].value)
            ints = [int.from_bytes(p.value, "big") for p in parts[1:] if p.tag == 0x02]
            if oid.startswith(PACE_PREFIX) and oid.count(".") == 10 and ints:
                out.append(PaceInfo(oid, ints[0], ints[1] if len(ints) > 1 else None))
    except (tlv.TlvError, IndexError) as exc:
        raise MalformedDataError("EF.CardAccess is not a SecurityInfos SET") from exc
    return out


def pace_info_bytes(info: PaceInfo) -> bytes:
    """One PACEInfo SEQUENCE (virtual chip, tests)."""
    body = tlv.encode(0x06, oid_bytes(info.oid)) + tlv.encode(0x02, bytes((info.version,)))
    if info.parameter_id is not None:
        body += tlv.encode(0x02, bytes((info.parameter_id,)))
    return tlv.encode(0x30, body)


@dataclass(frozen=True)
class PacePassword:
    """A PACE password: `kind` PW_CAN (the CAN digits) or PW_MRZ (a BAC key's MRZ information)."""
    kind: int
    secret: str

    @classmethod
    def can(cls, can: str) -> "PacePassword":
        if not (can.isdigit() and len(can) == 6):
            raise ValueError("a CAN is 6 digits")
        return cls(PW_CAN, can)

    @classmethod
    def mrz(cls, key: BacKey) -> "PacePassword":
        return cls(PW_MRZ, key.mrz_information())

    def __repr__(self) -> str:   # never print the password into logs
        return f"PacePassword({'CAN' if self.kind == PW_CAN else 'MRZ'}, <redacted>)"

    def k_pi(self, suite: Suite) -> bytes:
        raw = self.secret.encode("ascii")
        f_pi = hashlib.sha1(raw).digest() if self.kind == PW_MRZ else raw
        return suite.kdf(f_pi, PI_COUNTER)


def token_input(info: PaceInfo, curve: Curve, pub: Point) -> bytes:
    """7F49 { 06 OID, 86 public point } — the authentication token input."""
    return tlv.encode(0x7F49, tlv.encode(0x06, oid_bytes(info.oid)) + tlv.encode(0x86, curve.encode(pub)))


def session_keys(suite: Suite, curve: Curve, shared: Point) -> tuple[bytes, bytes]:
    assert shared is not None
    secret = shared[0].to_bytes(curve.size, "big")
    return suite.kdf(secret, ENC_COUNTER), suite.kdf(secret, MAC_COUNTER)


def mapped_generator(curve: Curve, s: bytes, h: Point) -> Point:
    """Generic mapping: G~ = s*G + H."""
    g = curve.add(curve.mul(int.from_bytes(s, "big"), curve.g), h)
    if g is None:
        raise PaceAuthError("mapped generator is the point at infinity")
    return g


def random_scalar(curve: Curve, rng: Callable[[int], bytes]) -> int:
    while True:
        k = int.from_bytes(rng(curve.size + 8), "big") % curve.n
        if k:
            return k


def _dyn(data: bytes, tag: int) -> bytes:
    """The value of `tag` inside the dynamic authentication data 7C."""
    try:
        for obj in tlv.parse_all(tlv.unwrap(data, 0x7C)):
            if obj.tag == tag:
                return obj.value
    except tlv.TlvError as exc:
        raise PaceAuthError("malformed dynamic authentication data") from exc
    raise PaceAuthError(f"dynamic authentication data lacks tag {tag:02X}")


def mse_set_at(info: PaceInfo, pw_kind: int, parameter_ref: bool = False) -> CommandApdu:
    """DO'84' (domain parameter id) only when the chip lists several PACEInfos (9303-11
    §4.4.4.1: required only if the parameters are ambiguous), as in the worked example."""
    data = tlv.encode(0x80, oid_bytes(info.oid)) + tlv.encode(0x83, bytes((pw_kind,)))
    if parameter_ref and info.parameter_id is not None:
        data += tlv.encode(0x84, bytes((info.parameter_id,)))
    return CommandApdu(0x00, 0x22, 0xC1, 0xA4, data)


def general_authenticate(tag: int | None, value: bytes = b"", last: bool = False) -> CommandApdu:
    body = tlv.encode(tag, value) if tag is not None else b""
    return CommandApdu(0x00 if last else 0x10, 0x86, 0x00, 0x00, tlv.encode(0x7C, body), le=256)


@dataclass
class PaceTerminal:
    """One PACE run, terminal side; the random scalars are injectable for the known-answer test."""
    info: PaceInfo
    password: PacePassword
    rng: Callable[[int], bytes] = os.urandom
    parameter_ref: bool = False

    def run(self, send: Send) -> SecureMessaging:
        """Raise AccessDeniedError when the chip refuses, PaceAuthError when its token is wrong."""
        info, suite, curve = self.info, self.info.suite, self.info.curve
        resp = send(mse_set_at(info, self.password.kind, self.parameter_ref))
        if not resp.ok:
            raise AccessDeniedError(1)
        resp = send(general_authenticate(None))
        if not resp.ok:
            raise AccessDeniedError(1)
        s = suite.decrypt_nonce(self.password.k_pi(suite), _dyn(resp.data, 0x80))
        sk_map = random_scalar(curve, self.rng)
        resp = send(general_authenticate(0x81, curve.encode(curve.mul(sk_map, curve.g))))
        if not resp.ok:
            raise AccessDeniedError(1)
        pk_map_ic = self._point(curve, _dyn(resp.data, 0x82))
        g_hat = mapped_generator(curve, s, curve.mul(sk_map, pk_map_ic))
        sk_eph = random_scalar(curve, self.rng)
        pk_eph = curve.mul(sk_eph, g_hat)
        resp = send(general_authenticate(0x83, curve.encode(pk_eph)))
        if not resp.ok:
            raise AccessDeniedError(1)
        pk_eph_ic = self._point(curve, _dyn(resp.data, 0x84))
        if pk_eph_ic == pk_eph:
            raise PaceAuthError("chip echoed the terminal's ephemeral key")
        ks_enc, ks_mac = session_keys(suite, curve, curve.mul(sk_eph, pk_eph_ic))
        t_ifd = suite.mac8(ks_mac, token_input(info, curve, pk_eph_ic))
        resp = send(general_authenticate(0x85, t_ifd, last=True))
        if not resp.ok:
            raise AccessDeniedError(1)
        if _dyn(resp.data, 0x86) != suite.mac8(ks_mac, token_input(info, curve, pk_eph)):
            raise PaceAuthError("chip authentication token does not verify")
        return suite.session(ks_enc, ks_mac)

    @staticmethod
    def _point(curve: Curve, data: bytes) -> Point:
        try:
            return curve.decode(data)
        except ValueError as exc:
            raise PaceAuthError(f"chip public key: {exc}") from exc


def choose_info(infos: Sequence[PaceInfo]) -> PaceInfo | None:
    """The strongest supported PACEInfo (AES-256 before AES-128 before 3DES), or None."""
    ok = [i for i in infos if i.supported]
    return max(ok, key=lambda i: i.suite.key_bits) if ok else None


@dataclass
class PaceAccess:
    """PACE as an `AccessProtocol`: each password in turn (the CAN, or MRZ keys), at most
    `max_attempts`. The eMRTD application is selected under SM by the reader afterwards."""
    info: PaceInfo
    passwords: Sequence[PacePassword]
    max_attempts: int = 2
    rng: Callable[[int], bytes] = os.urandom
    parameter_ref: bool = False
    name: str = "PACE"

    def establish(self, send: Send):
        from drivers.card.icao.access import AccessGranted
        tried = 0
        for index, pw in enumerate(self.passwords[: self.max_attempts]):
            tried += 1
            try:
                sm = PaceTerminal(self.info, pw, self.rng, self.parameter_ref).run(send)
            except AccessDeniedError:
                log.info("PACE password %d refused", index)
                continue
            except PaceAuthError as exc:
                log.warning("PACE password %d: %s", index, exc)
                continue
            return AccessGranted(self.name, sm, index, tried)
        raise AccessDeniedError(tried)
