"""Repositories over schema 1: typed results, unique indexes held by the database, transactions."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlcipher3

from kiosk.store.eligibility import EligibilityInput
from kiosk.store.errors import (
    DuplicateActiveTicket, DuplicateMaLk, DuplicateTicketNumber, DuplicateUsername, IntegrityError,
)
from kiosk.store.outbox import OutboxRepo
from kiosk.store.patients import DocumentInput, Patient, PatientInput
from kiosk.store.visits import VisitInput
from store_helpers import DAY, add_patient, add_visit_with_ticket


# --- unique indexes: the database itself refuses

def test_second_active_ticket_same_patient_service_day_refused_by_the_database(store):
    p = add_patient(store)
    v, t = add_visit_with_ticket(store, p, ma_lk="L1")
    # bypass the repository: raw SQL, as a buggy caller would
    with pytest.raises(sqlcipher3.IntegrityError, match="UNIQUE"):
        store.conn.execute("""INSERT INTO tickets (visit_id, patient_id, service_code, kiosk_id, day, seq, number,
                              issued_at) VALUES (?, ?, 'K01', '1', ?, 99, 'A1-099', 'now')""", (v.id, p.id, DAY))
    with pytest.raises(DuplicateActiveTicket):
        add_visit_with_ticket(store, p, ma_lk="L2")
    assert store.visits.by_ma_lk("L2") is None           # the whole action rolled back
    # another service, another day, or after the first is cancelled: allowed
    add_visit_with_ticket(store, p, ma_lk="L3", service="K02")
    add_visit_with_ticket(store, p, ma_lk="L4", day="2026-11-21")
    store.tickets.set_status(t.id, "cancelled")
    _, t5 = add_visit_with_ticket(store, p, ma_lk="L5")
    assert t5.active
    with pytest.raises(DuplicateActiveTicket):           # re-activating the cancelled one collides
        store.tickets.set_status(t.id, "issued")


def test_ticket_number_unique_per_kiosk_and_day(store):
    a = add_patient(store)
    b = add_patient(store, name="LÊ VĂN BÌNH", cccd="001080099999", bhyt=None)
    add_visit_with_ticket(store, a, ma_lk="L1", number="A1-001")
    with pytest.raises(DuplicateTicketNumber):
        add_visit_with_ticket(store, b, ma_lk="L2", number="A1-001")
    with store.transaction():
        v = store.visits.create(VisitInput("L3", b.id, "1", DAY, "K01"))
        with pytest.raises(DuplicateTicketNumber):      # same seq, other number
            store.tickets.insert(visit_id=v.id, patient_id=b.id, service_code="K01", kiosk_id="1", day=DAY,
                                 seq=1, number="A1-777")
    add_visit_with_ticket(store, b, ma_lk="L4", kiosk="2", number="A1-001")     # other kiosk
    add_visit_with_ticket(store, b, ma_lk="L5", day="2026-11-21", number="A1-001")   # other day


def test_next_seq_counts_per_kiosk_and_day(store):
    p = add_patient(store)
    q = add_patient(store, name="ĐỖ THỊ CÚC", cccd="001180077777", bhyt=None)
    _, t1 = add_visit_with_ticket(store, p, ma_lk="L1")
    _, t2 = add_visit_with_ticket(store, q, ma_lk="L2")
    _, t3 = add_visit_with_ticket(store, q, ma_lk="L3", kiosk="2", service="K02")
    assert (t1.seq, t2.seq, t3.seq) == (1, 2, 1)
    assert (t1.number, t2.number, t3.number) == ("A1-001", "A1-002", "A2-001")


def test_ma_lk_unique(store):
    p = add_patient(store)
    store.visits.create(VisitInput("SAME", p.id, "1", DAY, "K01"))
    with pytest.raises(DuplicateMaLk):
        store.visits.create(VisitInput("SAME", p.id, "1", DAY, "K02"))


# --- transactions

def test_transaction_rolls_back_the_whole_action(store):
    p = add_patient(store)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.visits.create(VisitInput("L1", p.id, "1", DAY, "K01"))
            store.outbox.enqueue("checkin", "L1", b"<x/>")
            raise RuntimeError("printer exploded")
    assert store.visits.by_ma_lk("L1") is None
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert not store.conn.in_transaction


def test_nested_transaction_is_a_savepoint(store):
    p = add_patient(store)
    with store.transaction():
        store.visits.create(VisitInput("OUTER", p.id, "1", DAY, "K01"))
        with pytest.raises(IntegrityError):
            with store.transaction():
                store.visits.create(VisitInput("INNER", p.id, "1", DAY, "K02"))
                store.visits.create(VisitInput("OUTER", p.id, "1", DAY, "K03"))
        assert store.conn.in_transaction
    assert store.visits.by_ma_lk("OUTER") is not None
    assert store.visits.by_ma_lk("INNER") is None


def test_repositories_never_commit(store):
    p = add_patient(store)
    store.conn.execute("BEGIN IMMEDIATE")
    store.visits.create(VisitInput("L1", p.id, "1", DAY, "K01"))
    store.settings.set("a", "b")
    store.patients.touch(p.id)
    assert store.conn.in_transaction
    store.conn.execute("ROLLBACK")
    assert store.visits.by_ma_lk("L1") is None and store.settings.get("a") is None


# --- patients

def test_find_by_document_is_one_indexed_query(store):
    p = add_patient(store)
    found = store.patients.find_by_document("cccd", "001080012345")
    assert isinstance(found, Patient) and found.id == p.id
    assert [d.kind for d in found.documents] == ["cccd", "bhyt"]
    assert store.patients.find_by_document("bhyt", "DN4797932123456").id == p.id
    assert store.patients.find_by_document("cccd", "000000000000") is None
    from kiosk.store.patients import _FIND_BY_DOCUMENT
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + _FIND_BY_DOCUMENT, ("cccd", "x")))
    assert "patient_documents_number" in plan and "SCAN" not in plan


def test_upsert_updates_known_fields_and_adds_documents(store, clock):
    p = add_patient(store, birth_date="1980")
    clock.advance(3600)
    with store.transaction():
        q = store.patients.upsert(PatientInput(full_name="NGUYỄN VĂN AN", birth_date="1980-05-06", phone="0912000111"),
                                  [DocumentInput("bhyt", "DN4797932123456", valid_to="2027-12-31", source="qr"),
                                   DocumentInput("bhxh", "7932123456")])
    assert q.id == p.id and q.birth_date == "1980-05-06" and q.phone == "0912000111"
    assert q.last_seen > p.last_seen and q.first_seen == p.first_seen
    assert {d.kind for d in q.documents} == {"cccd", "bhyt", "bhxh"}
    assert q.document("bhyt").valid_to == "2027-12-31" and q.document("bhyt").source == "qr"
    assert store.patients.count() == 1


def test_a_document_moves_to_the_patient_matched_by_cccd(store):
    a = add_patient(store, cccd="001080012345", bhyt="DN4797932123456")
    b = add_patient(store, name="TRẦN VĂN BA", cccd="001080054321", bhyt=None)
    with store.transaction():
        store.patients.upsert(PatientInput(), [DocumentInput("cccd", "001080054321"),
                                               DocumentInput("bhyt", "DN4797932123456")])
    assert store.patients.find_by_document("bhyt", "DN4797932123456").id == b.id
    assert [d.kind for d in store.patients.get(a.id).documents] == ["cccd"]


def test_new_patient_needs_a_name(store):
    with pytest.raises(ValueError):
        store.patients.upsert(PatientInput(), [DocumentInput("cccd", "001080012345")])
    with pytest.raises(ValueError):
        DocumentInput("passport", "X")


def test_purge_not_seen_since(store, clock):
    old = add_patient(store, cccd="001080000001", bhyt=None)
    open_visit = add_patient(store, name="VŨ THỊ MAI", cccd="001080000002", bhyt=None)
    add_visit_with_ticket(store, open_visit, ma_lk="OPEN")
    clock.advance(400 * 86400)
    recent = add_patient(store, name="HỒ VĂN NAM", cccd="001080000003", bhyt=None)
    with store.transaction():
        assert store.patients.purge_not_seen_since("2027-01-01") == 1
    assert store.patients.get(old.id) is None
    assert store.patients.find_by_document("cccd", "001080000001") is None    # documents cascade
    assert store.patients.get(open_visit.id) is not None and store.patients.get(recent.id) is not None
    store.visits.set_status(store.visits.by_ma_lk("OPEN").id, "closed")
    assert store.patients.purge_not_seen_since("2027-01-01") == 1
    assert store.visits.by_ma_lk("OPEN") is None


# --- visits and tickets

def test_visit_status_and_day_list(store, clock):
    a = add_patient(store)
    b = add_patient(store, name="LÊ THỊ HOA", cccd="001180012345", bhyt=None)
    va, ta = add_visit_with_ticket(store, a, ma_lk="LA")
    vb, tb = add_visit_with_ticket(store, b, ma_lk="LB", service="K02")
    store.visits.set_status(vb.id, "needs_desk", needs_desk_reason="card_expired")
    assert [e.visit.ma_lk for e in store.visits.list_day(DAY)] == ["LA", "LB"]
    assert [e.visit.ma_lk for e in store.visits.list_day(DAY, statuses=("needs_desk",))] == ["LB"]
    assert [e.visit.ma_lk for e in store.visits.list_day(DAY, service_code="K01")] == ["LA"]
    assert [e.ticket_number for e in store.visits.list_day(DAY, search=tb.number.lower())] == [tb.number]
    assert [e.full_name for e in store.visits.list_day(DAY, search="HOA")] == ["LÊ THỊ HOA"]
    assert [e.visit.ma_lk for e in store.visits.list_day(DAY, search="001080012345")] == ["LA"]
    assert store.visits.list_day("2026-11-21") == []
    closed = store.visits.close(va.id, '{"icd": "J00"}', follow_up_date="2026-12-01")
    assert closed.status == "closed" and closed.closed_at and closed.follow_up_date == "2026-12-01"
    assert store.visits.count_day(DAY, "closed") == 1


def test_ticket_lookup_and_printing(store):
    p = add_patient(store)
    v, t = add_visit_with_ticket(store, p)
    assert store.tickets.by_number(t.number, DAY).id == t.id
    assert store.tickets.by_number(t.number, DAY, kiosk_id="2") is None
    assert store.tickets.mark_print_failed(t.id).status == "print_failed"
    printed = store.tickets.mark_printed(t.id)
    assert printed.status == "printed" and printed.print_count == 1 and printed.printed_at
    assert store.tickets.mark_printed(t.id).print_count == 2
    assert store.tickets.active_for(p.id, "K01", DAY).id == t.id
    assert [x.id for x in store.tickets.for_visit(v.id)] == [t.id]


# --- eligibility, staff, settings, devices, audit, outbox

def test_latest_fresh_eligibility(store, clock):
    p = add_patient(store)
    card = "DN4797932123456"
    store.eligibility.insert(EligibilityInput(card, "valid", patient_id=p.id, result_code="000"))
    clock.advance(60)
    store.eligibility.insert(EligibilityInput(card, "provisional", patient_id=p.id, provisional=True))
    fresh = store.eligibility.latest_fresh(card, timedelta(hours=12))
    assert fresh.verdict == "valid" and fresh.provisional is False
    assert store.eligibility.latest(card).verdict == "provisional"
    clock.advance(13 * 3600)
    assert store.eligibility.latest_fresh(card, timedelta(hours=12)) is None


def test_staff_crud_and_failures(store):
    s = store.staff.create("thu.ngan", "Thu Ngân", "reception", "$argon2id$x", badge="B1")
    with pytest.raises(DuplicateUsername):
        store.staff.create("thu.ngan", "Other", "admin", "$argon2id$y")
    assert store.staff.record_failure(s.id) == 1
    assert store.staff.record_failure(s.id, lock_until_ts=1234.0) == 2
    assert store.staff.by_username("thu.ngan").locked_until_ts == 1234.0
    store.staff.reset_failures(s.id)
    assert store.staff.get(s.id).failed_attempts == 0
    assert store.staff.update(s.id, role="admin", active=False).role == "admin"
    assert store.staff.list() == [] and len(store.staff.list(include_inactive=True)) == 1
    assert store.staff.by_badge("B1").id == s.id
    store.staff.delete(s.id)
    assert store.staff.by_username("thu.ngan") is None


def test_settings_and_devices(store, clock):
    assert store.settings.get("x", "d") == "d"
    store.settings.set("x", "1")
    store.settings.set("x", "2")
    assert store.settings.get("x") == "2" and store.settings.all() == {"x": "2"}
    d = store.devices.upsert("printer", "escpos-usb", "04b8:0202", name="TM-T20")
    clock.advance(10)
    d2 = store.devices.upsert("printer", "escpos-usb", "04b8:0202", enabled=False)
    assert d2.id == d.id and d2.name == "TM-T20" and d2.enabled is False and d2.last_seen > d.last_seen
    store.devices.upsert("scanner", "wedge", "kbd")
    assert [x.role for x in store.devices.list()] == ["printer", "scanner"]
    assert store.devices.list(enabled_only=True)[0].role == "scanner"


def test_audit_is_append_only(store):
    from kiosk.security.audit_chain import GENESIS, entry_hash, verify_chain
    prev = GENESIS
    for i in range(3):
        row = {"at": f"2026-11-20T01:3{i}:00+00:00", "actor": "kiosk", "role": None, "action": f"a{i}",
               "target": None, "details": "{}", "prev_hash": prev}
        row["hash"] = prev = entry_hash(row["prev_hash"], row["at"], row["actor"], row["role"], row["action"],
                                        row["target"], row["details"])
        store.audit.append(row)
    entries = list(store.audit.iter_all(batch=2))
    assert [e.action for e in entries] == ["a0", "a1", "a2"]
    assert verify_chain(entries, f"3:{prev}").ok
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit_log SET action = 'x'")
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM audit_log")
    assert store.audit.last().action == "a2" and store.audit.count() == 3


def test_store_wires_the_outbox(store):
    assert isinstance(store.outbox, OutboxRepo)


def test_two_connections_issuing_at_once_never_share_a_number(store, data_dir, key, clock):
    import threading
    patients = [add_patient(store, name="NGÔ VĂN TÁM", cccd=f"0010800{i:05d}", bhyt=None) for i in range(40)]
    errors = []

    def issue(chunk):
        from kiosk.store import open_store
        s = open_store(data_dir, key, clock=clock, check_same_thread=False)
        try:
            for i, p in chunk:
                add_visit_with_ticket(s, p, ma_lk=f"T{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            s.close()
    jobs = list(enumerate(patients))
    threads = [threading.Thread(target=issue, args=(jobs[k::2],)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = sorted(t.seq for t in store.tickets.list_day(DAY, kiosk_id="1"))
    assert seqs == list(range(1, 41))


def test_auto_cache_size_follows_the_database(store, data_dir, key):
    from kiosk.store.db import connect, db_path
    add_patient(store)
    store.patients.warm_cache()
    conn = connect(db_path(data_dir), key, cache_mib=0)
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == -8 * 1024    # small db: the 8 MiB floor
    conn.close()
    conn = connect(db_path(data_dir), key, cache_mib=3)
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == -3 * 1024
    conn.close()


# --- privacy: a stray `%r` or an exception carrying a row shows no one

def test_reprs_of_rows_hide_names_numbers_and_health_data(store):
    p = add_patient(store, name="PHẠM THỊ MẬN", cccd="079190555666", bhyt="GD4797919055566", phone="0912345678",
                    address="12 Lê Lợi", allergies="Dị ứng penicillin", chronic_conditions="Tăng huyết áp")
    visit, _ = add_visit_with_ticket(store, p, ma_lk="L-REPR")
    with store.transaction():
        check = store.eligibility.insert(EligibilityInput("GD4797919055566", "valid", patient_id=p.id,
                                                          message="Thẻ của PHẠM THỊ MẬN",
                                                          new_card_number="GD4797919055577",
                                                          raw_json='{"hoTen": "PHẠM THỊ MẬN"}'))
    staff = store.staff.create("le.tan", "Võ Thị Lễ Tân", "reception", "$argon2id$v=19$secret",
                               badge="BADGE-7731")
    rows = [staff, p, *p.documents, PatientInput(full_name="PHẠM THỊ MẬN", phone="0912345678"),
            DocumentInput("cccd", "079190555666"), visit, check, *store.visits.list_day(DAY)]
    shown = " ".join(repr(r) for r in rows)
    for secret in ("PHẠM", "MẬN", "079190555666", "GD47979190555", "0912345678", "Lê Lợi", "penicillin",
                   "huyết áp", "Lễ Tân", "argon2id", "BADGE-7731"):
        assert secret not in shown, secret
    assert "ma_lk='L-REPR'" in shown and f"id={p.id}" in shown and "DayListEntry(" in shown
    assert "username='le.tan'" in shown
