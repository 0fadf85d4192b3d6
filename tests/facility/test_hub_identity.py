"""A nameless first visit at the facility hub (issue 14 M7 on the hub of issue 17), against the real
private PostgreSQL cluster, the real signer and the real gateway simulator.

A patient types a valid CCCD on a kiosk keypad (the real resolver and issuer): the visit is pushed to
the hub `needs_desk`, the patient nameless (NULL since hub migration 0006, never ''), the XML0 held.
Every reader copes; a hub desk confirms the identity (compare-and-set, exactly one XML0 queued owner
'hub', the card check, the hub audit chain); the kiosk that issued the visit pulls the confirmation and
never uploads a second XML0 for the MA_LK — the gateway simulator receives exactly one."""
from __future__ import annotations

import shutil
import threading
from datetime import datetime, timezone

import psycopg
import pytest
from lxml import etree

from kiosk.core.clock import FakeClock
from kiosk.core.status import VisitStatus
from kiosk.demo.people import by_key
from kiosk.desk.checkin import ManualCheckinError
from kiosk.desk.context import DeskError
from kiosk.desk.visits import UNCONFIRMED_NAME, VisitFilter
from kiosk.facility import schema
from kiosk.facility.listen import HubUnavailable
from kiosk.security.roles import PermissionDenied
from tests.facility.desk_helpers import PINS, add_accounts, desk_services
from tests.facility.helpers import hub_rows, node

PERSON = by_key("valid_bhyt")                 # NGUYỄN VĂN THỬ, 1985-04-12, male; known to the simulator
TYPED = PERSON.identity.cccd.number
NAME, BORN, SEX = PERSON.identity.full_name, "12/04/1985", 1


def nameless_checkin(kiosk, typed: str = TYPED, service: str = "K01") -> str:
    """What a kiosk does when an unknown number is typed on its keypad; returns the MA_LK."""
    from kiosk.checkin.resolver import StoreIdentityResolver
    from kiosk.core.ports import IssueRequest
    from kiosk.core.views import ReadSource
    res = StoreIdentityResolver(kiosk.store, kiosk.clock).resolve(ReadSource.TYPED, typed)
    assert res.view.unconfirmed
    ticket = kiosk.issuer.issue(IssueRequest(res, service, None, False, res.cached_eligibility, None))
    return kiosk.store.visits.get(kiosk.store.tickets.get(ticket.ticket_id).visit_id).ma_lk


@pytest.fixture
def facility(hub, tmp_path, signer, gateway):
    add_accounts(hub)
    clock = FakeClock(datetime.now(timezone.utc))      # today: the hub's calling reads the day on its clock
    kiosks = [node(tmp_path, k, hub, signer, clock) for k in ("1", "2")]
    desks = []

    def desk(name="Q1", **kw):
        kw.setdefault("gateway", gateway)
        s = desk_services(hub, tmp_path, clock, signer, name=name, **kw)
        desks.append(s)
        return s
    yield kiosks, desk, clock
    for s in desks:
        s.close()
    for k in kiosks:
        k.close()


def _visible(d, session, ma_lk):
    """What a desk does before acting: list and show the visit (the version it decides on)."""
    rows = {r.ma_lk: r for r in d.desk.visits.visits(session, VisitFilter.ALL)}
    return rows[ma_lk], d.desk.visits.detail(session, ma_lk)


def _local_worker(kiosk, gateway):
    from kiosk.store.db import connect, db_path
    from kiosk.sync.worker import SyncWorker
    path = db_path(kiosk.store_dir)
    return SyncWorker(lambda: connect(path, kiosk.key), gateway, facility_code="79001").run_once()


def _hub_worker(hub, gateway):
    from kiosk.facility.worker import HubUploadWorker
    with hub.connect("hub_worker") as conn:
        return HubUploadWorker(conn, gateway, "79001").run_once()


