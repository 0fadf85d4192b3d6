"""Typed store errors beyond the connection's: integrity violations and schema problems.

Messages name tables and indexes, never values, so they are safe to log.
"""
from __future__ import annotations

from kiosk.store.db import MissingDatabaseError, StoreError, WrongKeyError

__all__ = ["StoreError", "WrongKeyError", "MissingDatabaseError", "IntegrityError",
           "DuplicateActiveTicket", "DuplicateTicketNumber", "DuplicateMaLk", "DuplicateDocument",
           "DuplicateUsername", "NotFound", "SchemaTooNewError", "MigrationError",
           "translate_integrity"]


class IntegrityError(StoreError):
    """The database refused a write (a unique index, a check or a foreign key)."""


class DuplicateActiveTicket(IntegrityError):
    """The patient already holds an active ticket for this service today."""


class DuplicateTicketNumber(IntegrityError):
    """This kiosk already issued that ticket number (or sequence) today."""


class DuplicateMaLk(IntegrityError):
    """A visit with this MA_LK already exists."""


class DuplicateDocument(IntegrityError):
    """That document (kind, number) already belongs to a patient."""


class DuplicateUsername(IntegrityError):
    """A staff account with this username or badge already exists."""


class NotFound(StoreError):
    """The row asked for does not exist."""


class SchemaTooNewError(StoreError):
    def __init__(self, found: int, known: int):
        self.found, self.known = found, known
        super().__init__(f"the database schema {found} was created by a newer kiosk version "
                         f"(schema {found}); this one knows up to schema {known}: upgrade the kiosk")


class MigrationError(StoreError):
    pass


# (fragment of SQLite's "UNIQUE constraint failed: ..." message, typed error)
_UNIQUE = (
    ("tickets.patient_id, tickets.service_code, tickets.day", DuplicateActiveTicket),
    ("tickets.kiosk_id, tickets.day, tickets.number", DuplicateTicketNumber),
    ("tickets.kiosk_id, tickets.day, tickets.seq", DuplicateTicketNumber),
    ("visits.ma_lk", DuplicateMaLk),
    ("patient_documents.kind, patient_documents.number", DuplicateDocument),
    ("staff.username", DuplicateUsername),
    ("staff.badge", DuplicateUsername),
)


def translate_integrity(exc: Exception) -> IntegrityError:
    """Map the driver's IntegrityError to our typed one (the message has column names only)."""
    text = str(exc)
    for fragment, cls in _UNIQUE:
        if fragment in text:
            return cls(text)
    return IntegrityError(text)
