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


def test_settings_build_hub_numbering_or_nothing(hub, tmp_path):
    assert hub_numbers(load(None, env={}, overrides={"data_dir": tmp_path})) is None
    numbers = hub_numbers(_cfg(hub, tmp_path))
    try:
        assert numbers.number(service="K05", letter="E", day="2026-11-20", ma_lk="L-1", priority=False) == "E001"
    finally:
        numbers.close()
    with pytest.raises(ValueError, match="ticket_format"):
        hub_numbers(_cfg(hub, tmp_path, ticket_format="{letter}{kiosk}{seq:03d}"))
