"""Identity → JSON-ready dict, masked for public screens and logs by default."""
from __future__ import annotations

import dataclasses
import datetime as dt
from enum import Enum
from typing import Any

from kiosk.identity.mask import HIDDEN, mask_field
from kiosk.identity.model import BirthDate, Identity


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
        v = mask_field(f.name, getattr(o, f.name)) if masked else getattr(o, f.name)
        if v is not HIDDEN:
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
