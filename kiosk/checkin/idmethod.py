"""The identification method of a confirmed identity (a `kiosk.core.idmethods` code)."""
from __future__ import annotations

from typing import Any

from kiosk.core import idmethods as m
from kiosk.identity.model import Kind, Source

_BY_KIND = {Kind.CCCD_QR: m.CCCD_QR, Kind.VNEID: m.VNEID_QR, Kind.BHYT_QR: m.BHYT_QR,
            Kind.TYPED_CCCD: m.TYPED, Kind.TYPED_BHXH: m.TYPED, Kind.TYPED_BHYT: m.TYPED,
            Kind.TYPED_CMND: m.TYPED}


def identification_method(identity: Any) -> str:
    """Chip first (the most trusted source wins a merge), then what was presented."""
    source = getattr(identity, "source", None)
    if source is Source.CHIP_VERIFIED:
        return m.CHIP_PA
    if source is Source.CHIP_UNVERIFIED:
        return m.CHIP_NO_PA
    kind = getattr(identity, "kind", None)
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    if source is Source.QR:          # a merged QR read: the app token, then the CCCD, then the card
        if getattr(identity, "vneid", None) is not None:
            return m.VNEID_QR
        if getattr(identity, "cccd", None) is not None:
            return m.CCCD_QR
        return m.BHYT_QR
    if source is Source.TYPED:
        return m.TYPED
    return m.OTHER
