"""Chip access control: the `AccessProtocol` interface, BAC with bounded candidate keys.

PACE (EF.CardAccess) is detected and reported; a PACE implementation would be a second
`AccessProtocol` chosen by `choose_protocols` when the chip offers it.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.errors import AccessDeniedError, StatusWordError
from drivers.card.icao.bac import BacAuthError, BacKey, BacTerminal
from drivers.card.icao.lds import EMRTD_AID
from drivers.card.icao.sm import SecureMessaging

log = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]
MAX_BAC_ATTEMPTS = 6


@dataclass(frozen=True)
class AccessGranted:
    protocol: str                 # "BAC" (later "PACE")
    sm: SecureMessaging
    key_index: int                # which candidate key opened the chip
    attempts: int


class AccessProtocol(Protocol):
    name: str

    def establish(self, send: Send) -> AccessGranted:
        """Authenticate over the plain channel `send`; raise AccessDeniedError if no key works."""


def select_application(send: Send) -> ResponseApdu:
    return send(CommandApdu(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID))


@dataclass
class BacAccess:
    """Try candidate keys in order, at most `max_attempts`; reselect the application between
    attempts because a chip may drop its state after a failed MUTUAL AUTHENTICATE."""
    keys: Sequence[BacKey]
    max_attempts: int = MAX_BAC_ATTEMPTS
    rng: Callable[[int], bytes] = os.urandom
    name: str = "BAC"

    def establish(self, send: Send) -> AccessGranted:
        tried = 0
        for index, key in enumerate(self.keys[: self.max_attempts]):
            if tried:
                select_application(send)
            tried += 1
            challenge = send(CommandApdu(0x00, 0x84, 0x00, 0x00, le=8))
            if not challenge.ok or len(challenge.data) != 8:
                raise StatusWordError(challenge.sw, "GET CHALLENGE")
            term = BacTerminal(*key.keys(), rng=self.rng)
            resp = send(CommandApdu(0x00, 0x82, 0x00, 0x00, term.mutual_auth_data(challenge.data), le=40))
            if not resp.ok:
                log.info("BAC candidate %d refused (SW %04X)", index, resp.sw)
                continue
            try:
                return AccessGranted(self.name, term.finish(resp.data), index, tried)
            except BacAuthError:
                log.warning("BAC candidate %d: chip cryptogram did not verify", index)
        raise AccessDeniedError(tried)


PaceFactory = Callable[[tuple[str, ...]], "AccessProtocol | None"]


def choose_protocols(pace_oids: tuple[str, ...], bac: BacAccess,
                     pace: PaceFactory | None = None) -> list[AccessProtocol]:
    """The protocols to try, best first: PACE when the chip offers it and an implementation is
    plugged in (`pace` builds one for the offered OIDs), then BAC, which ICAO requires chips
    offering PACE to accept as well. No PACE implementation ships yet."""
    protocols: list[AccessProtocol] = []
    if pace_oids:
        impl = pace(pace_oids) if pace is not None else None
        if impl is not None:
            protocols.append(impl)
        else:
            log.info("chip offers PACE (%d protocol(s)); no PACE implementation, using BAC", len(pace_oids))
    return protocols + [bac]
