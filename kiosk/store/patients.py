"""Patients and their documents (CCCD, old ID, BHYT card, BHXH number): the local identity cache.

`find_by_document` is the kiosk's hot path: one query driven by the unique (kind, number) index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from kiosk.core.status import VisitStatus
from kiosk.store._base import Repo
from kiosk.store.errors import NotFound

DOCUMENT_KINDS = ("cccd", "old_id", "bhyt", "bhxh")
SOURCES = ("chip", "qr", "typed", "gateway", "desk")
# when documents of one upsert belong to different stored patients, the first kind here wins
_MATCH_ORDER = {"cccd": 0, "old_id": 1, "bhxh": 2, "bhyt": 3}


@dataclass(frozen=True)
class DocumentInput:
    kind: str                       # cccd | old_id | bhyt | bhxh
    number: str = field(repr=False)
    valid_from: str | None = None   # yyyy-mm-dd
    valid_to: str | None = None
    ma_dkbd: str | None = None
    benefit_level: int | None = None
    issued_on: str | None = None
    source: str = "typed"           # chip | qr | typed | gateway | desk

    def __post_init__(self) -> None:
        if self.kind not in DOCUMENT_KINDS:
            raise ValueError(f"document kind must be one of {DOCUMENT_KINDS}")
        if self.source not in SOURCES:
            raise ValueError(f"document source must be one of {SOURCES}")
        if not self.number:
            raise ValueError("document number is empty")


@dataclass(frozen=True)
class Document:
    id: int
    patient_id: int
    kind: str
    number: str = field(repr=False)
    valid_from: str | None
    valid_to: str | None
    ma_dkbd: str | None
    benefit_level: int | None
    issued_on: str | None
    source: str
    updated_at: str


@dataclass(frozen=True)
class PatientInput:
    """Identity-like fields; None means "not known from this read" and keeps the stored value."""
    full_name: str | None = field(default=None, repr=False)
    birth_date: str | None = field(default=None, repr=False)  # yyyy-mm-dd or yyyy
    gender: int | None = None       # 1 male, 2 female, 3 unknown
    address: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    allergies: str | None = field(default=None, repr=False)
    chronic_conditions: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Patient:
    id: int
    full_name: str | None = field(repr=False)   # None: a first visit whose identity the desk confirms
    birth_date: str | None = field(repr=False)
    gender: int
    address: str | None = field(repr=False)
    phone: str | None = field(repr=False)
    allergies: str | None = field(repr=False)
    chronic_conditions: str | None = field(repr=False)
    first_seen: str
    last_seen: str
    documents: tuple[Document, ...] = ()

    def document(self, kind: str) -> Document | None:
        return next((d for d in self.documents if d.kind == kind), None)


_PATIENT_COLS = ("full_name", "birth_date", "gender", "address", "phone", "allergies", "chronic_conditions")
_DOC_COLS = ("id", "patient_id", "kind", "number", "valid_from", "valid_to", "ma_dkbd", "benefit_level",
             "issued_on", "source", "updated_at")
_P = ", ".join(f"p.{c}" for c in ("id", *_PATIENT_COLS, "first_seen", "last_seen"))
_D = ", ".join(f"d2.{c} AS d_{c}" for c in _DOC_COLS)

# One statement: the (kind, number) unique index finds the document, the rowid the patient,
# the patient_id index the patient's other documents.
_FIND_BY_DOCUMENT = f"""
SELECT {_P}, {_D}
FROM patient_documents d
JOIN patients p ON p.id = d.patient_id
JOIN patient_documents d2 ON d2.patient_id = p.id
WHERE d.kind = ? AND d.number = ?
"""
_FIND_BY_ID = f"""
SELECT {_P}, {_D}
FROM patients p LEFT JOIN patient_documents d2 ON d2.patient_id = p.id
WHERE p.id = ?
"""


# one scan per b-tree of the lookup path: the (kind, number) index, the patient_id index,
# the documents table, the patients table
_WARM = (
    "SELECT sum(length(number)) FROM patient_documents INDEXED BY patient_documents_number WHERE kind >= ''",
    "SELECT sum(patient_id) FROM patient_documents INDEXED BY patient_documents_patient WHERE patient_id > 0",
    "SELECT sum(length(updated_at)) FROM patient_documents NOT INDEXED",
    "SELECT sum(length(coalesce(full_name, ''))) FROM patients NOT INDEXED",
)
_NP = 3 + len(_PATIENT_COLS)   # patient columns come first, in Patient's field order, then the document's


def _assemble(rows: Sequence) -> Patient | None:
    # positional construction: this runs on every lookup, keep it lean
    if not rows:
        return None
    docs = [Document(*r[_NP:]) for r in rows if r[_NP] is not None]
    if len(docs) > 1:
        docs.sort(key=lambda d: _MATCH_ORDER[d.kind])
    # mypy cannot tell that the splat (the _NP patient columns) stops before `documents`
    return Patient(*rows[0][:_NP], documents=tuple(docs))  # type: ignore[misc]


class PatientRepo(Repo):
    def find_by_document(self, kind: str, number: str) -> Patient | None:
        return _assemble(self.conn.execute(_FIND_BY_DOCUMENT, (kind, number)).fetchall())

    def find_any(self, keys: Iterable[tuple[str, str]]) -> Patient | None:
        """The first patient found by (kind, number) pairs, tried in the order given."""
        for kind, number in keys:
            found = self.find_by_document(kind, number)
            if found:
                return found
        return None

    def known_documents(self, pairs: Iterable[tuple[str, str]], *, per_query: int = 250) -> set[tuple[str, str]]:
        """Which of these (kind, number) pairs some patient here holds: a few queries for a whole
        batch (the facility pull checks hundreds of patients at a time), not two per patient."""
        wanted = list(dict.fromkeys(pairs))
        known: set[tuple[str, str]] = set()
        for at in range(0, len(wanted), per_query):
            part = wanted[at:at + per_query]
            rows = self.conn.execute(known_documents_sql(len(part)), [x for pair in part for x in pair]).fetchall()
            known.update((k, n) for k, n in rows)
        return known

    def get(self, patient_id: int) -> Patient | None:
        return _assemble(self.conn.execute(_FIND_BY_ID, (patient_id,)).fetchall())

    def upsert(self, fields: PatientInput, documents: Sequence[DocumentInput], *, nameless: bool = False) -> Patient:
        """Find the patient by any of `documents`, update the known fields, add/refresh documents.

        A new patient needs a full name unless `nameless`: a first-time patient who typed a valid
        number the kiosk does not know yet; the desk confirms who it is (issue 14 M7).

        A document number identifies one person: if a document was stored under another patient
        record, it moves to the one matched first (CCCD before old ID before BHXH/BHYT).
        """
        now = self._now()
        existing_id = None
        for doc in sorted(documents, key=lambda d: _MATCH_ORDER[d.kind]):
            row = self.conn.execute("SELECT patient_id FROM patient_documents WHERE kind = ? AND number = ?",
                                    (doc.kind, doc.number)).fetchone()
            if row:
                existing_id = row[0]
                break
        with self._writing():
            if existing_id is None:
                if not fields.full_name and not nameless:
                    raise ValueError("a new patient needs a full name")
                values = [getattr(fields, c) for c in _PATIENT_COLS]
                values[2] = values[2] or 3
                cur = self.conn.execute(
                    f"INSERT INTO patients ({', '.join(_PATIENT_COLS)}, first_seen, last_seen) "
                    f"VALUES ({', '.join('?' * len(_PATIENT_COLS))}, ?, ?)", (*values, now, now))
                patient_id = cur.lastrowid
            else:
                patient_id = existing_id
                known = {c: getattr(fields, c) for c in _PATIENT_COLS if getattr(fields, c) is not None}
                sets = ", ".join(f"{c} = ?" for c in known)
                self.conn.execute(f"UPDATE patients SET {sets + ', ' if sets else ''}last_seen = ? WHERE id = ?",
                                  (*known.values(), now, patient_id))
            for doc in documents:
                self._put_document(patient_id, doc, now)
        patient = self.get(patient_id)
        assert patient is not None
        return patient

    def _put_document(self, patient_id: int, doc: DocumentInput, now: str) -> None:
        self.conn.execute(
            """INSERT INTO patient_documents (patient_id, kind, number, valid_from, valid_to, ma_dkbd,
                   benefit_level, issued_on, source, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (kind, number) DO UPDATE SET
                   patient_id = excluded.patient_id,
                   valid_from = coalesce(excluded.valid_from, valid_from),
                   valid_to = coalesce(excluded.valid_to, valid_to),
                   ma_dkbd = coalesce(excluded.ma_dkbd, ma_dkbd),
                   benefit_level = coalesce(excluded.benefit_level, benefit_level),
                   issued_on = coalesce(excluded.issued_on, issued_on),
                   source = excluded.source,
                   updated_at = excluded.updated_at""",
            (patient_id, doc.kind, doc.number, doc.valid_from, doc.valid_to, doc.ma_dkbd,
             doc.benefit_level, doc.issued_on, doc.source, now))

    def add_document(self, patient_id: int, doc: DocumentInput) -> None:
        with self._writing():
            self._put_document(patient_id, doc, self._now())

    def update_notes(self, patient_id: int, allergies: str | None, chronic_conditions: str | None) -> None:
        """Replace the health-book notes (None clears one); raises NotFound for an unknown patient."""
        self._update(patient_id, {"allergies": allergies, "chronic_conditions": chronic_conditions})

    def correct(self, patient_id: int, *, full_name: str | None = None, birth_date: str | None = None,
                gender: int | None = None) -> None:
        """A staff correction of identity fields (None keeps the stored value); last_seen stays.
        The caller validates and normalises the values."""
        given = {"full_name": full_name, "birth_date": birth_date, "gender": gender}
        known = {c: v for c, v in given.items() if v is not None}
        if known:
            self._update(patient_id, known)

    def _update(self, patient_id: int, values: dict) -> None:
        # column names come from the fixed dicts above, never from input
        with self._writing():
            cur = self.conn.execute(f"UPDATE patients SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                                    (*values.values(), patient_id))
        if cur.rowcount == 0:
            raise NotFound(f"no patient {patient_id}")

    def touch(self, patient_id: int, last_seen: str | None = None) -> None:
        self.conn.execute("UPDATE patients SET last_seen = ? WHERE id = ?", (last_seen or self._now(), patient_id))

    def purge_not_seen_since(self, day: str) -> int:
        """Delete patients last seen before `day` (yyyy-mm-dd, UTC) and, by cascade, their rows.

        Patients with a visit still open are kept whatever their last_seen.
        """
        cur = self.conn.execute(
            """DELETE FROM patients WHERE last_seen < ? AND NOT EXISTS (
                   SELECT 1 FROM visits v WHERE v.patient_id = patients.id
                   AND v.status NOT IN (?, ?))""", (day, VisitStatus.CLOSED, VisitStatus.CANCELLED))
        return cur.rowcount

    def oldest_seen(self) -> str | None:
        """The earliest last_seen of any patient (where a retention walk starts)."""
        return self.conn.execute("SELECT min(last_seen) FROM patients").fetchone()[0]

    def warm_cache(self) -> None:
        """Read every page a lookup can touch once, so later lookups never wait for decryption.

        Run it on the connection that serves lookups (the page cache is per connection), with
        cache_size at least the working set (see tests/bench/bench_store_lookup.py)."""
        for sql in _WARM:
            self.conn.execute(sql).fetchone()

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM patients").fetchone()[0]


def known_documents_sql(pairs: int) -> str:
    """CROSS JOIN keeps the VALUES outside: one index search per pair (`(kind, number) IN (VALUES …)`
    would scan the whole index)."""
    return ("WITH v(kind, number) AS (VALUES " + ", ".join(["(?, ?)"] * pairs) + ") "
            "SELECT d.kind, d.number FROM v CROSS JOIN patient_documents d ON d.kind = v.kind AND d.number = v.number")
