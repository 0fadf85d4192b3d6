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
from kiosk.core.ports import AlreadyIssued, IssueError, IssueRequest, PrinterFault, Resolution
from kiosk.core.views import InsuranceStatus, PatientView, PriorityCategory, ReadSource, TicketView
from kiosk.identity import IdentityError, parse
from kiosk.identity.cccd import check_cccd_number, check_consistency
from kiosk.identity.mask import mask_name, mask_number
from kiosk.identity.model import BirthDate, Gender, Identity, Kind, Person, Source
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.context import DeskError, DeskPart
from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer


FIELD_WORDS = {"full_name": "Họ và tên / full name", "birth_date": "Ngày sinh / birth date",
               "gender": "Giới tính / sex", "cccd": "Số CCCD / citizen ID", "card": "Mã thẻ BHYT / insurance card",
               "service": "Dịch vụ / service"}
# what the identity checks say, in Vietnamese first (their English detail follows)
DETAIL_VI = {"gender digit disagrees": "chữ số giới tính trong số CCCD không khớp với giới tính đã chọn",
             "century/year digits disagree": "chữ số năm sinh trong số CCCD không khớp với ngày sinh",
             "province": "mã tỉnh trong số không tồn tại", "not a date": "ngày không hợp lệ (dd/mm/yyyy hoặc yyyy)",
             "in the future": "ngày sinh ở tương lai", "required": "chưa nhập",
             "not a 12-digit": "không phải số CCCD 12 chữ số", "choose": "chưa chọn",
             "not a BHYT code": "không phải mã thẻ BHYT (15 ký tự) hoặc mã số BHXH (10 số)",
             "type a CCCD number": "cần nhập số CCCD hoặc mã thẻ BHYT"}


class ManualCheckinError(DeskError):
    """A typed field that fails its check; `field` names it (the value is never in the message). The
    message names the field and the problem in Vietnamese, then in English."""

    def __init__(self, field: str, message: str):
        vi = next((v for k, v in DETAIL_VI.items() if k in message), "không hợp lệ, vui lòng kiểm tra lại")
        super().__init__(f"{FIELD_WORDS.get(field, field)}: {vi} / {message}")
        self.field = field
        self.detail = message


@dataclass(frozen=True)
class ManualCheckinResult:
    """The ticket of a manual check-in, what the gateway said about the card, and whether it printed.
    Reads like the TicketView (`number`, `room`, `ticket_id`, `provisional` ...)."""
    ticket: TicketView
    gateway_code: str | None          # the gateway's answer ("000", "010" ...); None: not asked / no answer
    card_words: str                   # that answer for staff: "010: card expired: ..."
    printed: bool
    print_fault: str | None = None    # "paper_out" ... when the ticket did not print

    def __getattr__(self, name):
        return getattr(self.ticket, name)


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
    born = birth.as_date()
    if born and born > today:
        raise ManualCheckinError("birth_date", "in the future")
    if form.gender not in (1, 2, 3):
        raise ManualCheckinError("gender", "choose male, female or unknown (no default is assumed)")
    gender = Gender(form.gender)
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
    def check_in(self, session, form: ManualCheckinForm, deadline_s: float = 10.0) -> ManualCheckinResult:
        ctx = self.ctx
        st = ctx.settings
        st.service(form.service_code)
        now = ctx.clock.now()
        today = now.astimezone(VN_TZ).date()
        identity = build_identity(form, today)
        person = identity.person
        assert person is not None and person.birth_date is not None  # build_identity sets both
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
        printed, fault = self._print(ticket)
        from kiosk.desk.visits import code_words
        words = ""
        if result is not None:
            words = code_words(result.code)
        elif form.check_card and number:
            words = code_words(None)
        return ManualCheckinResult(ticket, result.code if result else None, words, printed, fault)

    def _print(self, ticket: TicketView) -> tuple[bool, str | None]:
        """Print the ticket as the kiosk would; a printer fault is recorded (the alerts show it), not raised."""
        printer = self.ctx.printer
        if printer is None:
            return False, "no_printer"
        try:
            printer.print_ticket(ticket, self.ctx.settings.facility_name)
        except PrinterFault as exc:
            with self.ctx.store.transaction():
                self.ctx.store.tickets.mark_print_failed(ticket.ticket_id)
                self.ctx.audit.append("desk", None, "ticket.print_failed", f"ticket:{ticket.ticket_id}",
                                      {"fault": exc.kind.value})
            return False, exc.kind.value
        with self.ctx.store.transaction():   # printed: never offered again as "issued but not printed"
            self.ctx.store.tickets.mark_printed(ticket.ticket_id)
        return True, None
