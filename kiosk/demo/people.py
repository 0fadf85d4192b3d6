"""SYNTHETIC demo citizens for `kiosk demo`, the gateway simulator, the virtual chip and tests.

Every name is an obvious placeholder (THỬ = test, MẪU = sample, GIẢ = fake) and every number is
made up with a valid structure. Keys are stable: other modules refer to people by key.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.identity.bac import document_number, yymmdd
from kiosk.identity.bhyt import format_bhyt_qr
from kiosk.identity.cccd import expected_expiry, format_cccd_qr
from kiosk.identity.merge import fold_name
from kiosk.identity.model import (BhytCard, BirthDate, CccdDocument, Gender, Identity, Kind, Person,
                                  Source)
from kiosk.identity.mrz import NO_EXPIRY, format_td1

D = dt.date


@dataclass(frozen=True)
class DemoPerson:
    key: str
    identity: Identity          # everything the demo knows (as if from the card QRs)
    note: str                   # what the person demonstrates
    returning: bool = False     # already in the kiosk's patient cache in the demo

    @property
    def cccd_qr(self) -> str | None:
        return format_cccd_qr(self.identity, fields=11) if self.identity.cccd else None

    @property
    def bhyt_qr(self) -> str | None:
        return format_bhyt_qr(self.identity) if self.identity.bhyt else None

    def mrz(self, rule: str = "last9") -> str | None:
        """The TD1 MRZ the virtual chip's DG1 carries (UNCONFIRMED layout: see bac.py)."""
        i = self.identity
        if i.cccd is None or i.birth_date is None or i.birth_date.year_only:
            return None
        exp = i.cccd.expiry_date
        sex = {Gender.MALE: "M", Gender.FEMALE: "F"}.get(i.person.gender, "<")
        names = fold_name(i.full_name).upper().split()
        return format_td1(document_number(i.cccd.number, rule), yymmdd(i.birth_date.as_date()),
                          yymmdd(exp) if exp else NO_EXPIRY, sex,
                          names[0] + "<<" + "<".join(names[1:]), optional1=i.cccd.number)


