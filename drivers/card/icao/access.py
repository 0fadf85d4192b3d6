"""Chip access control: the `AccessProtocol` interface, BAC with bounded candidate keys, and
`choose_protocols`: PACE (`drivers.card.icao.pace`) when EF.CardAccess offers a supported
PACEInfo, with the CAN first and then the MRZ keys, and BAC after it.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.errors import AccessDeniedError, MalformedDataError, StatusWordError
from drivers.card.icao.bac import BacAuthError, BacKey, BacTerminal
from drivers.card.icao.lds import EMRTD_AID
from drivers.card.icao.sm import SecureMessaging

log = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]
MAX_BAC_ATTEMPTS = 6
BAC_REFUSED = (0x6982, 0x6985, 0x6D00)   # the chip does not do BAC at all (PACE-only chips)


@dataclass(frozen=True)
class AccessGranted:
    protocol: str                 # "PACE" or "BAC"
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
            if challenge.sw in BAC_REFUSED:
                log.info("chip refuses BAC (SW %04X)", challenge.sw)
                break
            if not challenge.ok or len(challenge.data) != 8:
                raise StatusWordError(challenge.sw, "GET CHALLENGE")
            term = BacTerminal(*key.keys(), rng=self.rng)
            resp = send(CommandApdu(0x00, 0x82, 0x00, 0x00, term.mutual_auth_data(challenge.data), le=40))
            if resp.sw in BAC_REFUSED:
                log.info("chip refuses BAC (SW %04X)", resp.sw)
                break
            if not resp.ok:
                log.info("BAC candidate %d refused (SW %04X)", index, resp.sw)
                continue
            try:
                return AccessGranted(self.name, term.finish(resp.data), index, tried)
            except BacAuthError:
                log.warning("BAC candidate %d: chip cryptogram did not verify", index)
        raise AccessDeniedError(tried)


def choose_protocols(card_access: bytes | None, keys: Sequence[BacKey], can: str | None = None,
                     max_attempts: int = MAX_BAC_ATTEMPTS) -> list[AccessProtocol]:
    """The protocols to try, best first: PACE when EF.CardAccess offers a supported PACEInfo
    (passwords: the CAN if known, then the MRZ keys), then BAC with the same MRZ keys."""
    from drivers.card.icao.pace import PaceAccess, PacePassword, choose_info, parse_pace_infos
    protocols: list[AccessProtocol] = []
    try:
        infos = parse_pace_infos(card_access) if card_access else []
    except MalformedDataError:
        log.warning("EF.CardAccess is malformed; using BAC")
        infos = []
    info = choose_info(infos)
    if info is not None:
        passwords = ([PacePassword.can(can)] if can else []) + [PacePassword.mrz(k) for k in keys]
        protocols.append(PaceAccess(info, passwords, max_attempts=max_attempts + (1 if can else 0),
                                    parameter_ref=len(infos) > 1))
    elif infos:
        log.info("chip offers PACE only in forms not supported here (%d PACEInfo); using BAC", len(infos))
    return protocols + [BacAccess(keys, max_attempts)]
