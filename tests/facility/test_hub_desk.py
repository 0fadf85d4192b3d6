"""The desk port's hub adapter against the real cluster: every kiosk's visits, compare-and-set
overrides, conflict resolution, manual check-in numbered by the hub, closing a visit (signed by the
desk, uploaded by the hub worker: one owner), and the hub's upload queue."""
from __future__ import annotations

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.status import VisitStatus
from kiosk.demo.facility_people import crowd_person
from kiosk.desk.checkin import ManualCheckinForm
from kiosk.desk.close import CloseForm
from kiosk.desk.context import DeskError
from kiosk.desk.visits import VisitFilter
from kiosk.security.roles import PermissionDenied
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import node


def _xmlsec_verify(tmp_path, signed: bytes, cert_pem: bytes):
    import shutil
    import subprocess
    (tmp_path / "signed.xml").write_bytes(signed)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    return subprocess.run([shutil.which("xmlsec1") or "xmlsec1", "--verify", "--pubkey-cert-pem",
                           str(tmp_path / "cert.pem"), str(tmp_path / "signed.xml")], capture_output=True)


@pytest.fixture
def facility(hub, tmp_path, signer):
    add_accounts(hub)
    clock = FakeClock()
    kiosks = [node(tmp_path, k, hub, signer, clock) for k in ("1", "2")]
    services = []

    def desk(name="Q1", **kw):
        s = desk_services(hub, tmp_path, clock, signer, name=name, **kw)
        services.append(s)
        return s
    yield kiosks, desk, clock
    for s in services:
        s.close()
    for k in kiosks:
        k.close()


def _checkins(kiosks, *people):
    for i, p in enumerate(people):
        kiosks[i % len(kiosks)].checkin(crowd_person(p), "K01")
    for k in kiosks:
        k.sync()


def test_desk_lists_every_kiosks_visits_and_cancels_with_compare_and_set(hub, facility):
    kiosks, desk, _ = facility
    _checkins(kiosks, 500, 501, 502)
    a, b = desk("Q1"), desk("Q2")
    sa = a.accounts.sign_in("le.tan", PINS["le.tan"])
    sb = b.accounts.sign_in("le.tan", PINS["le.tan"])
    rows = a.desk.visits.visits(sa, VisitFilter.OPEN)
    assert sorted(r.ticket_number for r in rows) == ["A001", "A002", "A003"]
    assert {r.kiosk_id for r in rows} == {"1", "2"}
    assert a.desk.visits.counts(sa)[VisitStatus.WAITING] == 3
    target = rows[0].ma_lk
    d = a.desk.visits.detail(sa, target)
    assert d.visit.ma_lk == target and d.tickets[0].number == rows[0].ticket_number
    assert b.desk.visits.detail(sb, target).visit.version == d.visit.version    # both desks saw version 1
    a.desk.visits.cancel(sa, target, "bệnh nhân về")
    with pytest.raises(DeskError, match="changed this visit first"):
        b.desk.visits.cancel(sb, target, "trùng")                               # stale: no lost update
    assert b.desk.visits.detail(sb, target).visit.status is VisitStatus.CANCELLED
    assert [r.ticket_number for r in b.desk.visits.visits(sb, VisitFilter.OPEN, search="a00")] != []
    with psycopg.connect(hub.admin_dsn()) as conn:
        audit = conn.execute("SELECT actor, action, target, details FROM hub_audit WHERE action = 'visit.cancel'"
                             ).fetchall()
        events = conn.execute("SELECT count(*) FROM events WHERE kind = 'visit.desk' AND ma_lk = %s",
                              (target,)).fetchone()[0]
    assert len(audit) == 1 and audit[0][0] == "le.tan" and audit[0][2] == f"visit:{target}"
    assert '"desk":"Q1"' in audit[0][3] and events == 1


