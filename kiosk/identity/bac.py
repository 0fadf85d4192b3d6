"""BAC / PACE inputs for the CCCD chip: document number, birth date and expiry as the chip's MRZ
has them, and the PACE card access number (CAN).

Public CCCD readers open the chip with PACE and CAN = the last 6 digits of the 12-digit number
(conformance review 3.3): `can_of`. For BAC (and PACE with the MRZ password): the MRZ document
number is the last 9 digits of the CCCD number (`rule`, confirmed on real MRZs, review 3.4); the
expiry follows the renewal ages of the Law on Identification (valid until the birthday at 14*,
25, 40 or 60; a card issued within two years of a milestone runs to the next one; issued at 58
or older it does not expire). *14: cards issued to children under 14 since 1 July 2024.
A card that does not expire ("Không thời hạn") carries expiry `991231` (check digit 5) in its
MRZ — six real MRZs from unrelated public code bases (review 3.6); the ICAO filler `<<<<<<` is
kept as a last resort only. The key type and the check digit are the card driver's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drivers.card.icao.bac import BacKey
from kiosk.identity.cccd import RENEWAL_AGES, birthday_at, expected_expiry
from kiosk.identity.model import BirthDate, Identity
from kiosk.identity.mrz import FILLER_EXPIRY, NO_EXPIRY

RULES = ("last9", "first9", "full12")
# expiry field + its check digit ("" = computed) for a card that does not expire, most likely first
NO_EXPIRY_FORMS = (NO_EXPIRY + "", FILLER_EXPIRY + "0", FILLER_EXPIRY + "<")

__all__ = ["BacKey", "RULES", "NO_EXPIRY_FORMS", "ChipAccess", "bac_candidates", "can_of", "chip_access",
           "document_number", "yymmdd"]


def can_of(source: "Identity | tuple[str, BirthDate] | str | None") -> str | None:
    """The PACE CAN of a CCCD: the last 6 digits of its 12-digit number (None when unknown)."""
    if isinstance(source, tuple):
        source = source[0]
    if isinstance(source, Identity):
        number = source.cccd.number if source.cccd is not None else None
        if not number and source.mrz is not None:
            opt = source.mrz.optional_data[:12]
            number = opt if opt.isdigit() and opt.endswith(source.mrz.document_number[-9:]) else None
        source = number
    if isinstance(source, str) and len(source) == 12 and source.isdigit():
        return source[-6:]
    return None


def document_number(cccd: str, rule: str = "last9") -> str:
    if rule == "last9":
        return cccd[-9:]
    if rule == "first9":
        return cccd[:9]
    if rule == "full12":
        return cccd
    raise ValueError(f"unknown BAC document-number rule {rule!r}; one of {', '.join(RULES)}")


def yymmdd(d: dt.date) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def bac_candidates(source: Identity | tuple[str, BirthDate], rule: str = "last9", *,
                   today: dt.date | None = None, issue_date: dt.date | None = None,
                   renewal_ages: tuple[int, ...] = RENEWAL_AGES,
                   no_expiry_forms: tuple[str, ...] = NO_EXPIRY_FORMS) -> list[BacKey]:
    """Keys to try, most likely first. From an MRZ: exactly its key. From a CCCD number and a full
    birth date: the known expiry if any, the one implied by the issue date, then for holders 58
    or older the no-expiry forms (`991231` first), then every renewal-age expiry (the one still
    running first). [] when the birth date is a year."""
    if isinstance(source, Identity):
        if source.mrz is not None:
            m = source.mrz
            check = m.expiry_check_digit if m.expiry_yymmdd == FILLER_EXPIRY else None
            return [BacKey(m.document_number, m.birth_yymmdd, m.expiry_yymmdd, check or None)]
        if source.cccd is None or source.birth_date is None:
            return []
        number, birth = source.cccd.number, source.birth_date
        known = source.cccd.expiry_date
        issue_date = issue_date or source.cccd.issue_date
    else:
        number, birth = source
        known = None
    if birth.year_only:
        return []
    day = today or dt.date.today()
    doc = document_number(number, rule)
    born = yymmdd(birth.as_date())
    expiries: list[dt.date | None] = []
    if known is not None:
        expiries.append(known)
    if issue_date is not None:
        expiries.append(expected_expiry(birth, issue_date))
    by_age = [birthday_at(birth, a) for a in sorted(renewal_ages)]
    running = [e for e in by_age if e >= day]
    if birth.age_on(day) >= 58:
        expiries.append(None)
    expiries += running[:1]
    expiries += sorted((e for e in by_age if e < day), reverse=True) + running[1:]
    keys: list[BacKey] = []
    rare = [BacKey(doc, born, f[:6], f[6:] or None) for f in no_expiry_forms[1:]]
    for e in expiries:
        new = ([BacKey(doc, born, f[:6], f[6:] or None) for f in no_expiry_forms[:1]] if e is None
               else [BacKey(doc, born, yymmdd(e))])
        keys += [k for k in new if k not in keys]
    if None in expiries:      # the filler forms no real CCCD MRZ has shown: last resort
        keys += [k for k in rare if k not in keys]
    return keys


@dataclass(frozen=True)
class ChipAccess:
    """What the card reader needs: `IcaoReader(...).read(access.keys, can=access.can, ...)`."""
    keys: list[BacKey]
    can: str | None

    def __repr__(self) -> str:
        return f"ChipAccess(keys={len(self.keys)}, can={'known' if self.can else 'none'})"


def chip_access(source: Identity | tuple[str, BirthDate], rule: str = "last9", **kw) -> ChipAccess:
    """The CAN (PACE, when the CCCD number is known) and the BAC / PACE-MRZ candidate keys."""
    return ChipAccess(bac_candidates(source, rule, **kw), can_of(source))
