"""H3 through the whole check-in service: the real CheckinService (its thread pools, the resolver, the
issuing transaction, the printer) against a gateway that trickles every reply one byte a second.

Before the wall-clock deadlines, the card checks stuck in the service's pool and check-in 5 onwards got
no ticket. Now 20 patients in a row each get a ticket; each card check gives up at its deadline (plus a
small margin) and leaves the patient provisional, to be re-checked when the gateway answers again.
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hostile_gateway import LOOKUP_PATH, HostileGateway

from kiosk.checkin.build import build_checkin_service
from kiosk.config import load
from kiosk.core import checkin as c
from kiosk.core.views import InsuranceStatus
from kiosk.demo.people import by_key
from kiosk.gateway.client import GatewayClient

from tests.core.core_helpers import state_waiter

DEADLINE = 2.0          # eligibility_deadline: how long a patient waits for the card check
MARGIN = 1.5            # thread hand-offs, the resolver and the UI state on a loaded 2-core machine
CHECKINS = 20


@pytest.fixture
def trickling():
    gw = HostileGateway(mode="trickle", trickle_s=1.0)
    yield gw
    gw.close()


def test_twenty_checkins_in_a_row_get_tickets_against_a_trickling_gateway(tmp_path, store, signer, clock,
                                                                          trickling):
    client = GatewayClient(trickling.url, "79001_kiosk", "secret", "Cán bộ", "079080000001", connect_timeout=1.0,
                           read_timeout=30.0, facility_code="79001", lookup_endpoint=LOOKUP_PATH, allow_http=True)
    cfg = load(path=None, env={}, overrides={"data_dir": str(tmp_path / "data"), "facility_code": "79001",
                                             "facility_name": "Bệnh viện Thử", "printer": "sim",
                                             "eligibility_deadline": DEADLINE})
    svc = build_checkin_service(cfg, store, gateway_client=client, sign=signer.sign, clock=clock)
    wait = state_waiter(svc)
    qr = by_key("valid_bhyt").cccd_qr.encode("utf-8")
    waits, numbers = [], []
    try:
        for i in range(CHECKINS):
            started = time.monotonic()
            svc.post(c.QrScanned(qr))
            st = wait(lambda s: isinstance(s, c.Confirm) and s.eligibility.status is not InsuranceStatus.CHECKING,
                      timeout=DEADLINE + 20)
            waits.append(time.monotonic() - started)
            assert st.eligibility.status is InsuranceStatus.PROVISIONAL, (i, st.eligibility)
            svc.post(c.ConfirmYes())
            wait(lambda s: isinstance(s, c.ChooseService), timeout=20)
            svc.post(c.ServiceChosen("K01"))
            st = wait(lambda s: isinstance(s, (c.TicketShown, c.Problem)), timeout=20)
            assert isinstance(st, c.TicketShown), (i, st)
            assert st.ticket.provisional
            numbers.append(st.ticket.number)
            svc.post(c.Dismiss())
            wait(lambda s: isinstance(s, c.Idle), timeout=20)
            clock.advance(timedelta(days=1).total_seconds())    # the same synthetic patient, one visit a day
    finally:
        svc.close()
    assert len(numbers) == CHECKINS
    assert max(waits) <= DEADLINE + MARGIN, [round(w, 2) for w in waits]
    rows = store.conn.execute("SELECT status, count(*) FROM visits GROUP BY status").fetchall()
    assert [tuple(r) for r in rows] == [("provisional", CHECKINS)]
    assert trickling.state.seen_by("main"), "the card checks did reach the trickling gateway"
