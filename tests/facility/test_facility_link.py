"""The kiosk app's facility link and numbering, built from settings (hub_dsn + key-store file)."""
from __future__ import annotations

import time

import pytest

from kiosk.config import load
from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility.wiring import facility_link, hub_numbers
from tests.facility.helpers import hub_rows, node


def _cfg(hub, tmp_path, **extra):
    c = hub.cluster
    overrides = {"data_dir": tmp_path / "kiosk1", "facility_code": "79001", "kiosk_id": "1",
                 "hub_dsn": f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user=hub_kiosk",
                 "hub_password_file": hub.secrets / "hub_kiosk.password", "hub_push_seconds": 0.2}
    overrides.update(extra)
    return load(None, env={}, overrides=overrides)


def test_link_pushes_in_the_background_and_survives_hub_loss(hub, tmp_path, signer):
    k = node(tmp_path, "1", hub, signer, FakeClock())
    k.set_reachable(False)
    for i in range(5):
        k.checkin(crowd_person(500 + i), "K01")
    key = k.key
    k.close()
    link = facility_link(_cfg(hub, tmp_path), key, FakeClock()).start()
    try:
        deadline = time.monotonic() + 20
        while hub_rows(hub, "SELECT count(*) FROM visits")[0][0] < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert hub_rows(hub, "SELECT count(*) FROM visits") == [(5,)]
        assert link.online
        hub.cluster.stop("immediate")
        try:
            deadline = time.monotonic() + 10
            while link.online and time.monotonic() < deadline:
                link.notify()
                time.sleep(0.1)
            assert not link.online
        finally:
            hub.cluster.start()
    finally:
        link.stop()


def test_link_listens_instead_of_polling(hub, tmp_path, signer):
    k = node(tmp_path, "1", hub, signer, FakeClock())
    key = k.key
    k.close()
    link = facility_link(_cfg(hub, tmp_path), key, FakeClock()).start()
    other = node(tmp_path, "2", hub, signer, FakeClock())
    try:
        deadline = time.monotonic() + 20
        while not link.online and time.monotonic() < deadline:
            time.sleep(0.05)
        assert link.online
        time.sleep(0.5)
        idle = link.rounds
        time.sleep(2.0)                          # hub_push_seconds is 0.2: a poller would run ~10 rounds
        assert link.rounds == idle
        other.checkin(crowd_person(777), "K01")  # another kiosk's patient: an event wakes the link
        assert other.sync()["pushed"] >= 1
        from kiosk.store.migrate import open_store
        deadline = time.monotonic() + 10
        found = None
        while found is None and time.monotonic() < deadline:
            time.sleep(0.2)
            store = open_store(tmp_path / "kiosk1", key, clock=FakeClock())
            try:
                found = store.patients.find_any(crowd_person(777).lookup_keys())
            finally:
                store.close()
        assert found is not None and link.hub_wakeups >= 1 and link.rounds > idle
    finally:
        link.stop()
        other.close()


def test_settings_build_hub_numbering_or_nothing(hub, tmp_path):
    assert hub_numbers(load(None, env={}, overrides={"data_dir": tmp_path})) is None
    closers: list = []
    numbers = hub_numbers(_cfg(hub, tmp_path), closers)
    assert closers == [numbers.close] and numbers.holds is not None       # hub_hold_seconds defaults to 20
    got = [numbers.number(service="K05", letter="E", day="2026-11-20", ma_lk=f"L-{i}", priority=False)
           for i in range(2)]
    assert got == ["E001", "E002"] and numbers.holds.holding() == {("2026-11-20", "K05"): 3}    # busy: E003 held
    for close in closers:           # what the app does when it stops: the held number is given back
        close()
    assert hub_rows(hub, "SELECT seq, kiosk_id FROM ticket_holds") == [(3, None)]
    with pytest.raises(ValueError, match="ticket_format"):
        hub_numbers(_cfg(hub, tmp_path, ticket_format="{letter}{kiosk}{seq:03d}"))


def test_a_busy_hub_wakes_a_kiosk_once_per_round_not_once_per_event(hub, tmp_path, signer):
    """60 events from another kiosk within ~2 s: the link UNLISTENs after the first wake-up and
    LISTENs again at its next round (hub_push_seconds 1.0), so it wakes a few times, yet still
    learns every patient (the round pulls from its cursor)."""
    k = node(tmp_path, "1", hub, signer, FakeClock())
    key = k.key
    k.close()
    link = facility_link(_cfg(hub, tmp_path, hub_push_seconds=1.0), key, FakeClock()).start()
    other = node(tmp_path, "2", hub, signer, FakeClock())
    try:
        deadline = time.monotonic() + 20
        while not link.online and time.monotonic() < deadline:
            time.sleep(0.05)
        assert link.online
        time.sleep(0.3)
        woke = link.hub_wakeups
        for i in range(30):
            other.checkin(crowd_person(800 + i), "K01")
            other.sync()                 # one hub transaction per check-in: one event each, or more
            time.sleep(0.06)
        time.sleep(2.5)
        events = hub_rows(hub, "SELECT count(*) FROM events")[0][0]
        assert events >= 30
        assert link.hub_wakeups - woke <= 6, (link.hub_wakeups - woke, events)
        from kiosk.store.migrate import open_store
        store = open_store(tmp_path / "kiosk1", key, clock=FakeClock())
        try:
            assert all(store.patients.find_any(crowd_person(800 + i).lookup_keys()) is not None for i in range(30))
        finally:
            store.close()
    finally:
        link.stop()
        other.close()
