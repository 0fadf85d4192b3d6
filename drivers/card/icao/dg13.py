"""DG13 of the Vietnamese CCCD chip: `6D` wrapping `SEQUENCE { INTEGER n, value }` entries.

Parsed by field number, never by position; unknown numbers are skipped (their numbers kept
for diagnostics). Values are strings; n=13 (parents) is a SEQUENCE of two strings. The real
layout (NghiaLio/NFC_CCCD_Reader, decoded from real chips) wraps the entries in
`SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET { ... } }`; the walk handles both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from drivers.card.errors import MalformedDataError
from drivers.card.icao import tlv

CCCD_NUMBER, FULL_NAME, BIRTH_DATE, GENDER, NATIONALITY, ETHNICITY, RELIGION = range(1, 8)
HOMETOWN, RESIDENCE, FEATURES, ISSUE_DATE, EXPIRY_DATE, PARENTS, SPOUSE = range(8, 15)
OTHER_DOCUMENT = 15   # "giấy tờ khác": number of another document (reader decoded from real chips)
OLD_ID = 16           # old CMND per one public profile; another reader saw a 16-hex-char value here:
                      # the identity layer accepts it only when it is 9 or 12 digits
KNOWN = frozenset(range(1, 15)) | {OTHER_DOCUMENT, OLD_ID}

_STRING_TAGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x1A: "ascii", 0x04: "utf-8",
                0x1E: "utf-16-be"}
_SEQ, _INT = 0x30, 0x02


@dataclass(frozen=True)
class Dg13:
    """Field values by number. Dates are kept as printed (dd/mm/yyyy); the caller parses."""
    fields: dict[int, str | tuple[str, ...]] = field(default_factory=dict)
    skipped: tuple[int, ...] = ()

    def __repr__(self) -> str:
        return f"Dg13(fields={sorted(self.fields)}, skipped={list(self.skipped)})"

    def text(self, n: int) -> str | None:
        v = self.fields.get(n)
        if v is None:
            return None
        return v if isinstance(v, str) else " ".join(v)

    @property
    def father(self) -> str | None:
        v = self.fields.get(PARENTS)
        if isinstance(v, tuple):
            return v[0] or None
        return v or None

    @property
    def mother(self) -> str | None:
        v = self.fields.get(PARENTS)
        return v[1] if isinstance(v, tuple) and len(v) > 1 and v[1] else None


def _string(item: tlv.Tlv) -> str | None:
    enc = _STRING_TAGS.get(item.tag)
    if enc is None:
        return None
    return item.value.decode(enc, "replace").strip()


def _entry(item: tlv.Tlv) -> tuple[int, str | tuple[str, ...]] | None:
    """(n, value) if `item` is SEQUENCE { INTEGER n, string... | SEQUENCE OF string }."""
    if item.tag != _SEQ:
        return None
    kids = item.children()
    if len(kids) < 2 or kids[0].tag != _INT or len(kids[0].value) > 2:
        return None
    n = int.from_bytes(kids[0].value, "big")
    rest = kids[1:]
    if len(rest) == 1 and rest[0].tag == _SEQ:
        rest = rest[0].children()
        if not rest or any(_string(k) is None for k in rest):
            return None
        return n, tuple(_string(k) or "" for k in rest)
    strings = [_string(k) for k in rest]
    if any(s is None for s in strings):
        return None
    return (n, strings[0]) if len(strings) == 1 else (n, tuple(strings))


def _walk(items: list[tlv.Tlv], out: dict, skipped: list[int]) -> None:
    for item in items:
        entry = _entry(item)
        if entry is not None:
            n, value = entry
            if n in KNOWN:
                out.setdefault(n, value)
            else:
                skipped.append(n)
        elif item.constructed:
            _walk(item.children(), out, skipped)


def parse_dg13(data: bytes) -> Dg13:
    try:
        body = tlv.unwrap(data, 0x6D)
        out: dict[int, str | tuple[str, ...]] = {}
        skipped: list[int] = []
        _walk(tlv.parse_all(body), out, skipped)
    except tlv.TlvError as exc:
        raise MalformedDataError("DG13 is not a valid TLV structure") from exc
    if not out:
        raise MalformedDataError("DG13 carries no known field")
    return Dg13(out, tuple(skipped))


def build_dg13(fields: dict[int, str | tuple[str, ...]], version: int = 1) -> bytes:
    """Encode DG13 the way the chip does (used by the virtual chip and the tests)."""
    entries = b""
    for n, value in fields.items():
        num = tlv.encode(_INT, n.to_bytes(1 if n < 128 else 2, "big"))
        if isinstance(value, tuple):
            body = tlv.encode(_SEQ, b"".join(tlv.encode(0x0C, v.encode()) for v in value))
        else:
            tag = 0x13 if value.isascii() and value.replace("/", "").isalnum() and n != FULL_NAME else 0x0C
            body = tlv.encode(tag, value.encode())
        entries += tlv.encode(_SEQ, num + body)
    inner = tlv.encode(_INT, bytes((version,))) + entries
    return tlv.encode(0x6D, tlv.encode(_SEQ, inner))
