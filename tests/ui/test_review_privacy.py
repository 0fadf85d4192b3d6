"""Review checks: after the reset to idle the service screen keeps nothing of the last patient
(offered/chosen priority, follow-up appointment), and a problem screen does not say its title twice."""
from __future__ import annotations

import pytest

from kiosk.core import checkin as c
from kiosk.core import messages as msg
from kiosk.settings_map import machine_config
from kiosk.core.views import (
    EligibilityView, FollowUpView, InsuranceStatus, PatientView, PriorityCategory, ProblemKind, ReadSource,
)
from kiosk.ui.i18n import Translations
from kiosk.ui.sizes import Metrics
from kiosk.ui.patient.error import without_title
from kiosk.ui.patient.window import PatientWindow
from kiosk.ui.qt import QAbstractButton, QLabel

pytestmark = pytest.mark.ui

PV = PatientView("TRẦN T** B", 1995, "*** *** 5678", ReadSource.QR, age=31, gender=2, returning=True)
EL = EligibilityView(InsuranceStatus.VALID, msg.CHECKING)


@pytest.fixture
def window(qapp, qtbot):
    tr = Translations(qapp)
    w = PatientWindow(lambda e: None, tr, Metrics(96.0), facility_name="Bệnh viện Đa khoa Mẫu")
    w.resize(1080, 1920)
    w.show()
    qtbot.addWidget(w)
    yield w
    tr.uninstall()


def _texts(widget):
    return [lab.text() for lab in widget.findChildren(QLabel)] + \
           [b.text() for b in widget.findChildren(QAbstractButton)]


def test_service_screen_forgets_priority_and_follow_up_after_reset(window, ui_config):
    services = machine_config(ui_config).services
    fu = FollowUpView(services[1].code, "2026-11-20")
    state = c.ChooseService(1, PV, EL, services, (PriorityCategory.PREGNANT, PriorityCategory.DISABILITY),
                            PriorityCategory.PREGNANT, fu)
    window.show_now(c.Confirm(1, PV, EL, fu))
    window.show_now(state)
    svc = window.screens["service"]
    pregnant = svc.priority_buttons[PriorityCategory.PREGNANT]
    assert pregnant.isVisible() and pregnant.isChecked()
    assert any("Tái khám" in t for t in _texts(svc))

    window.show_now(c.Idle())                        # the session ended: reset of the public screen

    texts = " ".join(_texts(svc))
    assert "Tái khám" not in texts and "20/11/2026" not in texts and "Phụ nữ có thai" not in texts
    assert not any(b.isChecked() for b in svc.priority_buttons.values())
    assert not any(b.isVisibleTo(svc) for b in svc.priority_buttons.values())

    # the next patient (no priorities, no follow-up) sees the services again, none of the above
    window.show_now(c.ChooseService(2, PV, EL, services, (), None, None))
    assert all(svc.service_buttons[s.code].isVisible() for s in services)
    assert all(svc.service_buttons[s.code].text() for s in services)
    assert not any(b.isVisibleTo(svc) for b in svc.priority_buttons.values())
    assert "Tái khám" not in " ".join(_texts(svc))


def test_problem_detail_does_not_repeat_the_title(window, qtbot):
    window.show_now(c.Problem(1, ProblemKind.REJECTED, msg.CHIP_REJECTED, retry=False))
    err = window.screens["error"]
    assert err.title.text() == "Không xác thực được thẻ"
    assert err.detail.text() == "Mời ông/bà đến quầy tiếp đón."
    window.set_language("en")
    qtbot.waitUntil(lambda: err.title.text() == "The card could not be verified")
    assert err.detail.text() == "Please go to the reception desk."


@pytest.mark.parametrize("title, detail, shown", [
    ("Thẻ đã bị nhấc ra", "Thẻ đã bị nhấc ra. Vui lòng đặt lại thẻ.", "Vui lòng đặt lại thẻ."),
    ("Chưa đọc được giấy tờ", "Không đọc được mã. Vui lòng thử lại.", "Không đọc được mã. Vui lòng thử lại."),
    ("Thẻ BHYT", "Thẻ BHYT đã hết hạn sử dụng.", "Thẻ BHYT đã hết hạn sử dụng."),   # one sentence: kept
])
def test_without_title(title, detail, shown):
    assert without_title(title, detail) == shown


def test_card_away_does_not_still_say_keep_it_still(window):
    window.show_now(c.Reading(1, ReadSource.CHIP, "DG2", 4, 8))
    reading = window.screens["reading"]
    assert reading.hint.isVisible() and not reading.away.isVisible()
    window.show_now(c.Reading(1, ReadSource.CHIP, "DG2", 4, 8, card_removed=True))
    assert reading.away.isVisible() and "nhấc ra" in reading.away.text()
    assert not reading.hint.isVisible()
