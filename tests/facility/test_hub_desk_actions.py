"""The local desk's visit actions on the hub desk (hub migration 0005) against the real cluster:
move to another service (a new number from the facility series, the old one cancelled, the queue
entry moved), priority (the hub's calling order follows), reprint on the desk's printer, card
re-check from the desk, fix-and-resend of a dead upload the hub owns. Each is compare-and-set, audited
in its own hub transaction, and refused for a stale version, a finished visit, a role without the
permission and a desk that lost the hub."""
from __future__ import annotations

import psycopg
import pytest

from kiosk.core.clock import FakeClock
from kiosk.demo.facility_people import crowd_person
from kiosk.desk.context import DeskError
from kiosk.facility.hub_staff import add_staff
from kiosk.facility.listen import HubUnavailable
from kiosk.security.roles import PermissionDenied
from tests.facility.desk_helpers import HASHER, PINS, add_accounts, desk_config
from tests.facility.helpers import node

TECH_PIN = "528163"


@pytest.fixture
def facility(hub, tmp_path, signer):
    from drivers.printer.sim import SimPrinter
    from kiosk.staff import HubStaffServices
    add_accounts(hub)
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        add_staff(conn, "ky.thuat", "Ky Thuat", "technician", TECH_PIN, hasher=HASHER)
    clock = FakeClock()
    kiosks = [node(tmp_path, k, hub, signer, clock) for k in ("1", "2")]
    made = []

    def desk(name="Q1", gateway=None):
        printer = SimPrinter(tmp_path / f"tickets-{name}")
        s = HubStaffServices(desk_config(tmp_path / name, name), clock, dsn=hub.dsn("hub_desk"), sign=signer.sign,
                             hasher=HASHER, gateway=gateway, desk_name=name, printer=printer)
        s.printer_driver = printer
        made.append(s)
        return s
    yield kiosks, desk
    for s in made:
        s.close()
    for k in kiosks:
        k.close()


def checkins(kiosks, *people, service="K01"):
    for i, p in enumerate(people):
        kiosks[i % len(kiosks)].checkin(crowd_person(p), service)
    for k in kiosks:
        k.sync()


def admin_rows(hub, sql: str, *args):
    with psycopg.connect(hub.admin_dsn()) as conn:
        return conn.execute(sql, args).fetchall()


def audit(hub, action: str):
    import json
    return [(r[0], r[1], json.loads(r[2])) for r in admin_rows(
        hub, "SELECT actor, target, details FROM hub_audit WHERE action = %s ORDER BY id", action)]


def signed_in(d, user="le.tan"):
    return d.accounts.sign_in(user, PINS[user])


def by_number(d, s, number):
    rows = {r.ticket_number: r for r in d.desk.visits.visits(s, "all")}
    return rows[number].ma_lk


