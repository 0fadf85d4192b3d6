"""Synthetic citizens and the LDS files of their chips (EF.COM, DG1, DG2, DG13, EF.SOD)."""
from __future__ import annotations

import datetime as dt
import io
import random
import unicodedata
from dataclasses import dataclass, replace
from enum import Enum

from drivers.card.icao import dg13 as f
from drivers.card.icao import tlv
from drivers.card.icao.bac import BacKey
from drivers.card.icao.dg13 import build_dg13
from drivers.card.icao.lds import EF, td1_text
from drivers.card.icao.pace import PaceInfo, pace_info_bytes
from drivers.card.sim.pki import TestPki, build_sod


@dataclass(frozen=True)
class Citizen:
    """A synthetic CCCD holder. `expiry_date` None: the card does not expire."""
    cccd: str
    full_name: str
    birth_date: dt.date
    female: bool
    expiry_date: dt.date | None
    issue_date: dt.date
    hometown: str = "Xã Tân Phú, Huyện Đức Hòa, Long An"
    residence: str = "12 Đường Số 3, Phường Bình Trị Đông, Quận Bình Tân, TP Hồ Chí Minh"
    ethnicity: str = "Kinh"
    religion: str = "Không"
    features: str = "Nốt ruồi C:2cm trên trước mày phải"
    father: str = ""
    mother: str = ""
    spouse: str = ""
    old_id: str = ""
    mrz: str = ""            # a ready TD1 MRZ (90 chars) to put in DG1 instead of composing one

    def __repr__(self) -> str:
        return "Citizen(<synthetic, redacted>)"

    @property
    def can(self) -> str:
        """The PACE card access number: the last 6 digits of the CCCD number."""
        return self.cccd[-6:]

    @property
    def document_number(self) -> str:
        """MRZ document number: the last 9 digits of the CCCD number (UNCONFIRMED rule)."""
        return self.cccd[-9:]

    def bac_key(self) -> BacKey:
        if self.mrz:  # the key is what DG1 says, so chip and MRZ always agree
            m = self.mrz.replace("\n", "")
            return BacKey(m[5:14].rstrip("<"), m[30:36], m[38:44], m[44] if m[38:44] == "<<<<<<" else None)
        return BacKey(self.document_number, self.birth_date.strftime("%y%m%d"),
                      self.expiry_date.strftime("%y%m%d") if self.expiry_date else NO_EXPIRY_MRZ)


# A card that does not expire ("Không thời hạn", issued at 58+) has expiry 991231 (check digit
# 5) in its MRZ, as six real CCCD MRZs show (conformance review 3.6).
NO_EXPIRY_MRZ = "991231"


class Forgery(str, Enum):
    DG13_ALTERED = "dg13-altered"        # DG13 changed after the SOD was signed
    UNTRUSTED_SIGNER = "untrusted-signer"  # DS issued by a CSCA not in the store
    EXPIRED_SIGNER = "expired-signer"    # DS certificate outside its validity


DEFAULT_CITIZENS = (
    Citizen("079190001234", "NGUYỄN VĂN CHÍP", dt.date(1990, 3, 15), False, dt.date(2030, 3, 15),
            dt.date(2021, 6, 1), father="Nguyễn Văn Bình", mother="Trần Thị Cúc"),
    Citizen("001303005678", "TRẦN THỊ THẺ MẪU", dt.date(2003, 11, 2), True, dt.date(2028, 11, 2),
            dt.date(2019, 4, 20), father="Trần Văn Dũng", mother="Lê Thị Hoa"),
    Citizen("048062009012", "LÊ VĂN GIẢ ĐỊNH", dt.date(1962, 7, 30), False, None, dt.date(2022, 1, 10),
            father="Lê Văn Giang", mother="Phạm Thị Hằng", spouse="Võ Thị Kim"),
)


def ascii_mrz(name: str) -> str:
    """Name as MRZ letters: diacritics stripped, Đ→D, non-letters to '<'."""
    base = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    base = "".join(c for c in base if unicodedata.category(c) != "Mn").upper()
    return "".join(c if "A" <= c <= "Z" else "<" for c in base)


def dg1_bytes(c: Citizen) -> bytes:
    if c.mrz:
        return tlv.encode(0x61, tlv.encode(0x5F1F, c.mrz.replace("\n", "").encode("ascii")))
    words = ascii_mrz(c.full_name).split("<")
    words = [w for w in words if w]
    mrz = td1_text("ID", "VNM", c.document_number, c.cccd, c.birth_date.strftime("%y%m%d"),
                   "F" if c.female else "M", c.expiry_date.strftime("%y%m%d") if c.expiry_date else NO_EXPIRY_MRZ,
                   "VNM", "", words[0], " ".join(words[1:]))
    return tlv.encode(0x61, tlv.encode(0x5F1F, mrz.encode("ascii")))


