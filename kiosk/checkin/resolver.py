"""IdentityResolver on the identity parsers and the local patient cache.

A read becomes an Identity (`kiosk.identity.parse`, or the chip's Identity as the card reader
answered it: passive authentication was judged there, once), the
cache fills in what a typed number lacks, and the screen gets only the masked view. Nothing is
written here: the patient row is stored by the issuing transaction once the patient confirmed.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import date, timedelta
from typing import Callable

from kiosk.core import eligibility as elig
from kiosk.core import messages as core_msg
from kiosk.core.clock import Clock, VN_TZ
from kiosk.core.priority import CHILD_UNDER_AGE
from kiosk.core.checkin.effects import ReadPayload
from kiosk.core.ports import IdentityProblem, Resolution
from kiosk.core.views import FollowUpView, Message, PatientView, ProblemKind, ReadSource
from kiosk.identity import errors as ie
from kiosk.identity.mask import mask_card, mask_name, mask_number
from kiosk.identity.model import BhytCard, BirthDate, CccdDocument, Gender, Identity, Person
from kiosk.identity.parse import ParseOptions, parse

log = logging.getLogger(__name__)

NOT_KNOWN = Message("number_not_known",
                    "Chưa có thông tin của số này trên máy. Vui lòng quét mã QR trên thẻ hoặc đến quầy tiếp đón.",
                    "This number is not known here yet. Please scan the QR code on your card or go to the desk.")
VNEID_OFF = Message("vneid_unavailable",
                    "Máy chưa đọc được mã VNeID. Vui lòng dùng thẻ CCCD hoặc thẻ BHYT.",
                    "VNeID codes cannot be used here yet. Please use your CCCD or insurance card.")
_TYPED_ERRORS = (ie.InvalidNumberError, ie.InvalidCccdNumberError, ie.InvalidOldIdError, ie.InvalidBhytCodeError,
                 ie.InvalidBhxhNumberError)
FOLLOW_UP_WINDOW = (timedelta(days=-7), timedelta(days=14))


def _problem(exc: ie.IdentityError, source: ReadSource) -> IdentityProblem:
    if isinstance(exc, ie.UnknownFormatError):
        kind = ProblemKind.UNSUPPORTED
    elif source is ReadSource.TYPED and isinstance(exc, _TYPED_ERRORS):
        kind = ProblemKind.INVALID_NUMBER
    else:
        kind = ProblemKind.UNREADABLE
    return IdentityProblem(kind, Message(exc.code, exc.vi, exc.en))


class StoreIdentityResolver:
    """Use from the check-in service's db lane only (it reads the store)."""

    def __init__(self, store, clock: Clock, *, options: ParseOptions | None = None,
                 cache_hours: float = 12.0, vneid: Callable[[str], Identity | None] | None = None):
        self.store = store
        self.clock = clock
        self.options = options or ParseOptions()
        self.cache_age = timedelta(hours=cache_hours)
        self._vneid = vneid

    def resolve(self, source: ReadSource, read: ReadPayload) -> Resolution:
        today = self.clock.now().astimezone(VN_TZ).date()
        identity = self._identity(source, read, today)
        patient = self.store.patients.find_any(identity.lookup_keys())
        if patient is not None:
            identity = enrich(identity, patient)
        if identity.person is None or not identity.person.full_name:
            if source is not ReadSource.TYPED:
                raise IdentityProblem(ProblemKind.UNREADABLE, NOT_KNOWN)
            return self._first_visit(identity, patient, today)
        view = patient_view(identity, source, today, returning=patient is not None)
        view = self._held(view, patient, today)
        cached, cached_id = self._cached(identity)
        follow = self._follow_up(patient.id, today) if patient is not None else None
        return Resolution(view, identity, patient.id if patient else None, cached, cached_id, follow)

    def _held(self, view: PatientView, patient, today: date) -> PatientView:
        if patient is not None:
            held = tuple(self.store.tickets.active_services(patient.id, today.isoformat()))
            if held:
                return dataclasses.replace(view, held_services=held)
        return view

    def _first_visit(self, identity: Identity, patient, today: date) -> Resolution:
        """A valid typed number this kiosk has no name for (issue 14 M7): never "wrong", and the
        patient is not stopped. The card check needs the name and birth date (gateway-api.md §2),
        so none is made and nothing is guessed: the visit goes to the desk, flagged with the typed
        number, and the desk confirms the identity."""
        view = patient_view(identity, ReadSource.TYPED, today, returning=patient is not None)
        view = self._held(dataclasses.replace(view, unconfirmed=True), patient, today)
        return Resolution(view, identity, patient.id if patient else None, elig.identity_to_confirm())

    def _identity(self, source: ReadSource, read: ReadPayload, today: date) -> Identity:
        if isinstance(read, Identity):
            return read              # the chip's identity (ChipReadDone), verified by the reader
        if source is ReadSource.CHIP:
            raise IdentityProblem(ProblemKind.UNREADABLE, core_msg.UNREADABLE)
        try:
            identity = parse(read, today=today, options=self.options)
        except ie.IdentityError as exc:
            raise _problem(exc, source) from None
        if identity.vneid is not None and identity.person is None:
            if self._vneid is None:
                raise IdentityProblem(ProblemKind.UNSUPPORTED, VNEID_OFF)
            try:
                resolved = self._vneid(identity.vneid.token)
            except Exception as exc:
                log.warning("VNeID resolution failed: %s", type(exc).__name__)
                resolved = None
            if resolved is None:
                raise IdentityProblem(ProblemKind.UNSUPPORTED, VNEID_OFF)
            return resolved
        return identity

    def _cached(self, identity: Identity):
        row = None
        for number in _check_numbers(identity):
            row = self.store.eligibility.latest_fresh(number, self.cache_age)
            if row is not None:
                break
        if row is None or row.verdict == "config_fault":
            return None, None
        return elig.view_of(row.card_answer(), from_cache=True), row.id

    def _follow_up(self, patient_id: int, today: date) -> FollowUpView | None:
        best = None
        for v in self.store.visits.for_patient(patient_id, limit=10):
            if not v.follow_up_date or not v.follow_up_service:
                continue
            try:
                when = date.fromisoformat(v.follow_up_date[:10])
            except ValueError:
                continue
            if FOLLOW_UP_WINDOW[0] <= when - today <= FOLLOW_UP_WINDOW[1]:
                if best is None or abs((when - today).days) < abs((date.fromisoformat(best.date) - today).days):
                    best = FollowUpView(v.follow_up_service, when.isoformat())
        return best