# ------------------------------------------------------------ move to another service
def test_move_takes_a_new_number_from_the_new_series_and_cancels_the_old_one(hub, facility):
    kiosks, desk = facility
    checkins(kiosks, 600, 601)
    checkins(kiosks, 602, service="K04")                    # the eye clinic's series: D001
    a, b = desk("Q1"), desk("Q2")
    sa, sb = signed_in(a), signed_in(b)
    ma_lk = by_number(a, sa, "A001")
    by_number(b, sb, "A001")                                 # both desks showed version 1
    number = a.desk.visits.move_service(sa, ma_lk, "K04", "bệnh nhân đau mắt")
    assert number == "D002"                                  # the facility series, not count+1 of a desk
    visit = admin_rows(hub, "SELECT service_code, room, ticket_number, numbered_by, version, status FROM visits "
                            "WHERE ma_lk = %s", ma_lk)[0]
    assert visit == ("K04", a.ctx.settings.service("K04").room, "D002", "hub", 2, "waiting")
    assert admin_rows(hub, "SELECT from_service, from_number, to_service, to_number, staff, desk "
                           "FROM hub_ticket_moves") == [("K01", "A001", "K04", "D002", "le.tan", "desk-Q1")]
    alloc = admin_rows(hub, "SELECT service_code, number, kiosk_id FROM ticket_allocations "
                            "WHERE ma_lk = %s", f"{ma_lk}~move1")
    assert alloc == [("K04", "D002", "desk-Q1")]             # through the same atomic allocation
    entry = admin_rows(hub, "SELECT number, service_code, state, counter_id FROM hub_queue_entries "
                            "WHERE ma_lk = %s", ma_lk)[0]
    assert entry == ("D002", "K04", "waiting", None)
    [(actor, target, details)] = audit(hub, "visit.move")
    assert (actor, target) == ("le.tan", f"visit:{ma_lk}")
    assert details["from"] == "K01" and details["cancelled_ticket"] == "A001" and details["ticket"] == "D002"
    assert details["reason"] == "bệnh nhân đau mắt" and details["desk"] == "Q1"
    # the next kiosk check-in for the eye clinic continues the same series
    checkins(kiosks, 603, service="K04")
    assert admin_rows(hub, "SELECT ticket_number FROM visits ORDER BY ticket_number") == [
        ("A002",), ("D001",), ("D002",), ("D003",)]
    # the second desk still showed version 1: refused, nothing changes
    with pytest.raises(DeskError, match="changed this visit first"):
        b.desk.visits.move_service(sb, ma_lk, "K02")
    with pytest.raises(DeskError, match="already at that service"):
        a.desk.visits.move_service(sa, ma_lk, "K04")
    with pytest.raises(PermissionDenied):
        a.desk.visits.move_service(signed_in(a, "bac.si"), ma_lk, "K02")
    assert len(audit(hub, "visit.move")) == 1
    assert admin_rows(hub, "SELECT count(*) FROM ticket_allocations WHERE position('~move' IN ma_lk) > 0") == [(1,)]


def test_move_refuses_a_patient_who_holds_that_service_a_finished_visit_and_one_at_a_counter(hub, facility):
    kiosks, desk = facility
    kiosks[0].checkin(crowd_person(610), "K01")
    kiosks[0].checkin(crowd_person(610), "K04")               # the same patient, at the eye clinic too
    kiosks[0].checkin(crowd_person(611), "K01")
    kiosks[0].sync()
    d = desk()
    s = signed_in(d)
    with pytest.raises(DeskError, match="already holds a ticket for that service"):
        d.desk.visits.move_service(s, by_number(d, s, "A001"), "K04")
    second = by_number(d, s, "A002")
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("UPDATE hub_queue_entries SET state = 'in_service', counter_id = 'Q1' WHERE ma_lk = %s",
                     (second,))
    with pytest.raises(DeskError, match="served at a counter"):
        d.desk.visits.move_service(s, second, "K02")
    d.desk.visits.cancel(s, by_number(d, s, "D001"), "bệnh nhân về")
    with pytest.raises(DeskError, match="the visit is cancelled"):
        d.desk.visits.move_service(s, by_number(d, s, "D001"), "K02")
    assert admin_rows(hub, "SELECT count(*) FROM hub_ticket_moves") == [(0,)]
    assert admin_rows(hub, "SELECT count(*) FROM ticket_allocations WHERE position('~move' IN ma_lk) > 0") == [(0,)]
    assert audit(hub, "visit.move") == []


