"""Minimal BER-TLV: enough for secure messaging data objects and the LDS files."""
from __future__ import annotations

from dataclasses import dataclass


class TlvError(ValueError):
    pass


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def encode(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    return tag_bytes + encode_length(len(value)) + value


def read_tag(data: bytes, pos: int) -> tuple[int, int]:
    """(tag, position after the tag); multi-byte tags per ISO 8825 (low 5 bits all set)."""
    if pos >= len(data):
        raise TlvError("truncated tag")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise TlvError("truncated tag")
            b = data[pos]
            tag = (tag << 8) | b
            pos += 1
            if not b & 0x80:
                break
    return tag, pos


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise TlvError("truncated length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    n = first & 0x7F
    if n == 0 or n > 4 or pos + n > len(data):
        raise TlvError("unsupported or truncated length")
    return int.from_bytes(data[pos:pos + n], "big"), pos + n


def header_total_length(prefix: bytes) -> int | None:
    """Total encoded length of the TLV starting `prefix`, or None if the prefix is too short.

    Lets the reader size a file from its first bytes instead of reading to an error.
    """
    try:
        _, p = read_tag(prefix, 0)
        length, p = read_length(prefix, p)
    except TlvError:
        return None
    return p + length


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag.to_bytes(max(1, (self.tag.bit_length() + 7) // 8), "big")[0]
        return bool(first & 0x20)

    def children(self) -> list["Tlv"]:
        return parse_all(self.value)


def parse_one(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    tag, p = read_tag(data, pos)
    length, p = read_length(data, p)
    if p + length > len(data):
        raise TlvError("value runs past the end")
    return Tlv(tag, bytes(data[p:p + length])), p + length


def parse_all(data: bytes) -> list[Tlv]:
    out: list[Tlv] = []
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding between objects is allowed by ISO 7816-4
            pos += 1
            continue
        item, pos = parse_one(data, pos)
        out.append(item)
    return out


def unwrap(data: bytes, tag: int) -> bytes:
    """Value of the single outer TLV, which must carry `tag`."""
    item, _ = parse_one(data)
    if item.tag != tag:
        raise TlvError(f"expected tag {tag:X}, found {item.tag:X}")
    return item.value
