"""Every screen, both orientations, both languages, normal and large text: no wrapped text is cut
off, no button is below 15 mm, and the ticket's on-screen QR decodes to the ticket payload."""
from __future__ import annotations

import numpy as np
import pytest
import zxingcpp

from kiosk.core import checkin as c
from kiosk.core import messages as msg
from kiosk.settings_map import machine_config
from kiosk.core.views import (
    EligibilityView, FollowUpView, InsuranceStatus, Message, PatientView, PrinterFaultKind,
    PriorityCategory, ProblemKind, ReadSource, TicketView,
)
from kiosk.ui.demo.capture import settle
from kiosk.ui.i18n import Translations
from kiosk.ui.sizes import Metrics
from kiosk.ui.patient.window import PatientWindow
from kiosk.ui.qt import QAbstractButton, QImage, QLabel

pytestmark = pytest.mark.ui

PV = PatientView("NGUYỄN V** A", 1948, "*** *** 1234", ReadSource.CHIP, age=78, gender=1, returning=True)
EL = EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL)
TICKET = TicketView(1, "A1-U023", "K01", "Khám Nội tổng quát", "General internal medicine", "101",
                    PriorityCategory.ELDERLY, 18, "KT1|79001|2026-11-20|A1-U023|790011-261120083000-0023",
                    "2026-11-20 08:30", provisional=True)


def states(services):
    fu = FollowUpView("K02", "2026-11-20")
    prios = (PriorityCategory.ELDERLY, PriorityCategory.PREGNANT, PriorityCategory.DISABILITY, PriorityCategory.MERIT)
    return [c.Idle(), c.Reading(1, ReadSource.CHIP, "DG13", 3, 7, card_removed=True),
            c.Reading(1, ReadSource.CHIP, needs_qr=True), c.Keypad(1, "079086001234"),
            c.Confirm(1, PV, EL, fu), c.CheckingEligibility(1, PV), c.ChooseService(1, PV, EL, services, prios,
                                                                                   PriorityCategory.ELDERLY, fu),
            c.Issuing(1, "K01", None), c.Printing(1, TICKET), c.TicketShown(1, TICKET, printed=False),
            c.PrinterFailed(1, TICKET, PrinterFaultKind.COVER_OPEN),
            c.Problem(1, ProblemKind.CARD_NEEDS_DESK, Message("desk_010", "Thẻ BHYT đã hết hạn sử dụng.",
                                                               "The insurance card has expired."), retry=False)]


@pytest.fixture
def window(qapp, qtbot):
    tr = Translations(qapp)
    w = PatientWindow(lambda e: None, tr, Metrics(96.0), facility_name="Bệnh viện Đa khoa Mẫu")
    qtbot.addWidget(w)
    yield w
    tr.uninstall()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_nothing_clipped_and_targets_big_enough(qapp, window, ui_config, size, large):
    services = machine_config(ui_config).services
    window.resize(*size)
    window.show()
    window.apply_accessibility(large, large)
    touch = window.ctx.metrics.touch
    problems = []
    for lang in ("vi", "en"):
        window.state = None
        window.set_language(lang)
        for state in states(services):
            window.show_now(state)
            settle(qapp)
            screen = window.current_screen()
            for lab in screen.findChildren(QLabel) + window.header.findChildren(QLabel):
                if not lab.isVisible() or not lab.text():
                    continue
                need = lab.heightForWidth(lab.width()) if lab.wordWrap() else lab.sizeHint().height()
                if lab.height() + 2 < need or (not lab.wordWrap() and lab.width() + 2 < lab.sizeHint().width()):
                    problems.append((lang, type(state).__name__, lab.objectName() or lab.text()[:30],
                                     lab.size().toTuple(), need))
            for b in screen.findChildren(QAbstractButton) + window.header.findChildren(QAbstractButton):
                if b.isVisible() and min(b.width(), b.height()) < touch:
                    problems.append((lang, type(state).__name__, b.objectName() or b.text(), b.size().toTuple()))
    assert not problems, problems


def test_ticket_qr_on_screen_decodes_to_the_payload(qapp, window):
    window.resize(1080, 1920)
    window.show()
    window.render(c.TicketShown(1, TICKET, printed=True))
    settle(qapp)
    image = window.screens["ticket"].qr.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    arr = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    found = zxingcpp.read_barcodes(np.ascontiguousarray(arr[:, :image.width()]))
    assert [r.text for r in found] == [TICKET.qr_payload]


def test_card_first_asks_for_the_qr_on_the_card(qapp, window):
    """A card laid before any QR: the chip needs its key, so the screen asks for the card's QR."""
    window.resize(1080, 1920)
    window.show()
    for lang, expected in (("vi", "Xin quét mã QR ở mặt trước thẻ căn cước"),
                           ("en", "Please scan the QR code on the front of your ID card")):
        window.state = None
        window.set_language(lang)
        window.show_now(c.Reading(1, ReadSource.CHIP, needs_qr=True))
        settle(qapp)
        texts = [lab.text() for lab in window.current_screen().findChildren(QLabel) if lab.isVisible()]
        assert expected in texts, texts
