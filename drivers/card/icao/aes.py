"""AES primitives of ICAO 9303 part 11 (PACE, AES secure messaging): CBC, ECB, CMAC, KDF.

CMAC is the `cryptography` implementation (NIST SP 800-38B / RFC 4493), pinned by the RFC
vectors in the tests; ICAO truncates it to 8 bytes for tokens and SM.
"""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

ZERO_IV16 = bytes(16)


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV16) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV16) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """The full 16-byte AES-CMAC of `data`."""
    c = CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()


def aes_kdf(secret: bytes, counter: int, key_bits: int) -> bytes:
    """9303-11 §9.7.1 for AES: SHA-1 (128-bit keys, first 16 bytes) or SHA-256 (192: first 24,
    256: all 32) of secret || counter (32-bit big endian)."""
    data = secret + counter.to_bytes(4, "big")
    if key_bits == 128:
        return hashlib.sha1(data).digest()[:16]
    if key_bits in (192, 256):
        return hashlib.sha256(data).digest()[: key_bits // 8]
    raise ValueError("AES key length is 128, 192 or 256 bits")
