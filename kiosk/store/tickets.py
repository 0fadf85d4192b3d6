"""Queue tickets: numbered per kiosk and day; one active ticket per patient, service and day.

Both rules are unique indexes, so the database refuses a violation (DuplicateActiveTicket,
DuplicateTicketNumber) even if the UI let one through.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from kiosk.core.status import ACTIVE_TICKET_STATUSES as ACTIVE_STATUSES
from kiosk.core.status import OPEN_VISIT_STATUSES, TicketStatus
from kiosk.store._base import Repo, row_to
from kiosk.store.errors import NotFound

TICKET_STATUSES = tuple(TicketStatus)


@dataclass(frozen=True)
class Ticket:
    id: int
    visit_id: int
    patient_id: int
    service_code: str
    kiosk_id: str
    day: str
    seq: int
    number: str
    priority: int
    status: TicketStatus
    issued_at: str
    printed_at: str | None
    print_count: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", TicketStatus(self.status))

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


_COLS = ", ".join(f.name for f in fields(Ticket))


class TicketRepo(Repo):
    def next_seq(self, kiosk_id: str, day: str) -> int:
        """The next sequence number of this kiosk today; call inside the issuing transaction
        (BEGIN IMMEDIATE holds the write lock, so two issuers cannot read the same maximum)."""
        row = self.conn.execute("SELECT max(seq) FROM tickets WHERE kiosk_id = ? AND day = ?",
                                (kiosk_id, day)).fetchone()
        return (row[0] or 0) + 1

    def insert(self, *, visit_id: int, patient_id: int, service_code: str, kiosk_id: str, day: str,
               seq: int, number: str, priority: int = 0) -> Ticket:
        with self._writing():
            cur = self.conn.execute(
                """INSERT INTO tickets (visit_id, patient_id, service_code, kiosk_id, day, seq, number,
                       priority, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (visit_id, patient_id, service_code, kiosk_id, day, seq, number, priority, self._now()))
        return self.get(cur.lastrowid)

    def get(self, ticket_id: int) -> Ticket:
        row = self.conn.execute(f"SELECT {_COLS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise NotFound(f"no ticket {ticket_id}")
        return row_to(Ticket, row)

    def by_number(self, number: str, day: str, kiosk_id: str | None = None) -> Ticket | None:
        if kiosk_id is None:
            row = self.conn.execute(f"SELECT {_COLS} FROM tickets WHERE day = ? AND number = ? "
                                    "ORDER BY id DESC LIMIT 1", (day, number)).fetchone()
        else:
            row = self.conn.execute(f"SELECT {_COLS} FROM tickets WHERE kiosk_id = ? AND day = ? AND number = ?",
                                    (kiosk_id, day, number)).fetchone()
        return None if row is None else row_to(Ticket, row)

    def for_visit(self, visit_id: int) -> list[Ticket]:
        rows = self.conn.execute(f"SELECT {_COLS} FROM tickets WHERE visit_id = ? ORDER BY id", (visit_id,))
        return [row_to(Ticket, r) for r in rows]

    def active_for(self, patient_id: int, service_code: str, day: str) -> Ticket | None:
        # the literal words (TicketStatus.CANCELLED, .DONE) must stay in the SQL text: SQLite uses
        # the partial index tickets_one_active only when it can see the query implies its WHERE
        row = self.conn.execute(
            f"""SELECT {_COLS} FROM tickets WHERE patient_id = ? AND service_code = ? AND day = ?
                AND status NOT IN ('cancelled', 'done')""", (patient_id, service_code, day)).fetchone()
        return None if row is None else row_to(Ticket, row)

    def active_services(self, patient_id: int, day: str) -> list[str]:
        """Services the patient already holds an active ticket for on `day` (the service screen
        marks them: issue 14 minor 7)."""
        rows = self.conn.execute(
            """SELECT DISTINCT service_code FROM tickets WHERE patient_id = ? AND day = ?
               AND status NOT IN ('cancelled', 'done') ORDER BY service_code""", (patient_id, day))
        return [r[0] for r in rows]

    def set_status(self, ticket_id: int, status: TicketStatus | str) -> Ticket:
        try:
            status = TicketStatus(status)
        except ValueError:
            raise ValueError(f"ticket status must be one of {[s.value for s in TicketStatus]}") from None
        with self._writing():
            cur = self.conn.execute("UPDATE tickets SET status = ? WHERE id = ?", (status, ticket_id))
        if cur.rowcount == 0:
            raise NotFound(f"no ticket {ticket_id}")
        return self.get(ticket_id)

    def mark_printed(self, ticket_id: int) -> Ticket:
        cur = self.conn.execute("""UPDATE tickets SET status = ?, printed_at = ?,
                                       print_count = print_count + 1 WHERE id = ?""",
                                (TicketStatus.PRINTED, self._now(), ticket_id))
        if cur.rowcount == 0:
            raise NotFound(f"no ticket {ticket_id}")
        return self.get(ticket_id)

    def set_priority_for_visit(self, visit_id: int, priority: int) -> int:
        """Set the priority (0/1) of the visit's active tickets; returns how many changed."""
        marks = ", ".join("?" * len(ACTIVE_STATUSES))
        return self.conn.execute(f"UPDATE tickets SET priority = ? WHERE visit_id = ? AND status IN ({marks})",
                                 (priority, visit_id, *ACTIVE_STATUSES)).rowcount

    def waiting_before(self, day: str, service_code: str, ticket_id: int) -> int:
        """How many active tickets of this service and day, issued before `ticket_id`, belong to
        visits still waiting (waiting, provisional, needs_desk): the queue ahead of it."""
        row = self.conn.execute(
            f"""SELECT count(*) FROM tickets t JOIN visits v ON v.id = t.visit_id
               WHERE t.day = ? AND t.service_code = ? AND t.id < ?
               AND t.status IN ({', '.join('?' * len(ACTIVE_STATUSES))})
               AND v.status IN ({', '.join('?' * len(OPEN_VISIT_STATUSES))})""",
            (day, service_code, ticket_id, *ACTIVE_STATUSES, *OPEN_VISIT_STATUSES)).fetchone()
        return int(row[0])

    def mark_print_failed(self, ticket_id: int) -> Ticket:
        return self.set_status(ticket_id, TicketStatus.PRINT_FAILED)

    def unprinted(self, day: str, issued_before: str) -> list[Ticket]:
        """Tickets of `day` committed before `issued_before` (ISO) that never reached the printer: the
        kiosk stopped between the commit and the print (red-team Info). The desk offers them for reprint."""
        rows = self.conn.execute(f"""SELECT {_COLS} FROM tickets WHERE day = ? AND status = ? AND printed_at IS NULL
                                     AND issued_at < ? ORDER BY id""", (day, TicketStatus.ISSUED, issued_before))
        return [row_to(Ticket, r) for r in rows]

    def list_day(self, day: str, kiosk_id: str | None = None) -> list[Ticket]:
        if kiosk_id is None:
            rows = self.conn.execute(f"SELECT {_COLS} FROM tickets WHERE day = ? ORDER BY id", (day,))
        else:
            rows = self.conn.execute(f"SELECT {_COLS} FROM tickets WHERE kiosk_id = ? AND day = ? ORDER BY seq",
                                     (kiosk_id, day))
        return [row_to(Ticket, r) for r in rows]
