"""LDS files of ICAO 9303 part 10: file identifiers, EF.COM, DG1 (TD1 MRZ), DG2 face, EF.CardAccess."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from drivers.card.errors import MalformedDataError
from drivers.card.icao import tlv
from drivers.card.icao.bac import check_digit

EMRTD_AID = bytes.fromhex("A0000002471001")


class EF(Enum):
    """(file identifier, outer tag) of each elementary file the reader knows."""
    CARD_ACCESS = (0x011C, 0x31)
    COM = (0x011E, 0x60)
    DG1 = (0x0101, 0x61)
    DG2 = (0x0102, 0x75)
    DG13 = (0x010D, 0x6D)
    DG14 = (0x010E, 0x6E)
    DG15 = (0x010F, 0x6F)
    SOD = (0x011D, 0x77)

    @property
    def fid(self) -> int:
        return self.value[0]

    @property
    def tag(self) -> int:
        return self.value[1]

    @property
    def dg_number(self) -> int | None:
        return self.fid & 0xFF if self.name.startswith("DG") else None

    @classmethod
    def for_tag(cls, tag: int) -> "EF | None":
        return next((ef for ef in cls if ef.tag == tag and ef is not EF.CARD_ACCESS), None)


@dataclass(frozen=True)
class EfCom:
    lds_version: str
    unicode_version: str
    tags: tuple[int, ...]

    def files(self) -> tuple[EF, ...]:
        return tuple(ef for t in self.tags if (ef := EF.for_tag(t)) is not None)


def parse_com(data: bytes) -> EfCom:
    try:
        items = {c.tag: c.value for c in tlv.parse_all(tlv.unwrap(data, 0x60))}
    except tlv.TlvError as exc:
        raise MalformedDataError("EF.COM is not a valid TLV structure") from exc
    return EfCom(items.get(0x5F01, b"").decode("ascii", "replace"),
                 items.get(0x5F36, b"").decode("ascii", "replace"), tuple(items.get(0x5C, b"")))


@dataclass(frozen=True)
class Td1Mrz:
    """A parsed TD1 (ID-card, 3 x 30) MRZ. `check_digits_ok` covers all four check digits."""
    document_code: str
    issuing_state: str
    document_number: str
    optional_data1: str
    birth_yymmdd: str
    sex: str
    expiry_yymmdd: str
    nationality: str
    optional_data2: str
    surname: str
    given_names: str
    check_digits_ok: bool
    text: str

    def __repr__(self) -> str:
        return "Td1Mrz(<redacted>)"


def parse_td1(mrz: str) -> Td1Mrz:
    text = mrz.replace("\n", "").replace("\r", "")
    if len(text) != 90:
        raise MalformedDataError("DG1 MRZ is not TD1 (3 x 30 characters)")
    l1, l2, l3 = text[:30], text[30:60], text[60:]
    number, num_cd, opt1 = l1[5:14], l1[14], l1[15:30]
    if num_cd == "<" and opt1[:1] != "<":  # long document number continues in optional data
        extra = opt1.split("<", 1)[0]
        number, num_cd, opt1 = number + extra[:-1], extra[-1:], opt1[len(extra):]
    ok = (check_digit(number) == num_cd and check_digit(l2[0:6]) == l2[6]
          and (check_digit(l2[8:14]) == l2[14] or (l2[8:14] == "<<<<<<" and l2[14] in "<0"))
          and check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29])
    names = l3.rstrip("<").split("<<", 1)
    return Td1Mrz(
        document_code=l1[0:2].rstrip("<"), issuing_state=l1[2:5], document_number=number.rstrip("<"),
        optional_data1=opt1.rstrip("<"), birth_yymmdd=l2[0:6], sex=l2[7], expiry_yymmdd=l2[8:14],
        nationality=l2[15:18], optional_data2=l2[18:29].rstrip("<"),
        surname=names[0].replace("<", " ").strip(),
        given_names=(names[1] if len(names) > 1 else "").replace("<", " ").strip(),
        check_digits_ok=ok, text=text)


def parse_dg1(data: bytes) -> Td1Mrz:
    try:
        inner = tlv.unwrap(tlv.unwrap(data, 0x61), 0x5F1F)
    except tlv.TlvError as exc:
        raise MalformedDataError("DG1 is not a valid TLV structure") from exc
    return parse_td1(inner.decode("ascii", "replace"))


def td1_text(code: str, state: str, number: str, opt1: str, birth: str, sex: str, expiry: str,
             nationality: str, opt2: str, surname: str, given: str) -> str:
    """Compose a TD1 MRZ with valid check digits (used by the virtual chip and tests)."""
    l1 = (code.ljust(2, "<") + state + number.ljust(9, "<")[:9] + check_digit(number.ljust(9, "<")[:9])
          + opt1.ljust(15, "<"))[:30]
    l2 = birth + check_digit(birth) + sex + expiry + check_digit(expiry) + nationality + opt2.ljust(11, "<")
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    l3 = (surname.replace(" ", "<") + "<<" + given.replace(" ", "<")).ljust(30, "<")[:30]
    return l1 + l2 + l3


@dataclass(frozen=True)
class FaceImage:
    mime: str          # image/jpeg or image/jp2
    data: bytes

    def __repr__(self) -> str:
        return f"FaceImage({self.mime}, {len(self.data)} bytes)"

    def decode(self):
        """A Pillow image for staff display, or None when the platform cannot decode it."""
        try:
            import io

            from PIL import Image
            img = Image.open(io.BytesIO(self.data))
            img.load()
            return img
        except Exception:  # noqa: BLE001 - display is best effort (e.g. no OpenJPEG)
            return None


_MAGICS = ((b"\xFF\xD8\xFF", "image/jpeg"), (b"\x00\x00\x00\x0CjP  ", "image/jp2"),
           (b"\xFF\x4F\xFF\x51", "image/jp2"))


def parse_dg2(data: bytes) -> FaceImage:
    """The first face image of DG2: the biometric data block (5F2E/7F2E) holds an ISO 19794-5
    record whose image is JPEG or JPEG 2000; locate it by its signature after the header."""
    try:
        block = _find_tag(tlv.unwrap(data, 0x75), (0x5F2E, 0x7F2E))
    except tlv.TlvError as exc:
        raise MalformedDataError("DG2 is not a valid TLV structure") from exc
    if block is None:
        raise MalformedDataError("DG2 has no biometric data block")
    hits = [(block.find(magic), mime) for magic, mime in _MAGICS if block.find(magic) >= 0]
    if not hits:
        raise MalformedDataError("DG2 image is neither JPEG nor JPEG 2000")
    start, mime = min(hits)
    return FaceImage(mime, block[start:])


def _find_tag(data: bytes, tags: tuple[int, ...]) -> bytes | None:
    for item in tlv.parse_all(data):
        if item.tag in tags:
            return item.value
        if item.constructed:
            found = _find_tag(item.value, tags)
            if found is not None:
                return found
    return None


def oid_to_str(raw: bytes) -> str:
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for b in raw[1:]:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


PACE_OID_PREFIX = "0.4.0.127.0.7.2.2.4."


def parse_card_access(data: bytes) -> tuple[str, ...]:
    """PACE protocol OIDs offered by EF.CardAccess (SecurityInfos, a SET of SEQUENCEs)."""
    try:
        infos = tlv.parse_all(tlv.unwrap(data, 0x31))
        oids = [oid_to_str(info.children()[0].value) for info in infos if info.tag == 0x30]
    except (tlv.TlvError, IndexError) as exc:
        raise MalformedDataError("EF.CardAccess is not a SecurityInfos SET") from exc
    return tuple(o for o in oids if o.startswith(PACE_OID_PREFIX))