def _local_desk(kiosk, signer, gateway, tmp_path):
    """The kiosk's own desk over its store (reception signed in), as `kiosk desk` without a hub."""
    from kiosk.desk.context import DeskContext
    from kiosk.desk.icd10 import Icd10Index
    from kiosk.desk.visits import Desk
    from kiosk.security.accounts import StaffAccounts
    from kiosk.security.audit_log import AuditLog
    from kiosk.security.pins import PinHasher
    from kiosk.security.roles import Role
    from kiosk.settings_map import desk_settings
    from tests.facility.desk_helpers import desk_config
    audit = AuditLog(kiosk.store)
    accounts = StaffAccounts(kiosk.store, audit, kiosk.clock, PinHasher(time_cost=1, memory_cost=8 * 1024))
    accounts.create(None, "admin", "Quản trị", Role.ADMIN, "739251")
    admin = accounts.sign_in("admin", "739251")
    accounts.create(admin, "le.tan", "Lễ tân", Role.RECEPTION, "604918")
    ctx = DeskContext(kiosk.store, accounts, audit, kiosk.clock, desk_settings(desk_config(tmp_path / "local", "1")),
                      signer.sign, gateway, None)
    return Desk.build(ctx, Icd10Index.shared()), accounts.sign_in("le.tan", "604918")


# ------------------------------------------------------------------ 1. a nameless patient at the hub
def test_a_nameless_patient_reaches_the_hub_as_null_and_every_reader_copes(hub, facility):
    from kiosk.calling.caller import CallerBackend
    from kiosk.facility.status import facility_facts
    from tests.facility.hub_queue_helpers import SETTINGS, Staff, service
    kiosks, desk, _ = facility
    ma_lk = nameless_checkin(kiosks[0])
    assert kiosks[0].store.outbox.find("checkin", ma_lk) is None          # XML0 held at the kiosk
    kiosks[0].sync()
    assert hub_rows(hub, "SELECT p.full_name, v.status FROM visits v JOIN patients p ON p.id = v.patient_id "
                         "WHERE v.ma_lk = %s", ma_lk) == [(None, "needs_desk")]
    assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE ma_lk = %s", ma_lk) == [(0,)]
    # the hub desk: list, search, detail (the typed number, so reception never retypes it)
    d = desk()
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    [row] = d.desk.visits.visits(s, VisitFilter.NEEDS_DESK)
    assert row.full_name == UNCONFIRMED_NAME and "identity to confirm" in row.reason
    assert [r.ma_lk for r in d.desk.visits.visits(s, search=row.ticket_number)] == [ma_lk]
    assert [r.ma_lk for r in d.desk.visits.visits(s, search=TYPED[-6:])] == [ma_lk]
    detail = d.desk.visits.detail(s, ma_lk)
    assert detail.patient.full_name is None and f"CCCD {TYPED}" in detail.visit.needs_desk_reason
    assert detail.uploads == ()
    # calling: the counter's line says the identity is to confirm, nothing else (masked screen)
    svc = service(hub, SETTINGS)
    svc.sync_counters()
    caller = CallerBackend(None, svc, None)
    entry = svc.call_next(Staff(), "Q1")
    assert entry is not None and entry.number == row.ticket_number
    seen = caller.describe(entry)
    assert seen.masked_name == UNCONFIRMED_NAME and seen.birth_year == "1985"     # the CCCD's year digits
    from kiosk.facility.display_feed import HubDisplayFeed             # the waiting room: the number only
    feed = HubDisplayFeed(lambda: hub.connect("hub_kiosk"), "79001", SETTINGS,
                          [{"code": "K01", "name_vi": "Khám nội", "name_en": "Internal medicine", "room": "101"}])
    try:
        board = feed.poll().board
        assert [c.number for c in board.calls] == [row.ticket_number]
    finally:
        feed.close()
    # another kiosk pulls the facility index: the patient comes nameless (no made-up name, no crash)
    got = kiosks[1].sync()
    assert got and got["pulled"] == 1
    other = kiosks[1].store.patients.find_any([("cccd", TYPED)])
    assert other is not None and other.full_name is None
    from kiosk.facility.status import format_status, hub_status
    with hub.connect("hub_desk") as conn:
        assert facility_facts(conn)["identities"] == {"to_confirm": 1, "confirmed_at_hub": 0}
        st = hub_status(conn)
    assert st["identities_to_confirm"] == 1 and "identities to confirm at a desk: 1" in format_status(st)


