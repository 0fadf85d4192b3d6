"""The VNeID resolver the identity resolver takes: a token → the gateway's identity endpoint
(UNCONFIRMED, `vneid_resolver_endpoint`) → an `Identity` the check-in can use, or None."""
from __future__ import annotations

from typing import Any, Callable

from kiosk.identity.dates import parse_birth
from kiosk.identity.errors import IdentityError
from kiosk.identity.model import BhytCard, CccdDocument, Gender, Identity, Kind, Person, Source, VneidToken


def identity_from_vneid(found: Any, token: str) -> Identity | None:
    """A `kiosk.gateway.results.VneidIdentity` as an Identity (None without a name)."""
    if not found.full_name:
        return None
    try:
        birth = parse_birth(found.birth_date) if found.birth_date else None
    except IdentityError:
        birth = None
    gender = Gender(int(found.gender)) if str(found.gender) in ("1", "2", "3") else Gender.UNKNOWN
    card = (found.bhyt_card or "").strip().upper()
    bhyt = None
    if len(card) == 15:
        bhyt = BhytCard(code15=card)
    elif len(card) == 10 and card.isdigit():
        bhyt = BhytCard(bhxh_number10=card)
    return Identity(Person(found.full_name, birth, gender, found.address or None),
                    cccd=CccdDocument(found.cccd) if found.cccd else None, bhyt=bhyt,
                    vneid=VneidToken(token), source=Source.QR, kind=Kind.VNEID)


def vneid_resolver(client: Any) -> Callable[[str], Identity | None]:
    """`client.resolve_vneid(token)`; the identity resolver logs and handles its failures."""
    def resolve(token: str) -> Identity | None:
        found = client.resolve_vneid(token)
        return None if found is None else identity_from_vneid(found, token)
    return resolve
