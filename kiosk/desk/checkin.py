"""Manual check-in at the desk for a patient who cannot use the kiosk.

The typed numbers go through the same identity checks as the kiosk's keypad
(`kiosk.identity.parse`: CCCD structure and province, BHYT code group/benefit/province, BHXH
number), and the CCCD number's century/gender digits are checked against the typed birth date and
gender. The ticket is then issued by the kiosk's own issuing transaction (visit, ticket, signed
XML0, audit) with the staff member's audit entry joined to it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kiosk.core.idmethods import DESK_MANUAL
from kiosk.core import eligibility as elig
from kiosk.core.clock import VN_TZ
from kiosk.core.ports import AlreadyIssued, IssueError, IssueRequest, Resolution
from kiosk.core.views import InsuranceStatus, PatientView, PriorityCategory, ReadSource, TicketView
from kiosk.identity import IdentityError, parse
from kiosk.identity.cccd import check_cccd_number, check_consistency
from kiosk.identity.mask import mask_name, mask_number
from kiosk.identity.model import BirthDate, Gender, Identity, Kind, Person, Source
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.context import DeskError, DeskPart
from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer


class ManualCheckinError(DeskError):
    """A typed field that fails its check; `field` names it (the value is never in the message)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class ManualCheckinForm:
    full_name: str
    birth_date: str                  # dd/mm/yyyy, yyyy-mm-dd or yyyy
    gender: int                      # 1 male, 2 female, 3 unknown
    service_code: str
    cccd: str = ""
    card: str = ""                   # BHYT 15-char code or 10-digit BHXH number
    address: str = ""
    priority: PriorityCategory | None = None
    check_card: bool = True          # ask the gateway now (else provisional)


def parse_birth(text: str) -> BirthDate:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return BirthDate(int(text))
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:
            return BirthDate(int(m[3]), int(m[2]), int(m[1]))
        return BirthDate.from_iso(text)
    except ValueError:
        raise ManualCheckinError("birth_date", "not a date (dd/mm/yyyy or yyyy)") from None


def build_identity(form: ManualCheckinForm, today: dt.date) -> Identity:
    name = " ".join(form.full_name.split()).upper()
    if len(name) < 2:
        raise ManualCheckinError("full_name", "the full name is required")
    birth = parse_birth(form.birth_date)
    if birth.as_date() and birth.as_date() > today:
        raise ManualCheckinError("birth_date", "in the future")
    gender = Gender(form.gender if form.gender in (1, 2, 3) else 3)
    cccd_doc = card = None
    if form.cccd.strip():
        try:
            typed = parse(form.cccd.strip(), today=today)
        except IdentityError as exc:
            raise ManualCheckinError("cccd", exc.detail) from None
        if typed.kind is not Kind.TYPED_CCCD or typed.cccd is None:
            raise ManualCheckinError("cccd", "not a 12-digit CCCD number")
        try:
            check_consistency(check_cccd_number(typed.cccd.number, today), birth, gender)
        except IdentityError as exc:
            raise ManualCheckinError("cccd", exc.detail) from None
        cccd_doc = typed.cccd
    if form.card.strip():
        try:
            typed = parse(form.card.strip(), today=today)
        except IdentityError as exc:
            raise ManualCheckinError("card", exc.detail) from None
        if typed.kind not in (Kind.TYPED_BHYT, Kind.TYPED_BHXH) or typed.bhyt is None:
            raise ManualCheckinError("card", "not a BHYT code (15 characters) or BHXH number (10 digits)")
        card = typed.bhyt
    if cccd_doc is None and card is None:
        raise ManualCheckinError("cccd", "type a CCCD number or an insurance card number")
    person = Person(name, birth, gender, form.address.strip() or None)
    kind = Kind.TYPED_CCCD if cccd_doc else (Kind.TYPED_BHYT if card and card.code15 else Kind.TYPED_BHXH)
    return Identity(person, cccd=cccd_doc, bhyt=card, source=Source.TYPED, kind=kind)


class ManualCheckin(DeskPart):
    @requires(P.MANUAL_CHECKIN)
    def check_in(self, session, form: ManualCheckinForm, deadline_s: float = 10.0) -> TicketView:
        ctx = self.ctx
        st = ctx.settings
        st.service(form.service_code)
        now = ctx.clock.now()
        today = now.astimezone(VN_TZ).date()
        identity = build_identity(form, today)
        person = identity.person
        number = (identity.bhyt.card_number if identity.bhyt else None) or (
            identity.cccd.number if identity.cccd else "")
        result = None
        if form.check_card and ctx.gateway is not None and number:
            birth = person.birth_date.as_date() or str(person.birth_date.year)
            result = ctx.gateway.check_card(number, person.full_name, birth, deadline=deadline_s)
        if result is not None:
            view = elig.view_of(result.card_answer())
        elif identity.bhyt is not None or identity.cccd is not None:
            view = elig.provisional()
        else:
            view = elig.no_card()
        provisional = view.status is InsuranceStatus.PROVISIONAL
        pv = PatientView(mask_name(person.full_name), person.birth_date.year,
                         mask_number(number), ReadSource.TYPED, age=person.birth_date.age_on(today),
                         gender=int(person.gender))
        request = IssueRequest(Resolution(pv, identity), form.service_code, form.priority, provisional, view, result,
                               id_method=DESK_MANUAL)
        settings = IssuingSettings(st.facility_code, st.kiosk_id, st.services, st.ticket_format, st.ma_doituong_kcb)
        issuer = StoreTicketIssuer(ctx.store, settings, ctx.sign, ctx.clock, audit=ctx.audit)
        try:
            with ctx.store.transaction():
                ticket = issuer.issue(request)
                visit_id = ctx.store.tickets.get(ticket.ticket_id).visit_id
                ctx.record(session, "desk.manual_checkin", f"visit:{visit_id}",
                           {"ticket_id": ticket.ticket_id, "service": form.service_code,
                            "gateway_code": result.code if result else None, "provisional": provisional})
        except AlreadyIssued as exc:
            raise DeskError(f"the patient already holds ticket {exc.number or ''} for this service today") from None
        except IssueError as exc:
            raise DeskError(f"the ticket could not be issued ({exc})") from None
        return ticket
