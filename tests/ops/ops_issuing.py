"""Real check-ins for the ops tests: the core's StoreTicketIssuer on a real store (synthetic people)."""
from __future__ import annotations

from datetime import date

from kiosk.config import DEFAULT_SERVICES
from kiosk.core.ports import IssueRequest, Resolution
from kiosk.core.views import EligibilityView, InsuranceStatus, Message, ReadSource, ServiceOption
from kiosk.gateway.results import CardCheckResult, code_info
from kiosk.demo.people import DEMO_PEOPLE
from kiosk.checkin.resolver import patient_view
from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer

SERVICES = tuple(ServiceOption(code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"], room=s["room"],
                               ticket_letter=s["ticket_letter"], minutes_per_patient=s["minutes_per_patient"])
                 for s in DEFAULT_SERVICES)
SETTINGS = IssuingSettings(facility_code="79001", kiosk_id="1", services=SERVICES)
VALID = EligibilityView(InsuranceStatus.VALID, Message("valid", "Thẻ BHYT hợp lệ.", "Insurance card valid."))


def issuer(store, signer, clock) -> StoreTicketIssuer:
    return StoreTicketIssuer(store, SETTINGS, signer.sign, clock)


def people() -> list:
    """Demo citizens whose identity issues a ticket (synthetic)."""
    return [p for p in DEMO_PEOPLE if getattr(p, "identity", None) is not None]


def request(person, service: str = "K01") -> IssueRequest:
    ident = person.identity
    view = patient_view(ident, ReadSource.QR, date(2026, 11, 20), returning=False)
    card = ident.bhyt.code15 if ident.bhyt is not None else None
    if not card:   # no card: no card check answer, the visit goes on as a service patient
        return IssueRequest(Resolution(view, ident), service, None, False, None, None)
    i = code_info("000")
    answer = CardCheckResult(i.verdict, "000", i.message_vi, i.message_en, i.staff_detail, desk_flag=i.desk_flag,
                             alert=i.alert, card_number=card, valid_from="01/01/2026",
                             valid_to="31/12/2030", ma_dkbd=ident.bhyt.ma_dkbd or "01001")
    return IssueRequest(Resolution(view, ident), service, None, False, VALID, answer)