# ------------------------------------------------------------ priority
def test_priority_change_reorders_the_hubs_calling_order_compare_and_set(hub, facility):
    from tests.facility.hub_queue_helpers import push_visits, service
    _, desk = facility
    push_visits(hub, 3)                                      # A1-000, A1-001, A1-002 today, no priority
    a, b = desk("Q1"), desk("Q2")
    sa, sb = signed_in(a), signed_in(b)
    last = "79001-1-00002"
    a.desk.visits.detail(sa, last)
    b.desk.visits.detail(sb, last)
    caller = service(hub)
    assert [e.number for e in caller.waiting("Q1")] == ["A1-000", "A1-001", "A1-002"]
    assert a.desk.visits.change_priority(sa, last, "elderly", "bệnh nhân 80 tuổi") == 2
    assert [e.number for e in caller.waiting("Q1")] == ["A1-002", "A1-000", "A1-001"]   # called first now
    assert admin_rows(hub, "SELECT v.priority, v.version, q.priority FROM visits v JOIN hub_queue_entries q "
                           "USING (ma_lk) WHERE ma_lk = %s", last) == [("elderly", 2, "elderly")]
    [(actor, target, details)] = audit(hub, "visit.priority")
    assert (actor, target) == ("le.tan", f"visit:{last}")
    assert details["from"] is None and details["to"] == "elderly" and details["reason"] == "bệnh nhân 80 tuổi"
    with pytest.raises(DeskError, match="changed this visit first"):                  # b showed version 1
        b.desk.visits.change_priority(sb, last, "child", "nhầm")
    with pytest.raises(PermissionDenied):
        a.desk.visits.change_priority(signed_in(a, "bac.si"), last, None, "bác sĩ")
    assert a.desk.visits.change_priority(sa, last, None, "khai nhầm") == 3              # back to no priority
    assert [e.number for e in caller.waiting("Q1")] == ["A1-000", "A1-001", "A1-002"]
    first = "79001-1-00000"
    a.desk.visits.detail(sa, first)
    a.desk.visits.cancel(sa, first, "bệnh nhân về")
    with pytest.raises(DeskError, match="the visit is cancelled"):
        a.desk.visits.change_priority(sa, first, "elderly", "muộn")
    assert [d["to"] for _, _, d in audit(hub, "visit.priority")] == ["elderly", None]
    caller.close()


# ------------------------------------------------------------ reprint
def test_reprint_prints_the_active_ticket_from_hub_data_on_the_desks_printer(hub, facility):
    kiosks, desk = facility
    checkins(kiosks, 620)
    d = desk()
    layouts = []
    real = d.printer_driver.print_ticket
    d.printer_driver.print_ticket = lambda layout: (layouts.append(layout), real(layout))[1]
    s = signed_in(d)
    ma_lk = by_number(d, s, "A001")
    day = admin_rows(hub, "SELECT visit_day::text FROM visits WHERE ma_lk = %s", ma_lk)[0][0]
    assert d.desk.visits.reprint(s, ma_lk) == "A001"
    [t] = layouts
    assert t.number == "A001" and t.qr == f"KT1|79001|{day}|A001|{ma_lk}"
    assert d.ctx.settings.service("K01").name_vi in t.lines and t.header == "Bệnh viện Thử nghiệm"
    person = crowd_person(620)
    printed = " ".join((t.header, t.title, *t.lines, t.qr, t.footer, t.priority_label))
    assert person.person.full_name not in printed and person.cccd.number not in printed   # names no one
    assert len(d.printer_driver.printed) == 1 and d.printer_driver.printed[0].exists()
    assert [(a, tg, x["ticket"]) for a, tg, x in audit(hub, "ticket.reprint")] == [("le.tan", f"visit:{ma_lk}", "A001")]
    # after a move the reprint is the new number; a clinician may reprint too
    d.desk.visits.move_service(s, ma_lk, "K04")
    assert d.desk.visits.reprint(signed_in(d, "bac.si"), ma_lk) == "D001"
    assert layouts[-1].number == "D001"
    d.printer_driver.fail_next("paper_out")
    with pytest.raises(DeskError, match="printer failed: paper_out"):
        d.desk.visits.reprint(s, ma_lk)
    assert [x["fault"] for _, _, x in audit(hub, "ticket.reprint_failed")] == ["paper_out"]
    with pytest.raises(PermissionDenied):
        d.desk.visits.reprint(d.accounts.sign_in("ky.thuat", TECH_PIN), ma_lk)
    d.desk.visits.cancel(s, ma_lk, "bệnh nhân về")
    with pytest.raises(DeskError, match="no active ticket"):
        d.desk.visits.reprint(s, ma_lk)
    assert len(audit(hub, "ticket.reprint")) == 2 and len(d.printer_driver.printed) == 2


