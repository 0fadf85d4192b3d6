"""Pull from the hub: the facility patient index and the receipts of handed-over uploads.

A patient first seen at kiosk A is recognised at kiosk B: online at once (the hub's numbering and
push find them by document), offline from the copy pulled here. Only patients seen within the
kiosk's retention period are pulled, so the local retention rule still holds. A nameless patient
(a first visit by a typed number) is pulled nameless; the identities hub desks confirm follow
(kiosk.facility.pull_identity).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kiosk.facility.cursors import LinkCursors
from kiosk.facility.pull_identity import pull_identities
from kiosk.ops.foreground import step_aside
from kiosk.store.patients import DocumentInput, PatientInput

_KINDS = ("cccd", "old_id", "bhyt", "bhxh")


@dataclass
class PullReport:
    patients: int = 0
    receipts: int = 0
    identities: int = 0
    complete: bool = True


def pull(conn, store, kiosk_id: str, *, retention_days: int = 365, batch: int = 500, chunk: int = 20,
         cursors: LinkCursors | None = None, interrupt: Callable[[], bool] | None = None) -> PullReport:
    """`cursors`: the link's (written late). Rows that bring no patient new here (this kiosk's own
    come back too) write nothing locally; new ones are written `chunk` per transaction, each with
    the cursor up to it, so the kiosk's own writers (a scan) wait for one chunk, not the round.
    `interrupt()` true (a ticket waits to be pushed): it stops after the chunk it wrote, with
    `report.complete` False; the next call goes on from the cursor."""
    cursors = cursors if cursors is not None else LinkCursors(store)
    feed = cursors.feed
    report = PullReport()
    while True:
        cursor = cursors.get("pull.patients")
        with conn.transaction():
            rows = conn.execute(
                "SELECT p.id, p.full_name, p.birth_date, p.gender, "
                "array_agg(d.kind ORDER BY d.kind), array_agg(d.number ORDER BY d.kind), "
                "array_agg(d.valid_to ORDER BY d.kind) "
                "FROM patients p JOIN patient_documents d ON d.patient_id = p.id "
                "WHERE p.id > %s AND p.last_seen > now() - make_interval(days => %s) "
                "GROUP BY p.id ORDER BY p.id LIMIT %s", (cursor, retention_days, batch)).fetchall()
        if not rows:
            break
        step_aside()                # a ticket under way goes first (kiosk.ops.foreground)
        docs_of = [(row, _documents(*row[4:7])) for row in rows]
        known = store.patients.known_documents((d.kind, d.number) for _, docs in docs_of for d in docs)
        fresh = [(row[0], row[1], row[2], row[3], docs) for row, docs in docs_of
                 if docs and not any((d.kind, d.number) in known for d in docs)]
        for at in range(0, len(fresh), chunk):      # short turns: a scan waits for one chunk at most
            part = fresh[at:at + chunk]
            if at and interrupt is not None and interrupt():
                report.complete = False
                return report
            step_aside()
            with store.transaction():
                known = store.patients.known_documents((d.kind, d.number) for *_, docs in part for d in docs)
                for _, name, birth, gender, docs in part:
                    if not any((d.kind, d.number) in known for d in docs):     # still new, now that it writes
                        # a nameless first visit (hub 0006: NULL; '' from a hub before it) stays nameless here
                        store.patients.upsert(PatientInput(full_name=name or None, birth_date=birth, gender=gender),
                                              docs, nameless=not name)
                        known.update((d.kind, d.number) for d in docs)
                        report.patients += 1
                cursors.move({"pull.patients": part[-1][0]}, now=True)
        cursors.move({"pull.patients": rows[-1][0]})
    report.identities = pull_identities(conn, store, kiosk_id)    # before the receipts: they may ack its items
    with conn.transaction():
        done = conn.execute("SELECT kind, ma_lk, receipt_ma_giao_dich, receipt_time FROM outbox "
                            "WHERE kiosk_id = %s AND owner = 'hub' AND state = 'acked'", (kiosk_id,)).fetchall()
        conn.execute("UPDATE hub_kiosks SET last_pull_at = now() WHERE kiosk_id = %s", (kiosk_id,))
    if done:
        with store.transaction():
            for kind, ma_lk, mgd, t in done:
                report.receipts += int(feed.record_hub_receipt(kind, ma_lk, mgd, t))
    return report


def _documents(kinds, numbers, valid_to) -> list[DocumentInput]:
    return [DocumentInput(k, n, valid_to=v, source="desk") for k, n, v in zip(kinds, numbers, valid_to)
            if k in _KINDS and n]