def dg13_fields(c: Citizen) -> dict[int, str | tuple[str, ...]]:
    d = "%d/%m/%Y"
    fields: dict[int, str | tuple[str, ...]] = {
        f.CCCD_NUMBER: c.cccd, f.FULL_NAME: c.full_name, f.BIRTH_DATE: c.birth_date.strftime(d),
        f.GENDER: "Nữ" if c.female else "Nam", f.NATIONALITY: "Việt Nam", f.ETHNICITY: c.ethnicity,
        f.RELIGION: c.religion, f.HOMETOWN: c.hometown, f.RESIDENCE: c.residence, f.FEATURES: c.features,
        f.ISSUE_DATE: c.issue_date.strftime(d),
        f.EXPIRY_DATE: c.expiry_date.strftime(d) if c.expiry_date else "Không thời hạn",
        f.PARENTS: (c.father, c.mother), f.SPOUSE: c.spouse, 15: "", f.OLD_ID: c.old_id,
    }
    return fields


def face_jpeg(seed: str, size: tuple[int, int] = (120, 160), quality: int = 80) -> bytes:
    """A small synthetic portrait (no real person): oval face, eyes, mouth, noisy background."""
    from PIL import Image, ImageDraw
    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, (rnd.randrange(180, 230), rnd.randrange(190, 235), rnd.randrange(200, 240)))
    dr = ImageDraw.Draw(img)
    skin = (rnd.randrange(200, 240), rnd.randrange(160, 200), rnd.randrange(130, 170))
    dr.ellipse((w * 0.2, h * 0.15, w * 0.8, h * 0.85), fill=skin)
    dr.rectangle((0, 0, w, h * 0.2), fill=(30, 25, 20))
    for ex in (0.37, 0.63):
        dr.ellipse((w * ex - 5, h * 0.42, w * ex + 5, h * 0.48), fill=(40, 30, 25))
    dr.arc((w * 0.38, h * 0.58, w * 0.62, h * 0.72), 20, 160, fill=(150, 60, 60), width=3)
    for _ in range(w * h // 40):
        img.putpixel((rnd.randrange(w), rnd.randrange(h)), (rnd.randrange(256),) * 3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def dg2_bytes(jpeg: bytes, width: int = 120, height: int = 160) -> bytes:
    """DG2 = 75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E ISO 19794-5 record } } }."""
    record = (b"\x00" * 4 + b"\x00\x00" + b"\x00" * 14      # facial record header (20 bytes)
              + bytes((1, 0)) + width.to_bytes(2, "big") + height.to_bytes(2, "big") + b"\x01\x02\x00\x00\x00\x00")
    body = b"FAC\x00010\x00" + (14 + len(record) + len(jpeg)).to_bytes(4, "big") + b"\x00\x01" + record + jpeg
    header = tlv.encode(0xA1, tlv.encode(0x80, b"\x01\x01") + tlv.encode(0x87, b"\x01\x01"))
    bio = tlv.encode(0x7F60, header + tlv.encode(0x5F2E, body))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + bio))


def com_bytes(tags: list[int]) -> bytes:
    return tlv.encode(0x60, tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, bytes(tags)))


DEFAULT_PACE = (PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)   # ECDH-GM-AES-CBC-CMAC-128, brainpoolP256r1


def card_access_bytes(infos: tuple[PaceInfo, ...] = DEFAULT_PACE) -> bytes:
    """EF.CardAccess (SecurityInfos SET) with these PACEInfos."""
    return tlv.encode(0x31, b"".join(pace_info_bytes(i) for i in infos))


def build_files(c: Citizen, pki: TestPki, *, forgery: Forgery | None = None, scheme: str = "rsa",
                hash_name: str = "sha256", face: bytes | None = None,
                pace: bool | tuple[PaceInfo, ...] = False,
                extra: dict[EF, bytes] | None = None) -> dict[EF, bytes]:
    """Every file of the citizen's chip, EF.SOD signed as `forgery` dictates. `extra` adds
    data groups (e.g. DG14/DG15 as raw TLV) listed in EF.COM and covered by the SOD."""
    extra = extra or {}
    dgs = {1: dg1_bytes(c), 2: dg2_bytes(face if face is not None else face_jpeg(c.cccd)),
           13: build_dg13(dg13_fields(c)), **{ef.dg_number: data for ef, data in extra.items()}}
    signer = {None: pki.signer(scheme), Forgery.DG13_ALTERED: pki.signer(scheme),
              Forgery.UNTRUSTED_SIGNER: pki.ds_rogue, Forgery.EXPIRED_SIGNER: pki.ds_expired}[forgery]
    sod = build_sod(dgs, signer, hash_name)
    if forgery is Forgery.DG13_ALTERED:  # e.g. someone else's address pasted into a cloned chip
        dgs[13] = build_dg13(dg13_fields(replace(c, residence="99 Đường Giả Mạo, Quận 1, TP Hồ Chí Minh")))
    files = {EF.COM: com_bytes([0x61, 0x75, 0x6D] + [ef.tag for ef in extra]), EF.DG1: dgs[1], EF.DG2: dgs[2],
             EF.DG13: dgs[13], **extra, EF.SOD: sod}
    if pace:
        files[EF.CARD_ACCESS] = card_access_bytes(DEFAULT_PACE if pace is True else pace)
    return files