# ------------------------------------------------------------ the desk list names the kiosk
def test_hub_desk_list_shows_which_kiosk_or_desk_each_visit_came_from(qtbot, hub, facility):
    from kiosk.desk.checkin import ManualCheckinForm
    from kiosk.ui.desk.window import DeskWindow
    from kiosk.ui.desk.worker import DbWorker
    kiosks, desk = facility
    checkins(kiosks, 640, 641)                              # A001 at kiosk 1, A002 at kiosk 2
    d = desk()
    worker = DbWorker()
    try:
        session = worker.call(d.accounts.sign_in, "le.tan", PINS["le.tan"])
        worker.call(d.desk.checkin.check_in, session, ManualCheckinForm(
            "Trần Văn Bình", "05/06/1971", 1, "K01", cccd="079071001234", check_card=False))       # A003 at desk Q1
        win = DeskWindow(d.desk, worker, session)
        qtbot.addWidget(win)
        win.show()
        t = win.visits.table
        qtbot.waitUntil(lambda: t.rowCount() == 3, timeout=10000)
        assert t.columnCount() == 8
        header = t.horizontalHeaderItem(7)
        assert header.text() == "Ki-ốt" and header.toolTip() == "Kiosk"
        cells = {t.item(r, 0).text(): (t.item(r, 7).text(), t.item(r, 7).toolTip()) for r in range(3)}
        assert cells == {"A001": ("1", "kiosk 1"), "A002": ("2", "kiosk 2"), "A003": ("Quầy Q1", "desk Q1")}
        # the pane's actions reach the hub: move A002 to the eye clinic, reprint its new ticket
        from kiosk.ui.qt import Qt
        page = win.visits
        t.selectRow([t.item(r, 0).text() for r in range(3)].index("A002"))
        qtbot.waitUntil(lambda: page.detail is not None and page.buttons["reprint"].isEnabled(), timeout=10000)
        page.service.setCurrentIndex(page.service.findData("K04"))
        qtbot.mouseClick(page.buttons["move"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "D001" in [t.item(r, 0).text() for r in range(t.rowCount())], timeout=10000)
        assert "moved" in win.status.text()
        qtbot.waitUntil(lambda: page.detail.visit.ticket_number == "D001", timeout=10000)
        qtbot.mouseClick(page.buttons["reprint"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(d.printer_driver.printed) == 2, timeout=10000)    # A003 printed at check-in
        assert d.printer_driver.printed[-1].name.endswith("-D001.png")
        win.sign_out()
    finally:
        worker.shutdown()


# ------------------------------------------------------------ card re-check
def demo_form(key: str, service: str = "K01"):
    from kiosk.demo.people import by_key
    from kiosk.desk.checkin import ManualCheckinForm
    ident = by_key(key).identity
    return ManualCheckinForm(ident.full_name, str(ident.birth_date), int(ident.person.gender), service,
                             cccd=ident.cccd.number if ident.cccd else "",
                             card=(ident.bhyt.code15 or ident.bhyt.bhxh_number10) if ident.bhyt else "",
                             check_card=False)


def test_recheck_runs_the_card_check_from_the_desk_and_moves_the_visit(hub, facility, gateway):
    _, desk = facility
    a, b = desk("Q1", gateway=gateway), desk("Q2", gateway=gateway)
    sa, sb = signed_in(a), signed_in(b)
    assert a.desk.checkin.check_in(sa, demo_form("valid_bhyt")).provisional            # A001, no card check yet
    assert a.desk.checkin.check_in(sa, demo_form("expired_bhyt")).provisional          # A002
    good, expired = by_number(a, sa, "A001"), by_number(a, sa, "A002")
    by_number(b, sb, "A001")
    result = a.desk.visits.recheck_card(sa, good)
    assert result.code == "000" and result.proceed
    assert admin_rows(hub, "SELECT status, version FROM visits WHERE ma_lk = %s", good) == [("waiting", 2)]
    result = a.desk.visits.recheck_card(sa, expired)
    assert result.code == "010" and not result.proceed
    assert admin_rows(hub, "SELECT status FROM visits WHERE ma_lk = %s", expired) == [("needs_desk",)]
    checks = admin_rows(hub, "SELECT ma_lk, code, verdict, proceed, reason IS NOT NULL, staff, desk "
                             "FROM hub_card_checks ORDER BY id")
    assert checks == [(good, "000", "valid", True, False, "le.tan", "desk-Q1"),
                      (expired, "010", "needs_desk", False, True, "le.tan", "desk-Q1")]
    entries = audit(hub, "eligibility.recheck")
    assert [(t, x["gateway_code"], x["previous_status"]) for _, t, x in entries] == [
        (f"visit:{good}", "000", "provisional"), (f"visit:{expired}", "010", "provisional")]
    shown = a.desk.visits.detail(sa, expired).eligibility                              # the pane shows why
    assert shown.code == "010" and "010" in shown.words and not shown.provisional
    # the same card again: the visit stays where the gateway put it, the check is kept
    a.desk.visits.recheck_card(sa, expired)
    assert admin_rows(hub, "SELECT status, version FROM visits WHERE ma_lk = %s", expired) == [("needs_desk", 2)]
    with pytest.raises(DeskError, match="changed this visit first"):                    # b showed version 1
        b.desk.visits.recheck_card(sb, good)
    with pytest.raises(PermissionDenied):
        a.desk.visits.recheck_card(signed_in(a, "bac.si"), good)
    no_gateway = desk("Q3")
    with pytest.raises(DeskError, match="no gateway client configured"):
        no_gateway.desk.visits.recheck_card(signed_in(no_gateway), good)
    a.desk.visits.cancel(sa, expired, "bệnh nhân về")
    with pytest.raises(DeskError, match="the visit is cancelled"):
        a.desk.visits.recheck_card(sa, expired)
    assert len(admin_rows(hub, "SELECT id FROM hub_card_checks")) == 3
    assert len(audit(hub, "eligibility.recheck")) == 3


# ------------------------------------------------------------ fix-and-resend on the hub's queue
def _xml1(signed: bytes) -> dict[str, str]:
    import base64

    from lxml import etree
    root = etree.fromstring(signed)
    xml1 = next(base64.b64decode(f.findtext("NOIDUNGFILE")) for f in root.iter("FILEHOSO")
                if f.findtext("LOAIHOSO") == "XML1")
    return {c.tag: c.text or "" for c in etree.fromstring(xml1)}


def test_fix_and_resend_re_signs_a_dead_hub_owned_dossier_and_never_takes_a_kiosks_item(
        hub, facility, gateway, sim, signer, tmp_path):
    import hashlib

    from kiosk.desk.close import CloseForm
    from kiosk.desk.queue import Corrections
    from kiosk.facility.worker import HubUploadWorker
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    kiosks, desk = facility
    checkins(kiosks, 650)
    d = desk()
    doctor, reception = signed_in(d, "bac.si"), signed_in(d)
    ma_lk = by_number(d, reception, "A001")
    rogue = ensure_dev_identity(tmp_path / "rogue", "79001")            # a key the gateway does not know
    d.ctx.sign = pkcs12_signer(rogue.p12_path, rogue.password).sign
    d.desk.visits.detail(doctor, ma_lk)
    d.desk.close.close(doctor, ma_lk, CloseForm("J06.9", treatment="Nghỉ ngơi"))
    with hub.connect("hub_worker") as conn:
        HubUploadWorker(conn, gateway, "79001").run_once()
    item = f"dossier:{ma_lk}"
    assert [r.item_id for r in d.desk.queue.items(reception, "dead")] == [item]       # refused by the gateway
    with pytest.raises(PermissionDenied):
        d.desk.queue.fix_and_resend(doctor, item, Corrections(icd_main="J02.9"))
    d.ctx.sign = signer.sign                                             # the technician installed the right key
    payload = d.desk.queue.fix_and_resend(reception, item, Corrections(icd_main="J02.9"))
    assert _xml1(payload)["MA_BENH_CHINH"] == "J02.9"
    row = admin_rows(hub, "SELECT owner, state, attempts, payload, payload_sha256 FROM outbox "
                          "WHERE kind = 'dossier' AND ma_lk = %s", ma_lk)[0]
    assert row[:3] == ("hub", "pending", 0) and bytes(row[3]) == payload
    assert row[4] == hashlib.sha256(payload).hexdigest()
    assert admin_rows(hub, "SELECT summary->>'icd_main' FROM visit_closures WHERE ma_lk = %s", ma_lk) == [("J02.9",)]
    [(actor, target, details)] = audit(hub, "outbox.fix_resend")
    assert (actor, target, details["fixed"], details["owner"]) == ("le.tan", f"outbox:{item}", ["icd_main"], "hub")
    with hub.connect("hub_worker") as conn:
        assert HubUploadWorker(conn, gateway, "79001").run_once().acked == 1
    assert admin_rows(hub, "SELECT state, receipt_ma_giao_dich IS NOT NULL FROM outbox WHERE kind = 'dossier'"
                      ) == [("acked", True)]
    with pytest.raises(DeskError, match="only a dead item"):
        d.desk.queue.fix_and_resend(reception, item, Corrections())
    # the kiosk's own check-in upload, dead: the hub desk never takes it over
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("UPDATE outbox SET state = 'dead', last_code = '051' WHERE kind = 'checkin'")
    before = admin_rows(hub, "SELECT owner, state, payload FROM outbox WHERE kind = 'checkin'")
    with pytest.raises(DeskError, match="owned by kiosk:1"):
        d.desk.queue.fix_and_resend(reception, f"checkin:{ma_lk}", Corrections(full_name="Khách Thử Số 650"))
    assert admin_rows(hub, "SELECT owner, state, payload FROM outbox WHERE kind = 'checkin'") == before
    assert len(audit(hub, "outbox.fix_resend")) == 1


def test_fix_and_resend_corrects_the_facility_patient_and_re_signs_a_desks_check_in(hub, facility, tmp_path,
                                                                                    dev_identity):
    import subprocess

    from lxml import etree

    from kiosk.desk.queue import Corrections
    _, desk = facility
    d = desk()
    s = signed_in(d)
    d.desk.checkin.check_in(s, demo_form("valid_bhyt"))                 # a hub-owned XML0, signed by the desk
    ma_lk = by_number(d, s, "A001")
    with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:
        conn.execute("UPDATE outbox SET state = 'dead', last_code = '051' WHERE kind = 'checkin'")
    with pytest.raises(DeskError, match="birth_date"):
        d.desk.queue.fix_and_resend(s, f"checkin:{ma_lk}", Corrections(birth_date="12/04/1985"))
    with pytest.raises(DeskError, match="diagnosis codes belong"):
        d.desk.queue.fix_and_resend(s, f"checkin:{ma_lk}", Corrections(icd_main="J02.9"))
    payload = d.desk.queue.fix_and_resend(s, f"checkin:{ma_lk}", Corrections(full_name="nguyễn  văn thứ",
                                                                            birth_date="1985-04-13"))
    fields = {c.tag: c.text or "" for c in etree.fromstring(payload).iter() if len(c) == 0}
    assert fields["HO_TEN"] == "NGUYỄN VĂN THỨ" and fields["MA_LK"] == ma_lk
    assert admin_rows(hub, "SELECT p.full_name, p.birth_date FROM patients p JOIN visits v ON v.patient_id = p.id "
                           "WHERE v.ma_lk = %s", ma_lk) == [("NGUYỄN VĂN THỨ", "1985-04-13")]
    assert admin_rows(hub, "SELECT state FROM outbox WHERE kind = 'checkin'") == [("pending",)]
    (tmp_path / "xml0.xml").write_bytes(payload)
    (tmp_path / "cert.pem").write_bytes(dev_identity.cert_pem)
    assert subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(tmp_path / "cert.pem"),
                           str(tmp_path / "xml0.xml")], capture_output=True).returncode == 0
    assert [x["fixed"] for _, _, x in audit(hub, "outbox.fix_resend")] == [["full_name", "birth_date"]]


