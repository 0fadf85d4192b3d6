"""Vietnamese text for printers whose code page has it: Windows-1258 bytes.

CP1258 holds the base letters (â ê ô ă ơ ư đ and their capitals) and the five tone marks as
combining characters, so `ệ` travels as `ê` + combining dot below. Python's cp1258 codec only
encodes what is precomposed in the table; this module decomposes the rest.
"""
from __future__ import annotations

import unicodedata


def encode_cp1258(text: str, errors: str = "replace") -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        marks = unicodedata.normalize("NFD", ch)
        base, rest = marks[0], marks[1:]
        # put back together the base letter and the first mark when CP1258 has that letter (â, ơ...)
        for i in range(len(rest)):
            joined = unicodedata.normalize("NFC", base + rest[i])
            if len(joined) == 1:
                try:
                    joined.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base, rest = joined, rest[:i] + rest[i + 1:]
                break
        out += (base + rest).encode("cp1258", errors=errors)
    return bytes(out)
