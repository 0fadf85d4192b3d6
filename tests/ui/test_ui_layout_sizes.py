"""Issue 14 / QA M3, M4: every patient screen (errors included) at every common kiosk resolution,
landscape and portrait, Vietnamese and English, normal and large text: no text needs more room than
its widget has, no button's text is wider than the button, no two texts overlap, nothing lies outside
the window. Long real service names and rooms wrap, the room stays visible.

Set PATIENT_SCREENSHOTS_DIR to also write each screen as <dir>/<W>x<H>/<lang>-<text>-<nn>-<state>.png
(`docs/screenshots/patient/` is made this way: see scripts/patient_sizes.sh)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.core import checkin as c
from kiosk.core import messages as msg
from kiosk.settings_map import machine_config
from kiosk.core.views import (
    EligibilityView, FollowUpView, InsuranceStatus, Message, PatientView, PrinterFaultKind,
    PriorityCategory, ProblemKind, ReadSource, ServiceOption, TicketView,
)
from kiosk.ui.demo.capture import settle
from kiosk.ui.i18n import Translations
from kiosk.ui.patient.window import PatientWindow
from kiosk.ui.qt import QAbstractButton, QLabel, QRect
from kiosk.ui.sizes import Metrics

pytestmark = pytest.mark.ui

SAVED = {("vi", False), ("en", True)}       # the screenshots kept in docs: Vietnamese, English large text
SIZES = [(1024, 768), (1280, 720), (1366, 768), (1920, 1080), (768, 1366), (1080, 1920)]
LONG = ServiceOption("K09", "Khám Tai Mũi Họng và Phẫu thuật Đầu Mặt Cổ (chuyên khoa sâu)",
                     "Ear, nose and throat, and head and neck surgery (specialist clinic)",
                     "301B - Tầng 3, Nhà B", "T", 8)
PV = PatientView("NGUYỄN V** A", 1948, "*** *** 1234", ReadSource.CHIP, age=78, gender=1, returning=True)
BHYT_PV = PatientView("TRẦN T** B", 1990, "** * ** ****** 0707", ReadSource.QR, age=36, gender=2)
FIRST_PV = PatientView("", 1985, "*** *** 0001", ReadSource.TYPED, unconfirmed=True)       # M7: not known here
CHILD_PV = PatientView("LÊ M** A", 2022, "** * ** ****** 0303", ReadSource.QR, age=4, gender=2,
                       guardian="LÊ T** M")                                               # minor 6
FIRST = EligibilityView(InsuranceStatus.NEEDS_DESK, msg.IDENTITY_TO_CONFIRM)
PROV = EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL)
DESK = EligibilityView(InsuranceStatus.NEEDS_DESK, Message(
    "desk_010", "Thẻ BHYT đã hết hạn. Mời ông/bà đến quầy tiếp đón.",
    "The insurance card has expired. Please go to the reception desk."), result_code="010")
NO_CARD = EligibilityView(InsuranceStatus.NO_CARD, Message("no_card", "Không có thẻ BHYT: khám dịch vụ (tự trả phí).",
                                                           "No insurance card: fee-paying visit."), result_code="050")
TICKET = TicketView(1, "T1-U023", "K09", LONG.name_vi, LONG.name_en, LONG.room, PriorityCategory.ELDERLY, 18,
                    "KT1|79001|2026-11-20|T1-U023|790011-261120083000-0023", "2026-11-20 08:30", provisional=True)
DESK_TICKET = TicketView(2, "A1-024", "K01", "Khám Nội tổng quát", "General internal medicine", "101", None, 6,
                         "KT1|79001|2026-11-20|A1-024|790011-261120083000-0024", "2026-11-20 08:31",
                         fee_paying=True)
FIRST_TICKET = TicketView(3, "A1-U025", "K02", "Khám Nhi", "Paediatrics", "105", PriorityCategory.CHILD, 6,
                          "KT1|79001|2026-11-20|A1-U025|790011-261120083000-0025", "2026-11-20 08:32",
                          desk_check=True, identity_check=True, child=True)


def states(services):
    fu = FollowUpView("K02", "2026-11-20")
    prios = (PriorityCategory.ELDERLY, PriorityCategory.PREGNANT, PriorityCategory.DISABILITY, PriorityCategory.MERIT)
    return [
        c.Idle(), c.Reading(1, ReadSource.CHIP, "DG13", 3, 7, card_removed=True),
        c.Reading(1, ReadSource.CHIP, needs_qr=True), c.Keypad(1, "CT4370700000707"),
        c.Confirm(1, PV, PROV, fu), c.Confirm(1, BHYT_PV, DESK), c.Confirm(1, PV, NO_CARD),
        c.Confirm(1, FIRST_PV, FIRST), c.Confirm(1, CHILD_PV, PROV),
        c.CheckingEligibility(1, PV),
        c.ChooseService(1, PV, PROV, services, prios, PriorityCategory.ELDERLY, fu),
        c.Issuing(1, "K01", None), c.Printing(1, TICKET), c.TicketShown(1, TICKET, printed=False),
        c.TicketShown(1, DESK_TICKET, printed=True), c.TicketShown(1, FIRST_TICKET, printed=True),
        c.PrinterFailed(1, TICKET, PrinterFaultKind.PAPER_OUT),
        c.Problem(1, ProblemKind.UNREADABLE, msg.SCAN_INCOMPLETE, retry=True),
        c.Problem(1, ProblemKind.UNSUPPORTED, msg.UNREADABLE, retry=True),
        c.Problem(1, ProblemKind.REJECTED, msg.CHIP_REJECTED, retry=False),
        c.Problem(1, ProblemKind.TIMEOUT, msg.READ_TIMEOUT, retry=True),
        c.Problem(1, ProblemKind.ALREADY_ISSUED, msg.already_issued("A1-007"), retry=False),
    ]


def _rect(w, window) -> QRect:
    return QRect(w.mapTo(window, w.rect().topLeft()), w.size())


def check_screen(window, state_name, lang, problems):
    screen = window.current_screen()
    widgets = []
    for lab in screen.findChildren(QLabel) + window.header.findChildren(QLabel):
        if not lab.isVisible() or not (lab.text() or lab.pixmap() is not None and not lab.pixmap().isNull()):
            continue
        widgets.append(lab)
        if not lab.text():
            continue
        need = lab.heightForWidth(lab.width()) if lab.wordWrap() else lab.sizeHint().height()
        if lab.height() + 2 < need or (not lab.wordWrap() and lab.width() + 2 < lab.sizeHint().width()):
            problems.append((lang, state_name, "clipped", lab.objectName() or lab.text()[:30], lab.size().toTuple(), need))
    for b in screen.findChildren(QAbstractButton) + window.header.findChildren(QAbstractButton):
        if not b.isVisible():
            continue
        widgets.append(b)
        if b.text() and b.sizeHint().width() > b.width() + 2 and "\n" not in b.text():
            problems.append((lang, state_name, "button text cut", b.objectName() or b.text()[:30],
                             b.size().toTuple(), b.sizeHint().width()))
    bounds = window.rect()
    rects = [(w, _rect(w, window)) for w in widgets]
    for w, r in rects:
        if not bounds.contains(r.adjusted(2, 2, -2, -2)):
            problems.append((lang, state_name, "outside the window", w.objectName() or w.text()[:30], r.getRect()))
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            inter = ra.intersected(rb)
            if inter.width() > 2 and inter.height() > 2:
                problems.append((lang, state_name, "overlap", a.objectName() or a.text()[:20],
                                 b.objectName() or b.text()[:20]))


LARGE_MIN = 1.25        # large text: every text at least this much bigger (minor 9) ...
HUGE_PX_MM = 15         # ... except texts already this tall (the ticket number): never smaller


def sizes_of(window) -> dict:
    """Font pixel size of every visible text and the size of every visible icon, by widget."""
    out = {}
    screen = window.current_screen()
    for w in screen.findChildren(QLabel) + window.header.findChildren(QLabel):
        if w.isVisible() and w.text():
            out[w] = ("text", w.font().pixelSize() or round(w.font().pointSizeF() * 96 / 72))
        elif w.isVisible() and w.pixmap() is not None and not w.pixmap().isNull():
            out[w] = ("icon", w.width())
    for b in screen.findChildren(QAbstractButton) + window.header.findChildren(QAbstractButton):
        if b.isVisible() and b.text():
            out[b] = ("text", b.font().pixelSize() or round(b.font().pointSizeF() * 96 / 72))
        if b.isVisible() and not b.icon().isNull():
            out[(b, "icon")] = ("icon", b.iconSize().width())
    return out


def not_enlarged(normal: dict, large: dict, state_name, lang, px_per_mm: float) -> list:
    problems = []
    for w, (kind, before) in normal.items():
        if w not in large:
            continue
        after = large[w][1]
        name = (w[0] if isinstance(w, tuple) else w).objectName() or (w[0] if isinstance(w, tuple) else w).text()[:25]
        if kind == "icon" and after < before and name != "TicketQr":   # a code for the scanner, not an icon
            problems.append((lang, state_name, "icon shrinks in large text", name, before, after))
        elif kind == "text" and before < HUGE_PX_MM * px_per_mm and after < before * LARGE_MIN:
            problems.append((lang, state_name, "text not enlarged", name, before, after))
        elif kind == "text" and after < before:
            problems.append((lang, state_name, "text shrinks in large text", name, before, after))
    return problems


@pytest.fixture
def window(qapp, qtbot):
    tr = Translations(qapp)
    w = PatientWindow(lambda e: None, tr, Metrics(96.0), facility_name="Bệnh viện Đa khoa Trung ương Mẫu")
    qtbot.addWidget(w)
    yield w
    tr.uninstall()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_screen_fits_every_size(qapp, window, ui_config, size):
    services = machine_config(ui_config).services + (LONG,)
    out = os.environ.get("PATIENT_SCREENSHOTS_DIR")
    folder = Path(out) / f"{size[0]}x{size[1]}" if out else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    window.show()
    problems = []
    normal_sizes: dict = {}
    for large in (False, True):
        window.apply_accessibility(large, False)
        for lang in ("vi", "en"):
            window.state = None
            window.set_language(lang)
            for n, state in enumerate(states(services)):
                window.show_now(state)
                settle(qapp)
                name = type(state).__name__
                check_screen(window, f"{n:02d}-{name}", f"{lang}/{'large' if large else 'normal'}", problems)
                # minor 9: large text enlarges every text (footer and hints too); no icon shrinks
                if not large:
                    normal_sizes[(lang, n)] = sizes_of(window)
                else:
                    problems += not_enlarged(normal_sizes[(lang, n)], sizes_of(window), f"{n:02d}-{name}", lang,
                                             96 / 25.4)       # the fixture's Metrics(96.0)
                if folder and (lang, large) in SAVED:
                    window.grab().save(str(folder / f"{lang}-{'large' if large else 'normal'}-{n:02d}-{name}.png"))
    assert not problems, sorted(set(p[2:] for p in problems))[:40]
