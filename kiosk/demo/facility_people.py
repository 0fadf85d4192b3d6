"""A synthetic crowd for the facility demo, tests and benchmark: numbered placeholder people.

Names say KHÁCH THỬ (test visitor) with a number; CCCD and BHYT numbers are made up with a valid
shape (province 079, a 9xx birth-year block no real citizen has in this range).
"""
from __future__ import annotations

import datetime as dt

from kiosk.identity.cccd import expected_expiry
from kiosk.identity.model import (BhytCard, BirthDate, CccdDocument, Gender, Identity, Kind, Person, Source)


def crowd_person(i: int) -> Identity:
    """Person number `i` (0 <= i < 1,000,000): the same identity every time for the same i."""
    year = 1950 + i % 50
    birth = BirthDate(year, 1 + i % 12, 1 + i % 28)
    gender = Gender.MALE if i % 2 else Gender.FEMALE
    cccd_number = f"079{(1 if gender is Gender.FEMALE else 0) + (2 if year >= 2000 else 0)}{year % 100:02d}{900000 + i:06d}"[:12]
    issued = dt.date(2024, 1, 1)
    doc = CccdDocument(cccd_number, None, issued, expected_expiry(birth, issued))
    card = BhytCard(code15=f"GD479{i:010d}", valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31),
                    ma_dkbd="79024", benefit_level=4)
    return Identity(Person(f"KHÁCH THỬ SỐ {i}", birth, gender, "Phường Mẫu, Thành phố Hồ Chí Minh"),
                    cccd=doc, bhyt=card, source=Source.QR, kind=Kind.MERGED)
