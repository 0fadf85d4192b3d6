"""The one-method surface every card transport offers, and the T=0 status-word handling."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU, return the response APDU (data + SW1 SW2)."""


def exchange(raw: Callable[[bytes], bytes], apdu: bytes, max_chain: int = 64) -> bytes:
    """ISO 7816-3/4 status handling a T=0 link leaves to the host.

    6Cxx: wrong Le, resend with Le=xx. 61xx: more data waiting, fetch it with GET RESPONSE
    (repeated while the card keeps saying 61xx). Returns the joined data + the final SW.
    """
    resp = raw(apdu)
    if len(resp) >= 2 and resp[-2] == 0x6C and len(apdu) >= 5:
        resp = raw(apdu[:-1] + resp[-1:])
    data = bytearray(resp[:-2])
    sw = resp[-2:]
    for _ in range(max_chain):
        if len(sw) < 2 or sw[0] != 0x61:
            break
        nxt = raw(bytes((apdu[0] & 0x03, 0xC0, 0x00, 0x00, sw[1])))
        data += nxt[:-2]
        sw = nxt[-2:]
    return bytes(data) + bytes(sw)


@dataclass
class TransportStats:
    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class CountingTransport:
    """Wraps a transport and counts what crosses it (for the benchmark and the CLI timings)."""

    def __init__(self, inner: Transport):
        self.inner = inner
        self.stats = TransportStats()

    def transmit(self, apdu: bytes) -> bytes:
        resp = self.inner.transmit(apdu)
        self.stats.apdus += 1
        self.stats.bytes_sent += len(apdu)
        self.stats.bytes_received += len(resp)
        return resp