def _check_numbers(identity: Identity) -> list[str]:
    """Numbers a card check may be filed under: the card code, the BHXH number, the CCCD."""
    out = []
    if identity.bhyt:
        out += [n for n in (identity.bhyt.code15, identity.bhyt.bhxh_number10) if n]
    if identity.cccd:
        out.append(identity.cccd.number)
    return out


def patient_view(identity: Identity, source: ReadSource, today: date, *, returning: bool) -> PatientView:
    person = identity.person
    birth = person.birth_date if person else None
    if identity.cccd is not None:
        masked = mask_number(identity.cccd.number)
    else:   # a BHYT-only identity: masked as a card, not as a CCCD (issue 14 minor 6)
        masked = mask_card(identity.bhyt.card_number if identity.bhyt else None)
    age = birth.age_on(today) if birth else None
    guardian = identity.bhyt.guardian_name if identity.bhyt and identity.bhyt.guardian_name else None
    return PatientView(masked_name=mask_name(person.full_name if person else None),
                       birth_year=birth.year if birth else None, masked_number=masked, source=source,
                       age=age, gender=int(person.gender) if person else 3, returning=returning,
                       guardian=mask_name(guardian) if guardian and age is not None and age < CHILD_UNDER_AGE else "")


def enrich(identity: Identity, patient) -> Identity:
    """Fill what the read lacks (a typed number has no name) from the cached patient."""
    person = identity.person
    if person is None or not person.full_name:
        birth = None
        if patient.birth_date:
            try:
                birth = BirthDate.from_iso(patient.birth_date)
            except ValueError:
                birth = None
        person = Person(full_name=patient.full_name, birth_date=birth, gender=Gender(patient.gender),
                        address=patient.address)
    cccd = identity.cccd
    if cccd is None and patient.document("cccd"):
        cccd = CccdDocument(patient.document("cccd").number)
    bhyt = identity.bhyt
    if bhyt is None:
        doc = patient.document("bhyt") or patient.document("bhxh")
        if doc is not None:
            def d(text):
                return date.fromisoformat(text) if text else None
            code15 = doc.number if doc.kind == "bhyt" else None
            bhyt = BhytCard(code15=code15, bhxh_number10=None if code15 else doc.number,
                            valid_from=d(doc.valid_from), valid_to=d(doc.valid_to), ma_dkbd=doc.ma_dkbd,
                            benefit_level=doc.benefit_level)
    return dataclasses.replace(identity, person=person, cccd=cccd, bhyt=bhyt)