def test_migration_0006_turns_blank_names_into_null_and_keeps_named_rows(pg_cluster, tmp_path):
    """A hub that ran before 0006 holds nameless patients as '': they become NULL, named rows stay,
    and a kiosk that still pushes '' is stored honestly too."""
    src = schema.hub_migrations_dir()
    mig = tmp_path / "mig"
    mig.mkdir()
    for path in sorted(src.glob("*.sql")):
        if int(path.name[:4]) < 6:
            shutil.copy(path, mig)
    schema.create_database(pg_cluster.dsn(), "hub_before_0006")
    admin = pg_cluster.dsn(dbname="hub_before_0006")
    schema.init(admin, pg_cluster.base / "secrets", mig)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("INSERT INTO patients (full_name, first_kiosk) VALUES ('', '1'), ('TRẦN THỊ CŨ', '1'), ('  ', '1')")
    shutil.copy(next(src.glob("0006_*.sql")), mig)
    assert schema.init(admin, pg_cluster.base / "secrets", mig).applied == ("0006_hub_identity.sql",)
    with psycopg.connect(admin, autocommit=True) as conn:
        assert [r[0] for r in conn.execute("SELECT full_name FROM patients ORDER BY id")] == [None, "TRẦN THỊ CŨ", None]
        conn.execute("INSERT INTO patients (full_name, first_kiosk) VALUES ('', '2')")
        assert conn.execute("SELECT full_name FROM patients ORDER BY id DESC LIMIT 1").fetchone()[0] is None


# ------------------------------------------------------------------ 2. identity confirmation at a hub desk
def test_a_hub_desk_confirms_once_the_hub_uploads_one_xml0_and_the_kiosk_never_another(
        hub, facility, sim, gateway, tmp_path, dev_identity, signer):
    kiosks, desk, _ = facility
    kiosk = kiosks[0]
    ma_lk = nameless_checkin(kiosk)
    kiosk.sync()
    kiosks[1].sync()                                   # another kiosk holds a nameless copy
    assert kiosks[1].store.patients.find_any([("cccd", TYPED)]).full_name is None
    d = desk()
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    _visible(d, s, ma_lk)
    with pytest.raises(ManualCheckinError, match="gender digit disagrees"):     # CCCD digit vs what staff read
        d.desk.identity.confirm(s, ma_lk, NAME, BORN, 2)
    done = d.desk.identity.confirm(s, ma_lk, NAME, BORN, SEX)
    assert done.queued and done.gateway_code == "000" and done.status is VisitStatus.WAITING   # card checked
    assert hub_rows(hub, "SELECT p.full_name, p.birth_date, p.gender, v.status FROM visits v JOIN patients p "
                         "ON p.id = v.patient_id WHERE v.ma_lk = %s", ma_lk) == [(NAME, "1985-04-12", 1, "waiting")]
    [(owner, state, payload)] = hub_rows(hub, "SELECT owner, state, payload FROM outbox WHERE ma_lk = %s", ma_lk)
    assert owner == "hub" and state == "pending"
    xml = etree.fromstring(bytes(payload))
    assert xml.findtext(".//HO_TEN") == NAME and xml.findtext(".//SO_CCCD") == TYPED
    assert xml.findtext(".//MA_LK") == ma_lk and xml.findtext(".//NGAY_SINH").startswith("19850412")
    from tests.facility.test_hub_desk import _xmlsec_verify
    assert _xmlsec_verify(tmp_path, bytes(payload), dev_identity.cert_pem).returncode == 0
    with pytest.raises(DeskError, match="already confirmed"):
        d.desk.identity.confirm(s, ma_lk, NAME, BORN, SEX)
    actions = [r[0] for r in hub_rows(hub, "SELECT action FROM hub_audit WHERE target = %s ORDER BY id",
                                      f"visit:{ma_lk}")]
    assert actions == ["desk.identity_confirm", "eligibility.recheck"]
    from kiosk.facility.hub_staff import verify_audit
    with psycopg.connect(hub.admin_dsn()) as conn:
        assert verify_audit(conn).ok
    # the hub worker uploads it once
    assert _hub_worker(hub, gateway).acked == 1
    # the kiosk pulls the confirmation: its patient named, its visit on, the hub's XML0 parked here
    got = kiosk.sync()
    assert got["receipts_in"] == 1
    local = kiosk.store.visits.by_ma_lk(ma_lk)
    assert kiosk.store.patients.get(local.patient_id).full_name == NAME
    assert local.status is VisitStatus.PROVISIONAL and local.needs_desk_reason is None
    item = kiosk.store.outbox.find("checkin", ma_lk)
    assert item is not None and item.state.value == "acked" and item.receipt is not None and item.receipt.ma_giao_dich
    # the kiosk's own desk cannot confirm it again, its worker uploads nothing
    local_desk, reception = _local_desk(kiosk, signer, gateway, tmp_path)
    with pytest.raises(DeskError, match="already confirmed"):
        local_desk.identity.confirm(reception, local.id, NAME, BORN, SEX)
    _local_worker(kiosk, gateway)
    kiosk.sync()
    kiosks[1].sync()                                   # another kiosk's nameless copy is completed too
    other = kiosks[1].store.patients.find_any([("cccd", TYPED)])
    assert other is not None and (other.full_name, other.birth_date) == (NAME, "1985-04-12")
    assert kiosks[1].store.outbox.find("checkin", ma_lk) is None       # not its visit: nothing to settle
    received = sim.received(ma_lk, with_xml=False)
    assert [r["loai_ho_so"] for r in received] == ["0"] and not received[0]["duplicate"]


