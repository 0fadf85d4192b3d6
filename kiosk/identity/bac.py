"""BAC inputs for the CCCD chip: document number, birth date and expiry as the chip's MRZ has them.

UNCONFIRMED (verify on real cards, keep configurable): the MRZ document number is reported to be
the last 9 digits of the CCCD number (`rule`); the expiry follows the renewal ages of the Law on
Identification (valid until the birthday at 14*, 25, 40 or 60; a card issued within two years of a
milestone runs to the next one; issued at 58 or older it does not expire). *14: cards issued to
children under 14 since 1 July 2024. For a non-expiring card the chip's MRZ is assumed to carry the
ICAO filler form `<<<<<<` with check digit `0` (as other TD1 states do) or `<`: `NO_EXPIRY_FORMS`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.identity.cccd import RENEWAL_AGES, birthday_at, expected_expiry
from kiosk.identity.model import BirthDate, Identity
from kiosk.identity.mrz import NO_EXPIRY, check_digit

RULES = ("last9", "first9", "full12")
NO_EXPIRY_FORMS = ("<<<<<<0", "<<<<<<<")   # expiry field + its check digit


@dataclass(frozen=True)
class BacKey:
    document_number: str
    birth_yymmdd: str
    expiry_yymmdd: str
    expiry_check: str | None = None      # only for the filler (no-expiry) forms

    def mrz_information(self) -> str:
        """ICAO 9303-11 MRZ_information: number (padded to 9) + cd + birth + cd + expiry + cd."""
        number = self.document_number if len(self.document_number) >= 9 else (self.document_number + "<" * 9)[:9]
        exp_cd = self.expiry_check or check_digit(self.expiry_yymmdd)
        return (number + check_digit(number) + self.birth_yymmdd + check_digit(self.birth_yymmdd)
                + self.expiry_yymmdd + exp_cd)


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
    birth date: the known expiry if any, else every renewal-age expiry (the one still running
    first) and, for holders 58 or older, the no-expiry forms. [] when the birth date is a year."""
    if isinstance(source, Identity):
        if source.mrz is not None:
            m = source.mrz
            check = m.expiry_check_digit if m.expiry_yymmdd == NO_EXPIRY else None
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
    expiries += running[:1]
    if birth.age_on(day) >= 58:
        expiries.append(None)
    expiries += sorted((e for e in by_age if e < day), reverse=True) + running[1:]
    keys: list[BacKey] = []
    for e in expiries:
        new = ([BacKey(doc, born, f[:6], f[6]) for f in no_expiry_forms] if e is None
               else [BacKey(doc, born, yymmdd(e))])
        keys += [k for k in new if k not in keys]
    return keys

