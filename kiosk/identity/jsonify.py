"""Identity → JSON-ready dict, masked for public screens and logs by default."""
from __future__ import annotations

import dataclasses
import datetime as dt
from enum import Enum
from typing import Any

from kiosk.identity.mask import mask_birth, mask_name, mask_number
from kiosk.identity.model import BirthDate, Identity

_NUMBER_FIELDS = {"number", "old_id", "code15", "bhxh_number10", "management_code", "check_string", "token",
                  "document_number", "optional_data"}
_DROP_WHEN_MASKED = {"address", "guardian_name", "names", "birth_yymmdd", "place_of_issue", "living_place_code"}


def _value(v: Any) -> Any:
    if isinstance(v, BirthDate):
        return v.iso()
    if isinstance(v, (dt.date,)):
        return v.isoformat()
    if isinstance(v, Enum):
        return v.name.lower() if not isinstance(v.value, str) else v.value
    return v


def _obj(o: Any, masked: bool) -> Any:
    if o is None:
        return None
    out: dict[str, Any] = {}
    for f in dataclasses.fields(o):
        v = getattr(o, f.name)
        if masked and v is not None:
            if f.name in _DROP_WHEN_MASKED:
                continue
            if f.name in _NUMBER_FIELDS:
                v = mask_number(v)
            elif f.name == "full_name":
                v = mask_name(v)
            elif f.name == "birth_date":
                v = mask_birth(v)
        out[f.name] = _value(v)
    return out


def identity_to_dict(identity: Identity, *, masked: bool = True) -> dict[str, Any]:
    return {
        "kind": identity.kind.value,
        "source": identity.source.name.lower(),
        "source_detail": identity.source_detail,
        "masked": masked,
        "person": _obj(identity.person, masked),
        "cccd": _obj(identity.cccd, masked),
        "old_id": _obj(identity.old_id, masked),
        "bhyt": _obj(identity.bhyt, masked),
        "vneid": _obj(identity.vneid, masked),
        "mrz": _obj(identity.mrz, masked),
        "warnings": [{"code": w.code, "vi": w.vi, "en": w.en, "detail": w.detail} for w in identity.warnings],
    }