def test_two_desks_confirming_at_once_queue_one_xml0(hub, facility):
    kiosks, desk, _ = facility
    ma_lk = nameless_checkin(kiosks[0])
    kiosks[0].sync()
    a, b = desk("Q1", gateway=None), desk("Q2", gateway=None)
    sa, sb = a.accounts.sign_in("le.tan", PINS["le.tan"]), b.accounts.sign_in("quan.tri", PINS["quan.tri"])
    _visible(a, sa, ma_lk), _visible(b, sb, ma_lk)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def confirm(name, d, s):
        start.wait()
        try:
            results[name] = d.desk.identity.confirm(s, ma_lk, NAME, BORN, SEX)
        except Exception as exc:       # noqa: BLE001 - the loser's answer is the point
            results[name] = exc
    threads = [threading.Thread(target=confirm, args=(n, d, s)) for n, d, s in (("a", a, sa), ("b", b, sb))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [r for r in results.values() if not isinstance(r, Exception)]
    lost = [r for r in results.values() if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], DeskError) and ("changed this visit first" in str(lost[0])
                                               or "already confirmed" in str(lost[0]))
    assert won[0].queued and won[0].status is VisitStatus.PROVISIONAL and won[0].gateway_code is None
    assert hub_rows(hub, "SELECT kind, owner FROM outbox WHERE ma_lk = %s", ma_lk) == [("checkin", "hub")]
    assert hub_rows(hub, "SELECT count(*) FROM hub_identity_confirmations") == [(1,)]
    assert hub_rows(hub, "SELECT count(*) FROM hub_audit WHERE action = 'desk.identity_confirm'") == [(1,)]


