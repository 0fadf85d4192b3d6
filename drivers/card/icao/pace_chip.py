"""The chip side of PACE generic mapping (ECDH), for the virtual chip: MSE:Set AT and the four
GENERAL AUTHENTICATE steps, sharing the arithmetic of `drivers.card.icao.pace`."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Sequence

from drivers.card.apdu import CommandApdu
from drivers.card.icao import tlv
from drivers.card.icao.ec import Point
from drivers.card.icao.lds import oid_to_str
from drivers.card.icao.pace import (PaceAuthError, PaceInfo, PacePassword, _dyn, mapped_generator,
                                    random_scalar, session_keys, token_input)
from drivers.card.icao.sm import SecureMessaging

SW_OK, SW_AUTH_FAILED, SW_WRONG_DATA, SW_CONDITIONS = 0x9000, 0x6300, 0x6A80, 0x6985


@dataclass
class PaceChip:
    infos: Sequence[PaceInfo]
    passwords: dict[int, PacePassword]          # by kind (PW_CAN, PW_MRZ)
    rng: Callable[[int], bytes] = os.urandom
    scalar: Callable[..., int] | None = None     # injectable private keys (known-answer tests)
    _state: dict = field(default_factory=dict)

    def reset(self) -> None:
        self._state = {}

    def mse(self, cmd: CommandApdu) -> int:
        """MSE:Set AT: pick the PACEInfo (DO'80', DO'84') and the password (DO'83')."""
        try:
            objs = {o.tag: o.value for o in tlv.parse_all(cmd.data)}
            oid = oid_to_str(objs[0x80])
            kind = objs[0x83][0]
        except (tlv.TlvError, KeyError, IndexError):
            return SW_WRONG_DATA
        param = objs[0x84][0] if objs.get(0x84) else None
        match = [i for i in self.infos if i.oid == oid and (param is None or i.parameter_id == param)]
        if not match or not match[0].supported or kind not in self.passwords:
            self.reset()
            return SW_WRONG_DATA
        self._state = {"info": match[0], "pw": self.passwords[kind], "step": 0}
        return SW_OK

    def _key(self, curve) -> int:
        return self.scalar(curve) if self.scalar else random_scalar(curve, self.rng)

    def general_authenticate(self, cmd: CommandApdu) -> tuple[bytes, int, SecureMessaging | None]:
        st = self._state
        if not st:
            return b"", SW_CONDITIONS, None
        info, step = st["info"], st["step"]
        suite, curve = info.suite, info.curve
        try:
            if step == 0:
                st["s"] = self.rng(suite.nonce_len)
                z = suite.encrypt_nonce(st["pw"].k_pi(suite), st["s"])
                return self._next(tlv.encode(0x80, z))
            if step == 1:
                pk_map_ifd = curve.decode(_dyn(cmd.data, 0x81))
                sk = self._key(curve)
                st["g"] = mapped_generator(curve, st["s"], curve.mul(sk, pk_map_ifd))
                return self._next(tlv.encode(0x82, curve.encode(curve.mul(sk, curve.g))))
            if step == 2:
                pk_ifd: Point = curve.decode(_dyn(cmd.data, 0x83))
                sk = self._key(curve)
                pk = curve.mul(sk, st["g"])
                if pk_ifd == pk:
                    raise PaceAuthError("terminal echoed the chip's key")
                st["pk_ifd"], st["pk"] = pk_ifd, pk
                st["keys"] = session_keys(suite, curve, curve.mul(sk, pk_ifd))
                return self._next(tlv.encode(0x84, curve.encode(pk)))
            ks_enc, ks_mac = st["keys"]
            if _dyn(cmd.data, 0x85) != suite.mac8(ks_mac, token_input(info, curve, st["pk"])):
                self.reset()
                return b"", SW_AUTH_FAILED, None
            t_ic = suite.mac8(ks_mac, token_input(info, curve, st["pk_ifd"]))
            self.reset()
            return tlv.encode(0x7C, tlv.encode(0x86, t_ic)), SW_OK, suite.session(ks_enc, ks_mac)
        except (ValueError, PaceAuthError, tlv.TlvError):
            self.reset()
            return b"", SW_WRONG_DATA, None

    def _next(self, body: bytes) -> tuple[bytes, int, None]:
        self._state["step"] += 1
        return tlv.encode(0x7C, body), SW_OK, None
