"""Turn a raw scanner/keypad read into clean text, and recognise keyboard-wedge damage.

Scanners add a configured prefix/suffix, CR/LF/TAB, sometimes a BOM or NULs; text may arrive in
NFD. A keyboard-wedge scanner cannot type Vietnamese letters: they are dropped, replaced by `?`,
or typed as Alt-code digits / Windows-1252 garbage.
"""
from __future__ import annotations

import re
import unicodedata

from kiosk.identity.errors import EmptyInputError, InputTooLongError, KeyboardWedgeError

MAX_READ = 4096          # a CCCD QR is ~150 chars, a BHYT QR ~600: anything far longer is not ours
_STRIP = " \t\r\n\x00\ufeff\u200b"
# Windows-1252 / Latin-1 renderings of the UTF-8 bytes of Vietnamese letters (mojibake): a lead
# byte C3-C6 / E1 BA-BB shown as Ã Ä Å Æ / áº á», then a continuation byte shown as a symbol.
# (`Ã` alone is a real Vietnamese letter: only the pair is garbage.)
_MOJIBAKE = re.compile("[ÃÄÅÆ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                       "\u02c6\u02dc\u2013-\u203a\u20ac\u2122\ufffd]|á[º»]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_read(read: bytes | bytearray | str, prefix: str = "", suffix: str = "") -> str:
    """Bytes or text → stripped NFC text. Raises EmptyInputError / InputTooLongError /
    KeyboardWedgeError (bytes that are no UTF-8/UTF-16 but look like a wedge's code page)."""
    if isinstance(read, (bytes, bytearray)):
        if len(read) > 4 * MAX_READ:
            raise InputTooLongError()
        text = _decode_bytes(bytes(read))
    elif isinstance(read, str):
        text = read
    else:
        raise EmptyInputError("read is neither bytes nor text")
    if len(text) > 4 * MAX_READ:
        raise InputTooLongError()
    text = text.strip(_STRIP)
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    text = unicodedata.normalize("NFC", text.strip(_STRIP))
    if not text:
        raise EmptyInputError()
    if len(text) > MAX_READ:
        raise InputTooLongError()
    return text


def _decode_bytes(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: a scanner in keyboard/code-page mode, or noise. cp1252-ish text with the QR's
    # field separator is the wedge case; anything else is unreadable.
    text = raw.decode("latin-1")
    if "|" in text and sum(32 <= b < 127 for b in raw) >= 0.8 * len(raw):
        raise KeyboardWedgeError("the read is not UTF-8: scanner sends a single-byte code page")
    return text


def has_mojibake(text: str) -> bool:
    return _MOJIBAKE.search(text) is not None


def looks_wedge_mangled(field: str, *, digits_allowed: bool = False) -> bool:
    """A name or address field that a wedge scanner damaged: `?`, digits from Alt codes (names
    only), control characters, or Windows-1252 renderings of UTF-8."""
    if "?" in field or "\ufffd" in field or has_mojibake(field):
        return True
    if not digits_allowed and any(c.isdigit() for c in field):  # Alt+0xxx shows up as digits
        return True
    return any(unicodedata.category(c) == "Cc" for c in field)


def ascii_only(*fields: str) -> bool:
    return all(f.isascii() for f in fields)