def test_manual_checkin_numbers_through_the_hub_and_queues_a_hub_owned_signed_xml0(hub, facility, tmp_path,
                                                                                 dev_identity):
    kiosks, desk, _ = facility
    _checkins(kiosks, 510, 511)                        # A001, A002 from the kiosks
    d = desk()
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    form = ManualCheckinForm("Nguyễn Thị Thu", "12/03/1960", 2, "K01", cccd="079160001234", check_card=False)
    r = d.desk.checkin.check_in(s, form)
    assert r.number == "A003" and r.provisional and not r.printed
    with pytest.raises(DeskError, match="already holds ticket A003"):
        d.desk.checkin.check_in(s, form)
    with pytest.raises(PermissionDenied):
        d.desk.checkin.check_in(d.accounts.sign_in("bac.si", PINS["bac.si"]), form)
    with psycopg.connect(hub.admin_dsn()) as conn:
        v = conn.execute("SELECT kiosk_id, numbered_by, status FROM visits WHERE ticket_number = 'A003'").fetchone()
        item = conn.execute("SELECT owner, state, payload FROM outbox WHERE kind = 'checkin' AND kiosk_id = 'desk-Q1'"
                            ).fetchone()
    assert v == ("desk-Q1", "hub", "provisional")
    assert item[0] == "hub" and item[1] == "pending"
    assert _xmlsec_verify(tmp_path, bytes(item[2]), dev_identity.cert_pem).returncode == 0   # signed by the desk
    # the desk's provisional visit: an override with a reason makes it waiting (compare-and-set)
    rows = d.desk.visits.visits(s, VisitFilter.PROVISIONAL)
    assert [x.ticket_number for x in rows] == ["A003"]
    with pytest.raises(DeskError, match="reason"):
        d.desk.visits.override_eligibility(s, rows[0].ma_lk, "ok")
    d.desk.visits.override_eligibility(s, rows[0].ma_lk, "đã xem thẻ giấy")
    assert d.desk.visits.detail(s, rows[0].ma_lk).visit.status is VisitStatus.WAITING


def test_close_is_signed_by_the_desk_and_uploaded_once_by_the_hub_worker(hub, facility, gateway, sim):
    from kiosk.facility.worker import HubUploadWorker
    kiosks, desk, _ = facility
    _checkins(kiosks, 520)
    d = desk()
    doctor = d.accounts.sign_in("bac.si", PINS["bac.si"])
    visit = d.desk.visits.visits(doctor)[0]
    d.desk.visits.detail(doctor, visit.ma_lk)
    closed = d.desk.close.close(doctor, visit.ma_lk, CloseForm("J06.9", treatment="Nghỉ ngơi"))
    assert closed.queued and closed.tables == ("XML1",)
    with pytest.raises(DeskError, match="already closed"):
        d.desk.close.close(doctor, visit.ma_lk, CloseForm("J06.9"))
    with hub.connect("hub_worker") as conn:
        assert HubUploadWorker(conn, gateway, "79001").run_once().acked >= 1
        assert HubUploadWorker(conn, gateway, "79001").run_once().acked == 0
    with psycopg.connect(hub.admin_dsn()) as conn:
        row = conn.execute("SELECT owner, state, acked_by, receipt_ma_giao_dich FROM outbox "
                           "WHERE kind = 'dossier' AND ma_lk = %s", (visit.ma_lk,)).fetchone()
        summary = conn.execute("SELECT summary->>'icd_main', closed_by FROM visit_closures").fetchone()
        status = conn.execute("SELECT status FROM visits WHERE ma_lk = %s", (visit.ma_lk,)).fetchone()[0]
    assert row[0] == "hub" and row[1] == "acked" and row[3]
    assert summary == ("J06.9", "bac.si") and status == "closed"
    # the kiosk still owns its own check-in upload: a desk cannot retry it from the hub
    reception = d.accounts.sign_in("quan.tri", PINS["quan.tri"])
    items = {r.item_id: r for r in d.desk.queue.items(reception, "pending")}
    mine = f"checkin:{visit.ma_lk}"
    assert mine in items and items[mine].gateway_message.startswith("[kiosk:")
    stats = d.desk.queue.stats(reception)
    assert stats.acked >= 1 and stats.last_success_at
    assert any(r.ma_lk == visit.ma_lk and r.ma_giao_dich for r in d.desk.queue.receipts(reception))


