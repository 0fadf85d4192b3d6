"""Identity: every document a patient can present, parsed, validated and explained (no Qt, no I/O)."""
from kiosk.identity.bhyt import format_bhyt_qr
from kiosk.identity.cccd import format_cccd_qr
from kiosk.identity.errors import IdentityError
from kiosk.identity.model import (BhytCard, BirthDate, CccdDocument, Gender, Identity, IdentityWarning, Kind,
                                  MrzData, OldIdDocument, Person, Source, VneidToken, Warning)
from kiosk.identity.parse import ParseOptions, parse

__all__ = [
    "BhytCard", "BirthDate", "CccdDocument", "Gender", "Identity", "IdentityError", "IdentityWarning", "Kind",
    "MrzData", "OldIdDocument", "ParseOptions", "Person", "Source", "VneidToken", "Warning",
    "format_bhyt_qr", "format_cccd_qr", "parse",
]
