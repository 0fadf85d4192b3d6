"""Merge two identities of the same person (QR now, chip later; CCCD and BHYT card).

Each field takes the most trustworthy value (higher `Source`; on a tie the first argument), a
missing value is filled from the other, and a real disagreement (different birth dates, names,
genders) is reported as a `Conflict` and a `merge_conflict` warning, never silently resolved.
Different numbers for the same kind of document mean two people: `MergeConflictError`.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from typing import Any

from kiosk.identity.errors import MergeConflictError
from kiosk.identity.model import Gender, Identity, Kind, Person
from kiosk.identity.warnings import warn


@dataclass(frozen=True)
class Conflict:
    field: str            # 'full_name', 'birth_date', 'gender'
    kept: Any = dataclasses.field(repr=False)   # the more trustworthy identity's value (staff screen only, never logs)
    other: Any = dataclasses.field(repr=False)


@dataclass(frozen=True)
class MergeResult:
    identity: Identity
    conflicts: tuple[Conflict, ...]


def fold_name(name: str) -> str:
    """Case-, space- and diacritic-insensitive form: `Nguyễn  Văn An` == `NGUYEN VAN AN`."""
    s = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in s if not unicodedata.combining(c)).casefold().split())


def _numbers(i: Identity) -> dict[str, str]:
    out = dict(i.lookup_keys())
    return out


def merge(a: Identity, b: Identity) -> MergeResult:
    na, nb = _numbers(a), _numbers(b)
    for kind in na.keys() & nb.keys():
        if na[kind] != nb[kind]:
            raise MergeConflictError(f"different {kind} numbers")
    hi, lo = (a, b) if a.source >= b.source else (b, a)
    conflicts: list[Conflict] = []
    person = _merge_person(hi.person, lo.person, conflicts)
    warnings = list(hi.warnings) + [w for w in lo.warnings if w not in hi.warnings]
    warnings += [warn("merge_conflict", f"documents disagree on {c.field}") for c in conflicts]
    merged = Identity(
        person=person,
        cccd=_fill(hi.cccd, lo.cccd), old_id=_fill(hi.old_id, lo.old_id), bhyt=_fill(hi.bhyt, lo.bhyt),
        vneid=hi.vneid or lo.vneid, source=hi.source,
        kind=hi.kind if hi.kind == lo.kind else Kind.MERGED,
        warnings=tuple(warnings), source_detail=hi.source_detail or lo.source_detail,
        mrz=hi.mrz or lo.mrz)
    return MergeResult(merged, tuple(conflicts))


def _fill(hi, lo):
    """Field by field: the trusted value, or the other's where the trusted one is missing."""
    if hi is None or lo is None:
        return hi if hi is not None else lo
    changes = {f.name: getattr(lo, f.name) for f in dataclasses.fields(hi)
               if getattr(hi, f.name) is None and getattr(lo, f.name) is not None}
    return dataclasses.replace(hi, **changes) if changes else hi


def _merge_person(hi: Person | None, lo: Person | None, conflicts: list[Conflict]) -> Person | None:
    if hi is None or lo is None:
        return hi if hi is not None else lo
    name = hi.full_name or lo.full_name
    if hi.full_name and lo.full_name:
        if fold_name(hi.full_name) != fold_name(lo.full_name):
            conflicts.append(Conflict("full_name", hi.full_name, lo.full_name))
        elif hi.full_name.isascii() and not lo.full_name.isascii():
            name = lo.full_name          # an MRZ name has lost its diacritics: take the printed one
    birth = hi.birth_date or lo.birth_date
    if hi.birth_date and lo.birth_date and hi.birth_date != lo.birth_date:
        x, y = hi.birth_date, lo.birth_date
        if x.year != y.year or not (x.year_only or y.year_only):
            conflicts.append(Conflict("birth_date", x, y))
        elif x.year_only:
            birth = y                    # same year, the other knows the day
    gender = hi.gender
    if gender is Gender.UNKNOWN:
        gender = lo.gender
    elif lo.gender is not Gender.UNKNOWN and lo.gender is not hi.gender:
        conflicts.append(Conflict("gender", hi.gender, lo.gender))
    return Person(name, birth, gender, hi.address or lo.address)
