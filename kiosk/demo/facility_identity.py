"""`kiosk demo --facility --headless`: a first visit by a number typed on a kiosk keypad, confirmed at
a hub desk (issue 14 M7 on the facility hub).

A synthetic person the kiosk has never seen types their CCCD: the kiosk issues a ticket, the visit
reaches the hub `needs_desk` with a nameless patient and no check-in record (XML0) anywhere. A hub
desk (a facility reception account, the real HubStaffServices) reads "the card" and confirms the
identity: one signed XML0 is queued owner 'hub', the card is checked, the hub worker uploads it.
The kiosk pulls the confirmation and parks that XML0 as handed over; the summary counts what the
gateway simulator received for the MA_LK (1: nothing uploaded twice). No name leaves this module.
"""
from __future__ import annotations

import secrets
from pathlib import Path

DESK_USER = "le.tan.demo"


def first_visit_at_hub(admin_dsn: str, desk_dsn: str, node, sign, client, sim, facility: str, tmp: Path) -> dict:
    import psycopg

    from kiosk.checkin.resolver import StoreIdentityResolver
    from kiosk.config import load
    from kiosk.core.ports import IssueRequest
    from kiosk.core.views import ReadSource
    from kiosk.demo.people import by_key
    from kiosk.desk.visits import VisitFilter
    from kiosk.facility.hub_staff import add_staff
    from kiosk.facility.status import wait_uploads
    from kiosk.staff import HubStaffServices

    person = by_key("valid_bhyt").identity               # known to the demo simulator, new to the kiosk
    assert person.cccd is not None and person.person is not None and person.birth_date is not None
    res = StoreIdentityResolver(node.store, node.clock).resolve(ReadSource.TYPED, person.cccd.number)
    ticket = node.issuer.issue(IssueRequest(res, "K01", None, False, res.cached_eligibility, None))
    ma_lk = node.store.visits.get(node.store.tickets.get(ticket.ticket_id).visit_id).ma_lk
    held = node.store.outbox.find("checkin", ma_lk) is None
    node.sync()
    pin = f"{secrets.randbelow(900000) + 100000}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        add_staff(conn, DESK_USER, "Lễ tân (demo)", "reception", pin)
    cfg = load(None, env={}, overrides={"data_dir": tmp / "hub-desk", "facility_code": facility})
    desk = HubStaffServices(cfg, node.clock, dsn=desk_dsn, sign=sign, gateway=client, desk_name="Q9")
    try:
        session = desk.accounts.sign_in(DESK_USER, pin)
        listed = [r for r in desk.desk.visits.visits(session, VisitFilter.NEEDS_DESK) if r.ma_lk == ma_lk]
        desk.desk.visits.detail(session, ma_lk)
        done = desk.desk.identity.confirm(session, ma_lk, person.full_name or "", person.birth_date.iso(),
                                          int(person.person.gender))
    finally:
        desk.close()
    with psycopg.connect(desk_dsn) as conn:
        wait_uploads(conn, 30.0)
    node.sync()
    item = node.store.outbox.find("checkin", ma_lk)
    received = len(sim.received(ma_lk, with_xml=False))
    out = {"ticket": ticket.number, "xml0_held_at_kiosk": held, "listed_needs_desk": len(listed),
           "confirmed_status": done.status.value, "gateway_code": done.gateway_code,
           "xml0_queued_by_hub": done.queued, "kiosk_checkin_state": item.state.value if item else None,
           "xml0_received_by_gateway": received}
    out["ok"] = (held and len(listed) == 1 and done.queued and received == 1
                 and out["kiosk_checkin_state"] == "acked")
    return out
