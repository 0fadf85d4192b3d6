"""The hub desk's alerts (kiosk/facility/hub_alerts.py) against the real cluster: each one appears
when its cause is there and goes away when staff (or the hub worker, or the kiosk) deal with it,
and only roles that can act see them."""
from __future__ import annotations

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.desk.checkin import ManualCheckinForm
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import FACILITY, node


@pytest.fixture
def floor(hub, tmp_path, signer):
    add_accounts(hub)
    clock = FakeClock()
    kiosks = [node(tmp_path, k, hub, signer, clock) for k in ("1", "2")]
    svc = desk_services(hub, tmp_path, clock, signer, name="Q1")
    yield kiosks, svc
    svc.close()
    for k in kiosks:
        k.close()


def _keys(svc, user: str) -> dict[str, str]:
    s = svc.accounts.sign_in(user, PINS[user])
    return {a.key: a.text for a in svc.desk.alerts.alerts(s)}


def _admin(hub, sql: str, *args) -> None:
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute(sql, args)


def test_a_calm_floor_has_no_alerts_and_a_conflict_comes_and_goes(hub, floor):
    (k1, k2), svc = floor
    k1.checkin(crowd_person(900), "K01")
    k2.checkin(crowd_person(901), "K01")
    for k in (k1, k2):
        k.sync()
    assert _keys(svc, "le.tan") == {}
    for k in (k1, k2):                       # both cut off: the same patient gets two tickets
        k.set_reachable(False)
        k.checkin(crowd_person(902), "K01")
        k.set_reachable(True)
        k.sync()
    got = _keys(svc, "le.tan")
    assert set(got) == {"conflicts"} and got["conflicts"].startswith("1 cặp")
    assert _keys(svc, "bac.si") == {}        # a clinician cannot resolve it: not told
    s = svc.accounts.sign_in("le.tan", PINS["le.tan"])
    flagged = [r for r in svc.desk.visits.visits(s) if r.conflict]
    svc.desk.visits.resolve_conflict(s, flagged[0].ma_lk)
    assert "conflicts" not in _keys(svc, "le.tan")


def test_silent_kiosk_alert_until_it_syncs_again(hub, floor):
    (k1, k2), svc = floor
    k1.checkin(crowd_person(910), "K01")
    k2.checkin(crowd_person(911), "K01")
    for k in (k1, k2):
        k.sync()
    _admin(hub, "UPDATE hub_kiosks SET last_push_at = now() - interval '25 minutes', "
                "last_pull_at = now() - interval '25 minutes' WHERE kiosk_id = '2'")
    _admin(hub, "UPDATE hub_kiosks SET last_push_at = now() - interval '3 days', "
                "last_pull_at = now() - interval '3 days' WHERE kiosk_id = '1'")     # away for days: not nagged
    got = _keys(svc, "le.tan")
    assert set(got) == {"kiosk_silent"}
    assert "2 (25 phút/min)" in got["kiosk_silent"] and "1 (" not in got["kiosk_silent"]
    assert "kiosk_silent" in _keys(svc, "quan.tri") and _keys(svc, "bac.si") == {}
    k2.sync()                                # its pull tells the hub it is there
    assert "kiosk_silent" not in _keys(svc, "le.tan")


def test_dead_and_stale_uploads_hub_and_kiosk_owned(hub, floor, gateway):
    from kiosk.facility.worker import HubUploadWorker
    (k1, _), svc = floor
    k1.checkin(crowd_person(920), "K01")
    k1.sync()
    s = svc.accounts.sign_in("le.tan", PINS["le.tan"])
    svc.desk.checkin.check_in(s, ManualCheckinForm("Lê Thị Hoa", "05/06/1980", 2, "K01", cccd="079180002222",
                                                   check_card=False))
    got = _keys(svc, "le.tan")
    assert "provisional" in got and "hub_worker" in got     # a hub-owned XML0 waits, no worker connected
    assert "dead_letters" not in got and "gateway" not in got and "kiosk_uploads" not in got
    # the hub's item refused by the gateway, as the worker records it; the kiosk's waits 20 minutes
    _admin(hub, "UPDATE outbox SET state = 'dead', last_code = '051' WHERE owner = 'hub'")
    _admin(hub, "UPDATE outbox SET created_at = now() - interval '20 minutes' WHERE owner = 'kiosk:1'")
    got = _keys(svc, "le.tan")
    assert "1 hồ sơ bị cổng từ chối (máy chủ/hub 1)" in got["dead_letters"]
    assert "1 (1, 20 phút/min)" in got["kiosk_uploads"] and "hub_worker" not in got
    assert set(_keys(svc, "bac.si")) == set()
    item = next(r.item_id for r in svc.desk.queue.items(s, "dead"))
    svc.desk.queue.resend(s, item)
    _admin(hub, "UPDATE outbox SET handed_over_at = now() - interval '15 minutes' WHERE owner = 'hub'")
    got = _keys(svc, "le.tan")
    assert "dead_letters" not in got and "hub_worker" in got and "15 phút" in got["gateway"]
    with hub.connect("hub_worker") as conn:
        assert "hub_worker" not in _keys(svc, "le.tan")     # a worker is connected now
        assert HubUploadWorker(conn, gateway, FACILITY).run_once().acked == 1
    got = _keys(svc, "le.tan")
    assert "gateway" not in got and "hub_worker" not in got and "dead_letters" not in got
    # the kiosk's receipt reaches the hub with its next push: its waiting alert goes away
    item = k1.store.outbox.items("pending")[0]
    from kiosk.store.outbox import Receipt
    with k1.store.transaction():
        k1.store.outbox.ack(item.id, Receipt("MGD-1", None))
    k1.sync()
    assert "kiosk_uploads" not in _keys(svc, "le.tan")