def test_queue_retries_only_dead_items_the_hub_owns(hub, facility):
    kiosks, desk, _ = facility
    _checkins(kiosks, 530)
    d = desk()
    admin = d.accounts.sign_in("quan.tri", PINS["quan.tri"])
    ma_lk = d.desk.visits.visits(admin)[0].ma_lk
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("INSERT INTO outbox (kind, ma_lk, kiosk_id, payload, payload_sha256, owner, state, last_code) "
                     "VALUES ('dossier', %s, '1', '\\x3c3e', 'x', 'hub', 'dead', '053')", (ma_lk,))
        conn.execute("UPDATE outbox SET state = 'dead', last_code = '051' WHERE kind = 'checkin'")
    dead = {r.item_id: r for r in d.desk.queue.items(admin, "dead")}
    assert set(dead) == {f"dossier:{ma_lk}", f"checkin:{ma_lk}"}
    assert dead[f"dossier:{ma_lk}"].gateway_message.startswith("[hub] 053")
    d.desk.queue.resend(admin, f"dossier:{ma_lk}")
    with pytest.raises(DeskError, match="owned by kiosk:1"):
        d.desk.queue.resend(admin, f"checkin:{ma_lk}")
    with pytest.raises(DeskError, match="only a dead item"):
        d.desk.queue.resend(admin, f"dossier:{ma_lk}")
    with psycopg.connect(hub.admin_dsn()) as conn:
        st = conn.execute("SELECT state, needs_reconcile FROM outbox WHERE kind = 'dossier'").fetchone()
        n = conn.execute("SELECT count(*) FROM hub_audit WHERE action = 'outbox.resend'").fetchone()[0]
    assert st == ("pending", True) and n == 1


def test_desk_resolves_a_flagged_conflict_keeping_one_visit(hub, facility):
    kiosks, desk, _ = facility
    _checkins(kiosks, 540, 541)
    d = desk()
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    a, b = sorted(d.desk.visits.visits(s), key=lambda r: r.ticket_number)
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("INSERT INTO conflicts (ma_lk_a, ma_lk_b, reason) VALUES (%s, %s, 'same patient')",
                     (a.ma_lk, b.ma_lk))
        conn.execute("UPDATE visits SET conflict = true WHERE ma_lk IN (%s, %s)", (a.ma_lk, b.ma_lk))
    flagged = d.desk.visits.visits(s)
    assert all(r.conflict and r.reason for r in flagged)
    assert d.desk.visits.resolve_conflict(s, a.ma_lk) == b.ma_lk
    rows = {r.ma_lk: r for r in d.desk.visits.visits(s, VisitFilter.ALL)}
    assert rows[a.ma_lk].status is VisitStatus.WAITING and rows[b.ma_lk].status is VisitStatus.CANCELLED
    assert not rows[a.ma_lk].conflict
    with pytest.raises(DeskError, match="no open conflict"):
        d.desk.visits.resolve_conflict(s, a.ma_lk)


def test_desk_allocates_only_through_the_atomic_function_under_its_own_name(hub):
    with hub.connect("hub_desk") as conn:
        for sql in ("UPDATE ticket_series SET last = 1", "SELECT * FROM hub_allocate('79001', '2026-11-20', 'K01', "
                    "'A', 'X1', 'desk-Q1', false, '{}'::text[], '{}'::text[])"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="own name"):
            conn.execute("SELECT * FROM hub_desk_allocate('79001', '2026-11-20', 'K01', 'A', 'X1', '1', false, "
                         "'{}'::text[], '{}'::text[])")
        conn.rollback()
        got = conn.execute("SELECT * FROM hub_desk_allocate('79001', '2026-11-20', 'K01', 'A', 'X1', 'desk-Q1', "
                           "false, '{}'::text[], '{}'::text[])").fetchone()
        assert got == ("A001", False)
