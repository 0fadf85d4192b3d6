"""A streaming standby promoted while kiosks work: libpq multi-host with
target_session_attrs=read-write finds the new primary; nothing lost, nothing duplicated."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.facility import schema
from kiosk.facility.cluster import PrivateCluster
from kiosk.facility.node import KioskNode, NodeSettings, default_services
from kiosk.facility.numbering import is_hub_number as hub_shaped


@pytest.mark.parametrize("hold", [0.0, 20.0], ids=["allocate", "held"])
def test_standby_promoted_while_kiosks_work(signer, hold):
    """With held numbers (hub migration 0010) the kiosks' numbers interleave out of order; unique
    either way, and without holds the series goes on exactly where it stopped."""
    base = Path(tempfile.mkdtemp(prefix="kiosk-test-failover-"))
    primary = PrivateCluster(base / "primary").init().start()
    standby = None
    nodes = []
    try:
        schema.create_database(primary.dsn(), "hub")
        schema.init(primary.dsn(dbname="hub"), base / "secrets")
        standby = primary.make_standby(base / "standby")
        pw = (base / "secrets" / "hub_kiosk.password").read_text().strip()
        dsn = (f"host={primary.socket_dir},{standby.socket_dir} port={primary.port},{standby.port} "
               f"dbname=hub user=hub_kiosk password={pw} target_session_attrs=read-write")
        clock = FakeClock()
        nodes = [KioskNode(base / f"k{i}", NodeSettings("79001", str(i), default_services()), signer.sign, clock, dsn,
                           retry_after=0.0, hub_timeout=2.0, hold_seconds=hold) for i in (1, 2, 3)]
        issued = []
        for i in range(12):
            issued.append(nodes[i % 3].checkin(crowd_person(700 + i), "K01").number)
            nodes[i % 3].sync()
        if hold:
            assert all(hub_shaped(n) for n in issued) and sum(n.numbers.claimed_count for n in nodes) > 0
            assert max(int(n[1:]) for n in issued) <= 12 + 3          # at most one number held per kiosk
        else:
            assert issued == [f"A{n:03d}" for n in range(1, 13)]
        primary.stop("immediate")                  # the primary dies mid-day
        issued.append(nodes[0].checkin(crowd_person(800), "K01").number)   # no primary: kiosk series
        # no primary: the kiosk series; with a number held, that number (made durable when held)
        assert issued[-1] == "A1-005" or (hold and hub_shaped(issued[-1]))
        standby.promote()
        for i in range(9):
            issued.append(nodes[i % 3].checkin(crowd_person(900 + i), "K01").number)
        for n in nodes:
            n.sync()
        if hold:
            assert all(hub_shaped(n) for n in issued[13:])
        else:
            assert issued[13:] == [f"A{n:03d}" for n in range(13, 22)]   # the series went on where it stopped
        assert len(set(issued)) == len(issued)
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is False
            rows = conn.execute("SELECT count(*), count(DISTINCT ticket_number) FROM visits").fetchone()
        assert rows == (22, 22)
    finally:
        for n in nodes:
            n.close()
        for c in (standby, primary):
            if c is not None:
                try:
                    c.stop("immediate")
                except Exception:
                    pass
        shutil.rmtree(base, ignore_errors=True)
