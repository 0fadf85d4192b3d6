"""Issue 14 minors 3, 4: the paper ticket speaks the patient's screen language and says the same
wait as the screen ("under 1 minute", never "about 0 minutes"); a desk-check or fee-paying
ticket says where to go first."""
from __future__ import annotations

import dataclasses

from kiosk.core import checkin as c
from kiosk.core.views import PriorityCategory, TicketView
from kiosk.devices.printer import layout_of

T = TicketView(1, "B1-U002", "K02", "Khám Nhi", "Paediatrics", "105", PriorityCategory.CHILD, 0,
               "KT1|79001|2026-11-20|B1-U002", "2026-11-20 08:30")


def test_vietnamese_ticket_with_the_screens_wait_words():
    lay = layout_of(T)
    assert lay.title == "SỐ THỨ TỰ" and lay.lines[:2] == ("Khám Nhi", "Mời ông/bà đến phòng 105")
    assert "Thời gian chờ dự kiến: dưới 1 phút" in lay.lines and not any("0 phút" in x for x in lay.lines)
    assert lay.priority_label == "ƯU TIÊN · Trẻ em dưới 6 tuổi"


def test_english_ticket_after_the_patient_switched_to_english():
    lay = layout_of(dataclasses.replace(T, language="en", expected_wait_minutes=18))
    assert lay.title == "QUEUE NUMBER" and lay.lines[:2] == ("Paediatrics", "Please go to room 105")
    assert "Expected wait: about 18 minutes" in lay.lines and lay.priority_label == "PRIORITY · Child under 6"


def test_desk_check_and_fee_paying_tickets_say_where_to_go_first():
    assert any("quầy" in x for x in layout_of(dataclasses.replace(T, desk_check=True)).lines)
    assert any("Fee-paying" in x for x in layout_of(dataclasses.replace(T, fee_paying=True, language="en")).lines)


def test_the_service_choice_carries_the_screen_language_to_the_ticket():
    from tests.core.core_helpers import CFG, run
    s, _ = run([c.ConfirmYes()], c.Confirm(1, __import__("tests.core.core_helpers", fromlist=["patient"]).patient(),
                                            __import__("tests.core.core_helpers", fromlist=["VALID"]).VALID))
    _, eff = run([c.ServiceChosen(s.services[0].code, "en")], s, CFG)
    assert eff[0].language == "en"