def test_a_stale_version_is_refused_and_nothing_is_written(hub, facility):
    kiosks, desk, _ = facility
    ma_lk = nameless_checkin(kiosks[0])
    kiosks[0].sync()
    a, b = desk("Q1", gateway=None), desk("Q2", gateway=None)
    sa, sb = a.accounts.sign_in("le.tan", PINS["le.tan"]), b.accounts.sign_in("le.tan", PINS["le.tan"])
    _visible(a, sa, ma_lk), _visible(b, sb, ma_lk)
    b.desk.visits.override_eligibility(sb, ma_lk, "đã xem thẻ giấy")            # B changes it first
    with pytest.raises(DeskError, match="changed this visit first"):
        a.desk.identity.confirm(sa, ma_lk, NAME, BORN, SEX)
    with pytest.raises(DeskError, match="changed this visit first"):            # still what A decided on
        a.desk.identity.confirm(sa, ma_lk, NAME, BORN, SEX)
    assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE ma_lk = %s", ma_lk) == [(0,)]
    assert hub_rows(hub, "SELECT p.full_name FROM visits v JOIN patients p ON p.id = v.patient_id "
                         "WHERE v.ma_lk = %s", ma_lk) == [(None,)]
    _visible(a, sa, ma_lk)                                                     # A reloads and decides again
    assert a.desk.identity.confirm(sa, ma_lk, NAME, BORN, SEX).status is VisitStatus.WAITING   # was overridden


def test_without_the_hub_the_confirmation_is_refused_and_nothing_is_written(hub, facility):
    kiosks, desk, _ = facility
    ma_lk = nameless_checkin(kiosks[0])
    kiosks[0].sync()
    d = desk(gateway=None)
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    _visible(d, s, ma_lk)
    hub.cluster.stop("immediate")
    try:
        with pytest.raises(HubUnavailable):
            d.desk.identity.confirm(s, ma_lk, NAME, BORN, SEX)
    finally:
        hub.cluster.start()
    assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE ma_lk = %s", ma_lk) == [(0,)]
    assert hub_rows(hub, "SELECT count(*) FROM hub_identity_confirmations") == [(0,)]
    assert d.live.wait_online(15)
    _visible(d, s, ma_lk)
    assert d.desk.identity.confirm(s, ma_lk, NAME, BORN, SEX).queued


def test_a_role_without_manual_checkin_cannot_confirm_and_desks_cannot_name_patients_directly(hub, facility):
    kiosks, desk, _ = facility
    ma_lk = nameless_checkin(kiosks[0])
    kiosks[0].sync()
    d = desk(gateway=None)
    doctor = d.accounts.sign_in("bac.si", PINS["bac.si"])
    _visible(d, doctor, ma_lk)
    with pytest.raises(PermissionDenied):
        d.desk.identity.confirm(doctor, ma_lk, NAME, BORN, SEX)
    with hub.connect("hub_desk") as conn:                  # the definer function is the only door
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE patients SET full_name = 'X' WHERE full_name IS NULL")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO hub_identity_confirmations (ma_lk, patient_id, kiosk_id, queued, "
                         "confirmed_by, desk) SELECT ma_lk, patient_id, kiosk_id, true, 'x', 'x' FROM visits")
    with hub.connect("hub_kiosk") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM hub_desk_confirm_identity('x', 1, 'X', '1980', 1, '\\x00', 'x', 'x')")
    assert hub_rows(hub, "SELECT count(*) FROM hub_audit WHERE action = 'desk.identity_confirm'") == [(0,)]


