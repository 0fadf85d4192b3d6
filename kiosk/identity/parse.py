"""The one entry point: any scanner/keypad read → `Identity`, or a typed `IdentityError`."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kiosk.identity import normalize
from kiosk.identity.bhyt import parse_bhyt_qr
from kiosk.identity.cccd import parse_cccd_qr
from kiosk.identity.errors import (IdentityError, KeyboardWedgeError, MrzMalformedError, ParserBugError,
                                   UnknownFormatError)
from kiosk.identity.model import Identity
from kiosk.identity.mrz import normalize_td1, parse_td1
from kiosk.identity.typed import compact, parse_typed
from kiosk.identity.vneid import looks_like_token, parse_vneid

_MRZ_LIKE = re.compile(r"[A-Z0-9<\s]{60,120}")


@dataclass(frozen=True)
class ParseOptions:
    """Site settings that change parsing (built from the settings by `kiosk.settings_map.parse_options`)."""
    prefix: str = ""
    suffix: str = ""
    vneid_prefix: str = ""
    vneid_pattern: str = ""
    vneid_fallback: bool = True
    extra_groups: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.vneid_pattern:
            re.compile(self.vneid_pattern)   # a bad pattern fails at start-up, not at a scan


DEFAULT_OPTIONS = ParseOptions()


def parse(read: bytes | bytearray | str, *, today: dt.date | None = None, prefix: str = "",
          suffix: str = "", options: ParseOptions | None = None) -> Identity:
    """Detect the kind of `read` and parse it. Raises only `IdentityError` subclasses."""
    opts = options or DEFAULT_OPTIONS
    day = today or dt.date.today()
    try:
        text = normalize.decode_read(read, prefix or opts.prefix, suffix or opts.suffix)
        return _dispatch(text, day, opts)
    except IdentityError:
        raise
    except Exception as exc:   # a bug must still reach the UI as an explainable error
        raise ParserBugError(f"unexpected {type(exc).__name__}") from exc


def _dispatch(text: str, today: dt.date, opts: ParseOptions) -> Identity:
    if opts.vneid_prefix and text.startswith(opts.vneid_prefix):
        return parse_vneid(text, opts.vneid_pattern, configured=True)
    if "|" in text:
        return _pipe_separated(text, today, opts)
    flat = normalize_td1(text)
    if flat is not None:
        return parse_td1(flat, today)
    number = compact(text)
    if number is not None:
        ident = parse_typed(number, today, opts.extra_groups)
        if ident is not None:
            return ident
    if "<<" in text and _MRZ_LIKE.fullmatch(text):
        raise MrzMalformedError("looks like an MRZ but is not 3 x 30 valid characters")
    if opts.vneid_fallback and looks_like_token(text):
        return parse_vneid(text, opts.vneid_pattern, configured=False)
    if normalize.has_mojibake(text):
        raise KeyboardWedgeError("code-page garbage in a read of unknown format")
    raise UnknownFormatError()


def _pipe_separated(text: str, today: dt.date, opts: ParseOptions) -> Identity:
    fields = text.split("|")
    first = fields[0].strip()
    if len(first) == 12 and first.isascii() and first.isdigit():
        return parse_cccd_qr(fields, today)
    card = "".join(first.split())
    if (len(card) == 10 and card.isascii() and card.isdigit()) or (len(card) == 15 and card.isascii() and card.isalnum()):
        return parse_bhyt_qr(text, today, opts.extra_groups)
    if normalize.has_mojibake(text) or "?" in text:
        raise KeyboardWedgeError("pipe-separated read with code-page garbage")
    raise UnknownFormatError("pipe-separated read whose first field is no CCCD or BHYT number")
