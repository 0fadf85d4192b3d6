"""The Identity model: who a patient is, which documents were presented, and how trustworthy.

Pure data (frozen dataclasses and enums); parsers in this package build it, the chip reader
builds it from DG1/DG13, the store persists it through `Identity.lookup_keys()`.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import Enum, IntEnum

from kiosk.identity.mask import _MaskedRepr
from kiosk.identity.normalize import nfc


class Gender(IntEnum):
    """Values match GIOI_TINH in the 4750 XML tables and `patients.gender`."""
    MALE = 1
    FEMALE = 2
    UNKNOWN = 3


class Source(IntEnum):
    """Where an identity came from, ordered by trust: a larger value wins a merge."""
    TYPED = 1
    QR = 2
    CHIP_UNVERIFIED = 3
    CHIP_VERIFIED = 4

    @property
    def store_value(self) -> str:
        """The `patient_documents.source` column value."""
        return {Source.TYPED: "typed", Source.QR: "qr"}.get(self, "chip")


class Kind(str, Enum):
    """What was presented (the detected input format)."""
    CCCD_QR = "cccd_qr"
    BHYT_QR = "bhyt_qr"
    VNEID = "vneid"
    TYPED_CCCD = "typed_cccd"
    TYPED_BHXH = "typed_bhxh"
    TYPED_BHYT = "typed_bhyt"
    TYPED_CMND = "typed_cmnd"
    MRZ = "mrz"
    CHIP = "chip"
    MERGED = "merged"


@dataclass(frozen=True, order=True)
class BirthDate:
    """A date of birth that may be known to the year only (BHYT cards of older people)."""
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2299:
            raise ValueError("birth year out of range")
        if (self.month is None) != (self.day is None):
            raise ValueError("month and day come together")
        if self.month is not None:
            _dt.date(self.year, self.month, self.day)  # raises ValueError if it does not exist

    @classmethod
    def of(cls, d: _dt.date) -> "BirthDate":
        return cls(d.year, d.month, d.day)

    @property
    def year_only(self) -> bool:
        return self.month is None

    def as_date(self) -> _dt.date | None:
        return None if self.month is None else _dt.date(self.year, self.month, self.day)

    def iso(self) -> str:
        """`yyyy-mm-dd`, or `yyyy` when only the year is known (the store's format)."""
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_iso(cls, text: str) -> "BirthDate":
        if len(text) == 4:
            return cls(int(text))
        d = _dt.date.fromisoformat(text)
        return cls(d.year, d.month, d.day)

    def age_on(self, day: _dt.date) -> int:
        """Completed years on `day`; with the year alone, counted as if born on 1 January."""
        m, d = (self.month or 1, self.day or 1)
        return day.year - self.year - ((day.month, day.day) < (m, d))

    def __str__(self) -> str:  # dd/mm/yyyy, as on Vietnamese documents
        return str(self.year) if self.month is None else f"{self.day:02d}/{self.month:02d}/{self.year:04d}"


@dataclass(frozen=True, repr=False)
class Person(_MaskedRepr):
    full_name: str | None = None          # NFC, diacritics preserved, as printed (usually upper case)
    birth_date: BirthDate | None = None
    gender: Gender = Gender.UNKNOWN
    address: str | None = None

    def __post_init__(self) -> None:
        if self.full_name is not None:
            object.__setattr__(self, "full_name", nfc(self.full_name))
        if self.address is not None:
            object.__setattr__(self, "address", nfc(self.address))


@dataclass(frozen=True, repr=False)
class CccdDocument(_MaskedRepr):
    number: str                           # 12 digits
    old_id: str | None = None             # 9-digit CMND printed in the QR, if any
    issue_date: _dt.date | None = None
    expiry_date: _dt.date | None = None   # from the chip (DG13) when known
    other_document: str | None = None     # chip DG13 field 15 ("giấy tờ khác"), as printed


@dataclass(frozen=True, repr=False)
class OldIdDocument(_MaskedRepr):
    number: str                           # 9-digit CMND (or 12-digit old-format CMND)


@dataclass(frozen=True, repr=False)
class BhytCard(_MaskedRepr):
    """A health-insurance card. New cards carry only the 10-digit BHXH number; old ones the
    15-char code (group + benefit + province + BHXH number)."""
    code15: str | None = None
    bhxh_number10: str | None = None
    valid_from: _dt.date | None = None
    valid_to: _dt.date | None = None      # None: open-ended
    ma_dkbd: str | None = None            # registered primary-care facility, 5 digits e.g. 89012
    benefit_level: int | None = None      # 1..5
    issue_date: _dt.date | None = None
    management_code: str | None = None
    check_string: str | None = None       # kept, never verified (algorithm UNCONFIRMED)
    guardian_name: str | None = None
    living_place_code: str | None = None
    five_years_date: _dt.date | None = None
    place_of_issue: str | None = None

    def __post_init__(self) -> None:
        if self.code15 and not self.bhxh_number10 and self.code15[5:].isdigit():   # legacy codes may carry letters
            object.__setattr__(self, "bhxh_number10", self.code15[5:])
        if self.code15 and self.benefit_level is None and self.code15[2:3].isdigit():
            object.__setattr__(self, "benefit_level", int(self.code15[2]))

    @property
    def group(self) -> str | None:
        return self.code15[:2] if self.code15 else None

    @property
    def province(self) -> str | None:
        return self.code15[3:5] if self.code15 else None

    @property
    def card_number(self) -> str | None:
        """What the gateway card check takes (maThe): the 15-char code, else the BHXH number."""
        return self.code15 or self.bhxh_number10


@dataclass(frozen=True, repr=False)
class VneidToken(_MaskedRepr):
    token: str                            # opaque; resolved by the gateway's identity endpoint


@dataclass(frozen=True, repr=False)
class MrzData(_MaskedRepr):
    """The fields of a TD1 MRZ needed for BAC and for display (check digits already verified)."""
    document_code: str
    issuing_state: str
    document_number: str                  # as used for BAC (9 chars, or longer via optional data)
    birth_yymmdd: str
    expiry_yymmdd: str                    # '<<<<<<' when the document does not expire
    nationality: str
    optional_data: str
    names: str
    expiry_check_digit: str = ""          # as printed: '<' or '0' for the no-expiry filler form


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the model's own name; use IdentityWarning to avoid the builtin
    """Something the desk should know; does not stop the check-in."""
    code: str
    vi: str
    en: str
    detail: str = ""                      # staff-facing, no personal data


IdentityWarning = Warning


@dataclass(frozen=True)
class Identity:
    person: Person | None
    cccd: CccdDocument | None = None
    old_id: OldIdDocument | None = None
    bhyt: BhytCard | None = None
    vneid: VneidToken | None = None
    source: Source = Source.TYPED
    kind: Kind = Kind.TYPED_CCCD
    warnings: tuple[Warning, ...] = ()
    source_detail: str = ""               # e.g. the passive-authentication outcome of a chip read
    mrz: MrzData | None = None

    def lookup_keys(self) -> list[tuple[str, str]]:
        """(kind, number) pairs for `patient_documents`, most specific first."""
        keys: list[tuple[str, str]] = []
        if self.cccd:
            keys.append(("cccd", self.cccd.number))
        old = self.old_id.number if self.old_id else (self.cccd.old_id if self.cccd else None)
        if old:
            keys.append(("old_id", old))
        if self.bhyt:
            if self.bhyt.code15:
                keys.append(("bhyt", self.bhyt.code15))
            if self.bhyt.bhxh_number10:
                keys.append(("bhxh", self.bhyt.bhxh_number10))
        return keys

    def has_warning(self, code: str) -> bool:
        return any(w.code == code for w in self.warnings)

    @property
    def full_name(self) -> str | None:
        return self.person.full_name if self.person else None

    @property
    def birth_date(self) -> BirthDate | None:
        return self.person.birth_date if self.person else None
