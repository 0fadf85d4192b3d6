"""Issue 14 M7 at the desk: a nameless first visit (a number typed on the kiosk keypad) is listed
under "Needs desk" with the typed number; reception completes it from the card and the held
check-in record (XML0 requires HO_TEN) is signed and queued then, never before."""
from __future__ import annotations

import pytest
from lxml import etree

from kiosk.core.status import VisitStatus
from kiosk.demo.people import by_key
from kiosk.desk.checkin import ManualCheckinError
from kiosk.desk.context import DeskError
from kiosk.desk.visits import UNCONFIRMED_NAME, VisitFilter

from tests.desk.conftest import nameless_visit

pytestmark = pytest.mark.integration


def test_nameless_visit_is_listed_and_confirmed_once_with_the_held_checkin(desk_env):
    env = desk_env
    person = by_key("valid_bhyt")
    typed = person.identity.cccd.number
    visit_id = nameless_visit(env, typed)
    [row] = env.desk.visits.visits(env.s["le.tan"], VisitFilter.NEEDS_DESK)
    assert row.visit_id == visit_id and row.full_name == UNCONFIRMED_NAME
    assert typed in row.reason and "identity to confirm" in row.reason      # reception never retypes it
    assert env.desk.visits.detail(env.s["le.tan"], visit_id).uploads == ()   # XML0 held
    ma_lk = env.store.visits.get(visit_id).ma_lk
    assert env.store.outbox.find("checkin", ma_lk) is None
    # the typed CCCD's century/gender digits must agree with what staff read off the card
    with pytest.raises(ManualCheckinError, match="gender digit disagrees"):
        env.desk.identity.confirm(env.s["le.tan"], visit_id, person.identity.full_name, "1985-05-05", 2)
    assert env.store.patients.get(env.store.visits.get(visit_id).patient_id).full_name is None   # nothing written
    # a clinician may not do it
    with pytest.raises(Exception):
        env.desk.identity.confirm(env.s["bac.si"], visit_id, person.identity.full_name, "1985-05-05", 1)
    done = env.desk.identity.confirm(env.s["le.tan"], visit_id, person.identity.full_name,
                                     person.identity.birth_date.iso(), int(person.identity.person.gender))
    assert done.gateway_code == "000" and done.status is VisitStatus.WAITING   # the card checked right away
    item = env.store.outbox.find("checkin", ma_lk)
    assert item is not None and item.state.value == "pending"
    xml = etree.fromstring(item.payload)
    assert xml.findtext(".//HO_TEN") == person.identity.full_name and xml.findtext(".//SO_CCCD") == typed
    assert xml.findtext(".//NGAY_SINH").startswith(person.identity.birth_date.iso().replace("-", ""))
    assert env.store.visits.get(visit_id).needs_desk_reason != row.reason
    actions = [r[0] for r in env.store.conn.execute("SELECT action FROM audit_log")]
    assert "desk.identity_confirm" in actions
    with pytest.raises(DeskError, match="already confirmed"):
        env.desk.identity.confirm(env.s["le.tan"], visit_id, "X Y", "1985", 1)


def test_signed_checkin_refuses_a_nameless_patient(desk_env):
    from kiosk.desk.queue import signed_checkin
    env = desk_env
    visit_id = nameless_visit(env, "079085000001")
    visit = env.store.visits.get(visit_id)
    with pytest.raises(DeskError, match="full_name"):
        signed_checkin(env.ctx, visit, env.store.patients.get(visit.patient_id))
