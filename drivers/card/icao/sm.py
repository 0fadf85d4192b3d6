"""Secure messaging of ICAO 9303 part 11 §9.8: DO'85/'87/'97/'99/'8E' with an SSC.

`SecureMessaging` is the 3DES form (after BAC, or PACE with 3DES): 8-byte SSC, CBC with a zero
IV, retail MAC. `AesSecureMessaging` (after PACE with AES) has a 16-byte SSC, CBC with
IV = E(KS_enc, SSC), padding to 16 bytes and AES-CMAC truncated to 8 bytes. The same class wraps
commands (terminal side) and lets the virtual chip unwrap commands and wrap responses, so both
ends share one implementation.
"""
from __future__ import annotations

from dataclasses import dataclass

from drivers.card.apdu import CommandApdu, ResponseApdu
from drivers.card.errors import SecureMessagingError
from drivers.card.icao import tlv
from drivers.card.icao.aes import aes_cbc_decrypt, aes_cbc_encrypt, aes_cmac, aes_ecb_encrypt
from drivers.card.icao.crypto import des3_decrypt, des3_encrypt, pad, retail_mac, unpad


def _le_bytes(le: int, extended: bool) -> bytes:
    if extended:
        return (0 if le >= 65536 else le).to_bytes(2, "big")
    return bytes((0 if le >= 256 else le,))


@dataclass
class SecureMessaging:
    ks_enc: bytes
    ks_mac: bytes
    ssc: int

    ssc_len = 8          # bytes of the send sequence counter
    block = 8            # cipher block size (padding unit)

    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.ssc_len))
        return self.ssc.to_bytes(self.ssc_len, "big")

    def _mac(self, ssc: bytes, data: bytes) -> bytes:
        return retail_mac(self.ks_mac, ssc + data)

    def _encrypt(self, ssc: bytes, data: bytes) -> bytes:
        return des3_encrypt(self.ks_enc, data)

    def _decrypt(self, ssc: bytes, data: bytes) -> bytes:
        return des3_decrypt(self.ks_enc, data)

    # ---- terminal side
    def protect(self, cmd: CommandApdu) -> CommandApdu:
        """The protected form of `cmd`; increments the SSC. Le is always present (00 / 0000)."""
        ssc = self._next_ssc()
        cla = cmd.cla | 0x0C
        header = bytes((cla, cmd.ins, cmd.p1, cmd.p2))
        do87 = b""
        if cmd.data:
            cipher = self._encrypt(ssc, pad(cmd.data, self.block))
            do87 = tlv.encode(0x85, cipher) if cmd.ins & 1 else tlv.encode(0x87, b"\x01" + cipher)
        extended = cmd.le is not None and cmd.le > 256
        do97 = tlv.encode(0x97, _le_bytes(cmd.le, extended)) if cmd.le is not None else b""
        mac = self._mac(ssc, pad(header, self.block) + do87 + do97)
        data = do87 + do97 + tlv.encode(0x8E, mac)
        extended = extended or len(data) > 255
        return CommandApdu(cla, cmd.ins, cmd.p1, cmd.p2, data, 65536 if extended else 256)

    def unprotect(self, resp: ResponseApdu) -> ResponseApdu:
        """Verify and decrypt a protected response; increments the SSC.

        A bare error status (no SM objects) means the chip ended the session: it is returned
        as is for the caller to raise on.
        """
        ssc = self._next_ssc()
        if not resp.data:
            if resp.sw == 0x9000:
                raise SecureMessagingError("protected response without SM data objects")
            return resp
        try:
            objs = tlv.parse_all(resp.data)
        except tlv.TlvError as exc:
            raise SecureMessagingError("malformed protected response") from exc
        by_tag = {o.tag: o for o in objs}
        mac_obj = by_tag.get(0x8E)
        sw_obj = by_tag.get(0x99)
        if mac_obj is None or sw_obj is None:
            raise SecureMessagingError("protected response lacks DO'99' or DO'8E'")
        covered = b"".join(tlv.encode(o.tag, o.value) for o in objs if o.tag in (0x85, 0x87, 0x99))
        if self._mac(ssc, covered) != mac_obj.value:
            raise SecureMessagingError("response MAC does not verify")
        data = b""
        if 0x87 in by_tag:
            value = by_tag[0x87].value
            if not value or value[0] != 0x01:
                raise SecureMessagingError("unsupported DO'87' padding indicator")
            data = unpad(self._decrypt(ssc, value[1:]))
        elif 0x85 in by_tag:
            data = unpad(self._decrypt(ssc, by_tag[0x85].value))
        return ResponseApdu(data, int.from_bytes(sw_obj.value, "big"))

    # ---- chip side (used by the virtual chip)
    def unwrap_command(self, cmd: CommandApdu) -> CommandApdu:
        """Verify a protected command's MAC and recover the plain command; increments the SSC."""
        ssc = self._next_ssc()
        objs = tlv.parse_all(cmd.data)
        by_tag = {o.tag: o for o in objs}
        if 0x8E not in by_tag:
            raise SecureMessagingError("protected command lacks DO'8E'")
        header = bytes((cmd.cla, cmd.ins, cmd.p1, cmd.p2))
        covered = b"".join(tlv.encode(o.tag, o.value) for o in objs if o.tag in (0x85, 0x87, 0x97))
        if self._mac(ssc, pad(header, self.block) + covered) != by_tag[0x8E].value:
            raise SecureMessagingError("command MAC does not verify")
        data = b""
        if 0x87 in by_tag:
            data = unpad(self._decrypt(ssc, by_tag[0x87].value[1:]))
        elif 0x85 in by_tag:
            data = unpad(self._decrypt(ssc, by_tag[0x85].value))
        le = None
        if 0x97 in by_tag:
            raw = by_tag[0x97].value
            le = int.from_bytes(raw, "big") or (256 if len(raw) == 1 else 65536)
        return CommandApdu(cmd.cla & ~0x0C & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le)

    def wrap_response(self, data: bytes, sw: int, odd_ins: bool = False) -> ResponseApdu:
        ssc = self._next_ssc()
        do87 = b""
        if data:
            cipher = self._encrypt(ssc, pad(data, self.block))
            do87 = tlv.encode(0x85, cipher) if odd_ins else tlv.encode(0x87, b"\x01" + cipher)
        do99 = tlv.encode(0x99, sw.to_bytes(2, "big"))
        mac = self._mac(ssc, do87 + do99)
        return ResponseApdu(do87 + do99 + tlv.encode(0x8E, mac), 0x9000)


@dataclass
class AesSecureMessaging(SecureMessaging):
    """AES secure messaging (9303-11 §9.8.6.2 / §9.8.7.2); the SSC starts at 0 after PACE."""
    ssc_len = 16
    block = 16

    def _mac(self, ssc: bytes, data: bytes) -> bytes:
        return aes_cmac(self.ks_mac, pad(ssc + data, 16))[:8]

    def _iv(self, ssc: bytes) -> bytes:
        return aes_ecb_encrypt(self.ks_enc, ssc)

    def _encrypt(self, ssc: bytes, data: bytes) -> bytes:
        return aes_cbc_encrypt(self.ks_enc, data, self._iv(ssc))

    def _decrypt(self, ssc: bytes, data: bytes) -> bytes:
        return aes_cbc_decrypt(self.ks_enc, data, self._iv(ssc))
