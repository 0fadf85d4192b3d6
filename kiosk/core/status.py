"""The lifecycle words of a visit, a ticket and an upload, as enums.

They are StrEnums: each member *is* the string stored in the database (`VisitStatus.WAITING ==
"waiting"`), so rows written before these enums existed read back unchanged, SQL parameters need
no conversion and the CHECK constraints of migrations/0001_init.sql stay the source of truth.
"""
from __future__ import annotations

from enum import StrEnum


class VisitStatus(StrEnum):
    WAITING = "waiting"            # ticket issued, in the queue
    PROVISIONAL = "provisional"    # issued while the gateway was unreachable; re-checked later
    NEEDS_DESK = "needs_desk"      # the kiosk could not finish; staff must look (reason stored)
    IN_PROGRESS = "in_progress"    # called in by the doctor
    CLOSED = "closed"              # the doctor closed it; a dossier was queued
    CANCELLED = "cancelled"


class TicketStatus(StrEnum):
    ISSUED = "issued"
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"
    SHOWN = "shown"                # shown on screen instead of printed
    CANCELLED = "cancelled"
    DONE = "done"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"            # leased by a sync worker
    ACKED = "acked"
    DEAD = "dead"                  # refused for good; staff must look
    HANDED_OVER = "handed_over"    # the facility hub's worker owns it now (issue 17); final here


# a ticket in one of these holds the patient's place (the database's unique index says the same)
ACTIVE_TICKET_STATUSES: tuple[TicketStatus, ...] = (
    TicketStatus.ISSUED, TicketStatus.PRINTED, TicketStatus.PRINT_FAILED, TicketStatus.SHOWN)
# visits still in the waiting room
OPEN_VISIT_STATUSES: tuple[VisitStatus, ...] = (
    VisitStatus.WAITING, VisitStatus.PROVISIONAL, VisitStatus.NEEDS_DESK)