# ------------------------------------------------------------ a desk without the hub; least privilege
def _start_again(cluster) -> None:
    """Start the session's cluster again; on a loaded machine pg_ctl may give up waiting while the
    server is still coming up: then wait for it to answer (never start it twice)."""
    import time

    from kiosk.facility.cluster import ClusterError
    try:
        cluster.start()
        return
    except ClusterError:
        pass
    deadline = time.monotonic() + 180
    while True:
        try:
            psycopg.connect(cluster.dsn(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_desk_that_lost_the_hub_refuses_every_action_and_writes_nothing(hub, facility, gateway):
    import time

    from kiosk.desk.queue import Corrections
    kiosks, desk = facility
    checkins(kiosks, 660)
    d = desk(gateway=gateway)
    s = signed_in(d)
    ma_lk = by_number(d, s, "A001")
    before = admin_rows(hub, "SELECT status, version, service_code, ticket_number, priority FROM visits")
    hub.cluster.stop("fast")            # a clean stop: the restart needs no crash recovery (a loaded machine)
    try:
        deadline = time.monotonic() + 10
        while d.live.online and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not d.live.online
        for act, args in ((d.desk.visits.move_service, ("K04",)), (d.desk.visits.change_priority, ("elderly", "x")),
                          (d.desk.visits.reprint, ()), (d.desk.visits.recheck_card, ()),
                          (d.desk.queue.fix_and_resend, (Corrections(),))):
            target = f"checkin:{ma_lk}" if act == d.desk.queue.fix_and_resend else ma_lk
            with pytest.raises(HubUnavailable):
                act(s, target, *args)
    finally:
        _start_again(hub.cluster)
    assert d.printer_driver.printed == []
    assert admin_rows(hub, "SELECT status, version, service_code, ticket_number, priority FROM visits") == before
    assert admin_rows(hub, "SELECT count(*) FROM hub_audit WHERE action NOT LIKE 'staff.%%'") == [(0,)]


def test_the_desk_role_changes_visits_only_through_the_new_doors(hub, facility):
    kiosks, _ = facility
    checkins(kiosks, 670)
    with hub.connect("hub_desk") as conn:
        for sql in ("UPDATE visits SET priority = 'elderly'", "UPDATE visits SET ticket_number = 'A999'",
                    "UPDATE visits SET service_code = 'K04'", "UPDATE outbox SET payload = '\\x00'",
                    "UPDATE patients SET full_name = 'X'", "INSERT INTO hub_ticket_moves (ma_lk, from_service, "
                    "from_number, to_service, to_number, allocation_key, staff, desk) SELECT ma_lk, 'K01', 'A1', "
                    "'K04', 'D1', 'k', 's', 'desk-x' FROM visits"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="own name"):
            conn.execute("SELECT * FROM hub_desk_move_service((SELECT ma_lk FROM visits), 1, 'K04', 'D', '203', "
                         "'1', 'someone')")
        conn.rollback()
    with hub.connect("hub_kiosk") as conn:
        for fn in ("hub_desk_set_priority('x', 1, NULL, 's')", "hub_desk_replace_dead('checkin', 'x', '\\x00')",
                   "hub_desk_correct_patient('x', 'X', NULL, NULL::smallint)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {fn}")
            conn.rollback()
