"""3DES primitives of ICAO 9303 part 11: key derivation, CBC with zero IV, retail MAC, padding."""
from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

ZERO_IV = bytes(8)
ENC_COUNTER = 1
MAC_COUNTER = 2


def adjust_parity(key: bytes) -> bytes:
    """Set each byte's lowest bit so the byte has odd parity (DES key convention)."""
    out = bytearray()
    for b in key:
        high = b & 0xFE
        out.append(high | (bin(high).count("1") + 1) % 2)
    return bytes(out)


def kdf(seed: bytes, counter: int) -> bytes:
    """9303-11 §9.7.1: SHA-1(seed || counter) → 16-byte two-key 3DES key with parity bits."""
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
    return adjust_parity(digest[:16])


def _k24(key: bytes) -> bytes:
    """Spell 1- and 2-key 3DES as the 24-byte key cryptography prefers (same cipher)."""
    return key * 3 if len(key) == 8 else key + key[:8] if len(key) == 16 else key


def _cipher(key: bytes, iv: bytes = ZERO_IV) -> Cipher:
    return Cipher(TripleDES(_k24(key)), modes.CBC(iv))


def des3_encrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    enc = _cipher(key, iv).encryptor()
    return enc.update(data) + enc.finalize()


def des3_decrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    dec = _cipher(key, iv).decryptor()
    return dec.update(data) + dec.finalize()


def pad(data: bytes, block: int = 8) -> bytes:
    """ISO 9797-1 padding method 2: 0x80 then zeros up to the block size."""
    out = data + b"\x80"
    return out + bytes(-len(out) % block)


def unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise ValueError("bad ISO 9797-1 padding")
    return stripped[:-1]


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 (DES, final 3DES), padding method 2, 8-byte MAC.

    Single DES is 3DES with K1=K2=K3; the chaining runs over all blocks with Ka, then the
    last block is decrypted with Kb and encrypted with Ka.
    """
    ka, kb = key[:8], key[8:16]
    msg = pad(data)
    h = des3_encrypt(ka, msg)[-8:]  # CBC-MAC with single DES (K1=K2=K3)
    dec = Cipher(TripleDES(kb * 3), modes.ECB()).decryptor()
    h = dec.update(h) + dec.finalize()
    enc = Cipher(TripleDES(ka * 3), modes.ECB()).encryptor()
    return enc.update(h) + enc.finalize()