def _person(key, name, birth, gender, address, *, cccd=None, issued=None, bhyt=None, note, returning=False):
    b = BirthDate(*birth) if isinstance(birth, tuple) else BirthDate(birth)
    doc = None
    if cccd:
        doc = CccdDocument(cccd, None, issued, expected_expiry(b, issued) if issued else None)
    source_kind = Kind.MERGED if (doc and bhyt) else (Kind.CCCD_QR if doc else Kind.BHYT_QR)
    ident = Identity(Person(name, b, gender, address), cccd=doc, bhyt=bhyt, source=Source.QR, kind=source_kind)
    return DemoPerson(key, ident, note, returning)


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    _person("valid_bhyt", "NGUYỄN VĂN THỬ", (1985, 4, 12), Gender.MALE,
            "Số 1 phố Thử Nghiệm, phường Mẫu, quận Ba Đình, Hà Nội",
            cccd="001085000101", issued=D(2025, 5, 20),
            bhyt=BhytCard(code15="DN4010100000101", valid_from=D(2026, 1, 1), valid_to=D(2030, 12, 31),
                          ma_dkbd="01001", issue_date=D(2025, 12, 15), management_code="01001000000101",
                          check_string="demo0000000001-0001", benefit_level=4, place_of_issue="BHXH Hà Nội"),
            note="working adult, valid BHYT card (DN, 80%)"),
    _person("expired_bhyt", "TRẦN THỊ MẪU", (1992, 8, 3), Gender.FEMALE,
            "Số 2 đường Mẫu, phường Bến Thành, quận 1, Thành phố Hồ Chí Minh",
            cccd="079192000202", issued=D(2022, 3, 1),
            bhyt=BhytCard(code15="GD4790200000202", valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31),
                          ma_dkbd="79024", issue_date=D(2023, 12, 20), management_code="79024000000202",
                          benefit_level=4, place_of_issue="BHXH Thành phố Hồ Chí Minh"),
            note="BHYT card expired: a warning for the desk, not a failure"),
    _person("child_te", "LÊ GIA THỬ", (2022, 6, 1), Gender.MALE,
            "Số 3 ngõ Thử, phường Dịch Vọng, quận Cầu Giấy, Hà Nội",
            cccd="001222000303", issued=D(2025, 1, 15),
            bhyt=BhytCard(code15="TE1010100000303", valid_from=D(2022, 6, 1), valid_to=D(2028, 5, 31),
                          ma_dkbd="01001", issue_date=D(2022, 6, 10), benefit_level=1,
                          guardian_name="LÊ THỊ MẪU", place_of_issue="BHXH Hà Nội"),
            note="child under 6 with a TE card (100%), guardian name on the card"),
    _person("elderly", "PHẠM VĂN MẪU", (1945, 2, 3), Gender.MALE,
            "Xóm Thử, xã Mẫu Sơn, huyện Lộc Bình, Lạng Sơn",
            cccd="020045000404", issued=D(2021, 7, 7),
            bhyt=BhytCard(code15="HT3200400000404", valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31),
                          ma_dkbd="20001", issue_date=D(2025, 12, 1), benefit_level=3,
                          place_of_issue="BHXH tỉnh Lạng Sơn"),
            note="elderly (>= 75, priority queue); CCCD issued after 58 never expires"),
    _person("cccd_only", "HOÀNG THỊ GIẢ", (1999, 9, 30), Gender.FEMALE,
            "Số 5 đường Giả Định, phường Hải Châu, quận Hải Châu, Đà Nẵng",
            cccd="048199000505", issued=D(2024, 10, 2),
            note="CCCD only, no health insurance: pays as a service patient"),
    _person("returning", "VŨ VĂN TÁI KHÁM", (1978, 11, 11), Gender.MALE,
            "Số 6 phố Tái Khám, phường Lê Lợi, thành phố Vinh, Nghệ An",
            cccd="040078000606", issued=D(2021, 8, 8),
            bhyt=BhytCard(bhxh_number10="4006000606", valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31),
                          ma_dkbd="40001", issue_date=D(2025, 12, 5), benefit_level=4),
            note="returning patient; new-format card (10-digit BHXH number only)", returning=True),
    _person("year_only", "ĐỖ THỊ THỬ", 1940, Gender.FEMALE, None,
            bhyt=BhytCard(code15="CT4370700000707", valid_from=D(2026, 1, 1), valid_to=None,
                          ma_dkbd="37001", benefit_level=4),
            note="BHYT card only, birth year alone, open-ended validity"),
)

BY_KEY: dict[str, DemoPerson] = {p.key: p for p in DEMO_PEOPLE}


def by_key(key: str) -> DemoPerson:
    return BY_KEY[key]


# ---- demo people → the virtual chip card's citizen


def chip_people() -> list[DemoPerson]:
    """The demo citizens that have a chip card (a CCCD number and a full birth date)."""
    return [p for p in DEMO_PEOPLE if p.identity.cccd and p.identity.birth_date
            and not p.identity.birth_date.year_only]


def citizen_of(person: DemoPerson, rule: str = "last9"):
    """The driver's citizen for a demo person (drivers never import kiosk: the mapping is here)."""
    from drivers.card.sim.citizen import Citizen
    i = person.identity
    doc, birth = i.cccd, i.birth_date.as_date() if i.birth_date else None
    if doc is None or birth is None or i.person is None or not i.full_name:
        raise ValueError(f"demo person {person.key} has no chip card")
    return Citizen(cccd=doc.number, full_name=i.full_name, birth_date=birth,
                   female=i.person.gender is Gender.FEMALE, expiry_date=doc.expiry_date,
                   issue_date=doc.issue_date or dt.date(2021, 1, 1),
                   residence=i.person.address or "", mrz=person.mrz(rule) or "")
