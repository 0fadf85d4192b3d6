"""PatientRepo.known_documents: which (kind, number) pairs the kiosk already holds, for a whole
batch in a few queries, each pair an index search (the facility pull checks hundreds at a time)."""
from __future__ import annotations

from kiosk.store.patients import DocumentInput, PatientInput, known_documents_sql


def test_known_documents_finds_exactly_the_held_pairs_in_any_batch_size(store):
    with store.transaction():
        for i in range(30):
            store.patients.upsert(PatientInput(full_name=f"KHÁCH THỬ {i}", birth_date="1990-01-01"),
                                  [DocumentInput("cccd", f"0790900{i:05d}"), DocumentInput("bhyt", f"GD47900{i:08d}")])
    asked = ([("cccd", f"0790900{i:05d}") for i in range(0, 40, 3)]
             + [("bhyt", f"GD47900{i:08d}") for i in range(25, 35)]
             + [("bhyt", "0790900" + "00001"), ("cccd", "0790900" + "00001")])    # right number, wrong kind
    expected = ({("cccd", f"0790900{i:05d}") for i in range(0, 30, 3)} | {("bhyt", f"GD47900{i:08d}") for i in range(25, 30)}
                | {("cccd", "079090000001")})
    assert store.patients.known_documents(asked) == expected
    assert store.patients.known_documents(asked, per_query=4) == expected
    assert store.patients.known_documents([]) == set()


def test_each_pair_is_an_index_search_not_a_scan(store):
    plan = store.conn.execute("EXPLAIN QUERY PLAN " + known_documents_sql(2), ["cccd", "1", "bhyt", "2"]).fetchall()
    details = " | ".join(str(r[-1]) for r in plan)
    assert "SEARCH d USING COVERING INDEX patient_documents_number" in details and "SCAN d" not in details