def test_a_kiosk_reconnecting_after_the_hub_desk_confirmed_uploads_no_second_xml0(hub, facility, sim, gateway,
                                                                                 tmp_path, signer):
    """The kiosk is cut off after pushing the visit; a hub desk confirms and the hub worker uploads.
    Meanwhile the kiosk's own desk confirms too (it cannot know): its XML0 waits in its outbox. Back
    online, the kiosk parks its own (the hub's was first), the worker sends nothing: one XML0 at the
    gateway. A second nameless visit, confirmed at the hub only, is settled the same way."""
    kiosks, desk, _ = facility
    kiosk = kiosks[0]
    first = nameless_checkin(kiosk)
    second = nameless_checkin(kiosk, "079085000201")
    kiosk.sync()
    kiosk.set_reachable(False)
    d = desk(gateway=None)
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    for ma_lk, born in ((first, BORN), (second, "1985")):
        _visible(d, s, ma_lk)
        assert d.desk.identity.confirm(s, ma_lk, NAME if ma_lk == first else "LÊ VĂN HAI", born, SEX).queued
    assert _hub_worker(hub, gateway).acked == 2
    local_desk, reception = _local_desk(kiosk, signer, None, tmp_path)
    mine = kiosk.store.visits.by_ma_lk(first)
    local_desk.identity.confirm(reception, mine.id, NAME, BORN, SEX)              # while apart
    assert kiosk.store.outbox.find("checkin", first).state.value == "pending"
    kiosk.set_reachable(True)
    got = kiosk.sync()
    assert got["receipts_in"] == 2
    for ma_lk in (first, second):
        item = kiosk.store.outbox.find("checkin", ma_lk)
        assert item.state.value == "acked" and item.receipt is not None and item.receipt.ma_giao_dich, ma_lk
    other = kiosk.store.patients.get(kiosk.store.visits.by_ma_lk(second).patient_id)
    assert other.full_name == "LÊ VĂN HAI" and other.birth_date == "1985"
    assert _local_worker(kiosk, gateway).acked == 0
    kiosk.sync()
    assert _hub_worker(hub, gateway).acked == 0
    for ma_lk in (first, second):
        received = sim.received(ma_lk, with_xml=False)
        assert len(received) == 1 and not received[0]["duplicate"], ma_lk
    assert hub_rows(hub, "SELECT count(*) FROM outbox WHERE kind = 'checkin'") == [(2,)]
    assert [r[0] for r in kiosk.store.conn.execute(
        "SELECT action FROM audit_log WHERE action = 'facility.identity_confirmed'")] == ["facility.identity_confirmed"] * 2


def test_a_check_in_the_kiosk_already_pushed_is_not_queued_again_by_the_hub(hub, facility, sim, gateway, tmp_path,
                                                                           signer):
    """The kiosk's own desk confirmed first and its XML0 reached the hub (owner the kiosk); the hub's
    patient is still nameless, so a hub desk may confirm too: the patient is named at the hub, nothing
    is queued a second time (outbox key kind + MA_LK), and the gateway receives one XML0."""
    kiosks, desk, _ = facility
    kiosk = kiosks[0]
    ma_lk = nameless_checkin(kiosk)
    kiosk.sync()
    local_desk, reception = _local_desk(kiosk, signer, None, tmp_path)
    local_desk.identity.confirm(reception, kiosk.store.visits.by_ma_lk(ma_lk).id, NAME, BORN, SEX)
    kiosk.sync()
    assert hub_rows(hub, "SELECT owner FROM outbox WHERE ma_lk = %s", ma_lk) == [("kiosk:1",)]
    d = desk(gateway=None)
    s = d.accounts.sign_in("le.tan", PINS["le.tan"])
    _visible(d, s, ma_lk)
    done = d.desk.identity.confirm(s, ma_lk, NAME, BORN, SEX)
    assert not done.queued and done.status is VisitStatus.PROVISIONAL
    assert hub_rows(hub, "SELECT owner FROM outbox WHERE ma_lk = %s", ma_lk) == [("kiosk:1",)]
    assert hub_rows(hub, "SELECT queued FROM hub_identity_confirmations") == [(False,)]
    assert "\"checkin_queued\":false" in hub_rows(hub, "SELECT details FROM hub_audit WHERE action = "
                                                       "'desk.identity_confirm'")[0][0].replace(" ", "")
    assert _local_worker(kiosk, gateway).acked == 1                    # the kiosk uploads its own, once
    kiosk.sync()
    assert _hub_worker(hub, gateway).acked == 0
    assert kiosk.store.outbox.find("checkin", ma_lk).state.value == "acked"
    assert len(sim.received(ma_lk, with_xml=False)) == 1
