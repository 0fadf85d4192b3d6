"""VNeID app QR: opaque token, resolved later by the gateway's identity endpoint.

The VNeID QR format is not public (UNCONFIRMED). Detection rule:
1. if a prefix is configured (`identity_vneid_prefix`) and the read starts with it, it is a VNeID
   token, checked against `identity_vneid_pattern` when that is set;
2. otherwise, a read that is no other known format but looks like a token — one line of 16 to
   2048 printable ASCII characters without spaces or `|`, mixing letters and digits (base64,
   JWT, URL) — is taken as a VNeID token with the warning `vneid_unconfirmed` for the desk.
The token is kept whole (the prefix included): the gateway resolves what was scanned.
"""
from __future__ import annotations

import re

from kiosk.identity.errors import InvalidVneidTokenError
from kiosk.identity.model import Identity, Kind, Source, VneidToken
from kiosk.identity.warnings import warn

_TOKEN = re.compile(r"[\x21-\x7e]{16,2048}")


def looks_like_token(text: str) -> bool:
    return (bool(_TOKEN.fullmatch(text)) and "|" not in text
            and any(c.isalpha() for c in text) and any(c.isdigit() for c in text))


def parse_vneid(text: str, pattern: str = "", *, configured: bool) -> Identity:
    if pattern and not re.fullmatch(pattern, text):
        raise InvalidVneidTokenError()
    if not configured and not looks_like_token(text):
        raise InvalidVneidTokenError()
    detail = "matched the configured VNeID prefix" if configured else "unknown token taken as VNeID"
    return Identity(None, vneid=VneidToken(text), source=Source.QR, kind=Kind.VNEID,
                    warnings=(warn("vneid_unconfirmed", detail),))
