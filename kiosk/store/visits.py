"""Visits (one per check-in, keyed by MA_LK) and the day's list the desk works from."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from kiosk.core.status import TicketStatus, VisitStatus
from kiosk.store._base import Repo, row_to
from kiosk.store.errors import NotFound

VISIT_STATUSES = tuple(VisitStatus)


def _visit_status(status: str) -> VisitStatus:
    try:
        return VisitStatus(status)
    except ValueError:
        raise ValueError(f"visit status must be one of {[s.value for s in VisitStatus]}") from None


@dataclass(frozen=True)
class VisitInput:
    ma_lk: str
    patient_id: int
    kiosk_id: str
    visit_day: str                      # yyyy-mm-dd, local day of the facility
    service_code: str
    service_name: str | None = None
    room: str | None = None
    priority: str | None = None
    status: VisitStatus = VisitStatus.WAITING
    needs_desk_reason: str | None = None
    eligibility_id: int | None = None
    ma_the_bhyt: str | None = field(default=None, repr=False)
    ma_doituong_kcb: str = "1.1"        # a QĐ 824/3276 code (migration 0005)
    id_method: str | None = None        # kiosk.core.idmethods code (how the patient was identified)
    checked_provisional: int = 0        # 1: the card check at issuing was provisional


@dataclass(frozen=True)
class Visit:
    id: int
    ma_lk: str
    patient_id: int
    kiosk_id: str
    visit_day: str
    service_code: str
    service_name: str | None
    room: str | None
    priority: str | None
    status: VisitStatus
    needs_desk_reason: str | None
    eligibility_id: int | None
    ma_the_bhyt: str | None = field(repr=False)
    ma_doituong_kcb: str
    checked_in_at: str
    closed_at: str | None
    summary_json: str | None = field(repr=False)
    follow_up_date: str | None
    follow_up_service: str | None
    updated_at: str
    id_method: str | None = None
    checked_provisional: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", VisitStatus(self.status))


@dataclass(frozen=True)
class DayListEntry:
    """A row of the desk's list: the visit, its latest ticket and who (for the desk, not logs)."""
    visit: Visit
    ticket_number: str | None
    ticket_status: TicketStatus | None
    full_name: str = field(repr=False)
    birth_date: str | None = field(repr=False)

    def __post_init__(self) -> None:
        if self.ticket_status is not None:
            object.__setattr__(self, "ticket_status", TicketStatus(self.ticket_status))


_VISIT_INPUT_COLS = tuple(f.name for f in fields(VisitInput))
_VISIT_COLS = ", ".join(f"v.{f.name}" for f in fields(Visit))


class VisitRepo(Repo):
    def create(self, visit: VisitInput) -> Visit:
        """Insert a visit; a reused MA_LK raises DuplicateMaLk."""
        _visit_status(visit.status)
        now = self._now()
        values = [getattr(visit, c) for c in _VISIT_INPUT_COLS]
        with self._writing():
            cur = self.conn.execute(
                f"INSERT INTO visits ({', '.join(_VISIT_INPUT_COLS)}, checked_in_at, updated_at) "
                f"VALUES ({', '.join('?' * len(values))}, ?, ?)", (*values, now, now))
        return self.get(cur.lastrowid)

    def get(self, visit_id: int) -> Visit:
        row = self.conn.execute(f"SELECT {_VISIT_COLS} FROM visits v WHERE v.id = ?", (visit_id,)).fetchone()
        if row is None:
            raise NotFound(f"no visit {visit_id}")
        return row_to(Visit, row)

    def by_ma_lk(self, ma_lk: str) -> Visit | None:
        row = self.conn.execute(f"SELECT {_VISIT_COLS} FROM visits v WHERE v.ma_lk = ?", (ma_lk,)).fetchone()
        return None if row is None else row_to(Visit, row)

    def set_status(self, visit_id: int, status: VisitStatus | str, *,
                   needs_desk_reason: str | None = None) -> Visit:
        status = _visit_status(status)
        now = self._now()
        closed = now if status is VisitStatus.CLOSED else None
        cur = self.conn.execute(
            """UPDATE visits SET status = ?, needs_desk_reason = ?, closed_at = coalesce(?, closed_at),
                   updated_at = ? WHERE id = ?""", (status, needs_desk_reason, closed, now, visit_id))
        if cur.rowcount == 0:
            raise NotFound(f"no visit {visit_id}")
        return self.get(visit_id)

    def set_eligibility(self, visit_id: int, eligibility_id: int | None, *, ma_the_bhyt: str | None = None) -> None:
        self.conn.execute("""UPDATE visits SET eligibility_id = ?, ma_the_bhyt = coalesce(?, ma_the_bhyt),
                                 updated_at = ? WHERE id = ?""",
                          (eligibility_id, ma_the_bhyt, self._now(), visit_id))

    def set_card(self, visit_id: int, ma_the_bhyt: str | None) -> None:
        """Set (a desk correction) or clear (None: the visit goes on fee-paying) the visit's card number."""
        self._update(visit_id, ma_the_bhyt=ma_the_bhyt)

    def set_priority(self, visit_id: int, priority: str | None) -> None:
        """The visit's priority category (None: no priority); its tickets follow via TicketRepo."""
        self._update(visit_id, priority=priority)

    def move_service(self, visit_id: int, service_code: str, service_name: str | None, room: str | None) -> None:
        self._update(visit_id, service_code=service_code, service_name=service_name, room=room)

    def set_summary(self, visit_id: int, summary_json: str) -> None:
        """Rewrite a closed visit's summary (a corrected dossier); status and dates stay."""
        self._update(visit_id, summary_json=summary_json)

    def _update(self, visit_id: int, **values) -> None:
        # column names come from the fixed keyword names above, never from input
        sets = ", ".join(f"{c} = ?" for c in values)
        cur = self.conn.execute(f"UPDATE visits SET {sets}, updated_at = ? WHERE id = ?",
                                (*values.values(), self._now(), visit_id))
        if cur.rowcount == 0:
            raise NotFound(f"no visit {visit_id}")

    def close(self, visit_id: int, summary_json: str, *, follow_up_date: str | None = None,
              follow_up_service: str | None = None) -> Visit:
        now = self._now()
        cur = self.conn.execute(
            """UPDATE visits SET status = ?, closed_at = ?, summary_json = ?, follow_up_date = ?,
                   follow_up_service = ?, updated_at = ? WHERE id = ?""",
            (VisitStatus.CLOSED, now, summary_json, follow_up_date, follow_up_service, now, visit_id))
        if cur.rowcount == 0:
            raise NotFound(f"no visit {visit_id}")
        return self.get(visit_id)

    def for_patient(self, patient_id: int, limit: int = 20) -> list[Visit]:
        rows = self.conn.execute(f"SELECT {_VISIT_COLS} FROM visits v WHERE v.patient_id = ? "
                                 "ORDER BY v.visit_day DESC, v.id DESC LIMIT ?", (patient_id, limit))
        return [row_to(Visit, r) for r in rows]

    def list_day(self, day: str, *, statuses: tuple[VisitStatus, ...] | None = None, service_code: str | None = None,
                 kiosk_id: str | None = None, search: str | None = None, limit: int = 500) -> list[DayListEntry]:
        """The day's visits, oldest first, filtered; `search` matches a ticket number, a document
        number or part of the patient's name (case-insensitive for ASCII)."""
        where, params = ["v.visit_day = ?"], [day]
        if statuses:
            where.append(f"v.status IN ({', '.join('?' * len(statuses))})")
            params += list(statuses)
        if service_code:
            where.append("v.service_code = ?")
            params.append(service_code)
        if kiosk_id:
            where.append("v.kiosk_id = ?")
            params.append(kiosk_id)
        if search:
            where.append("""(t.number = ? OR p.full_name LIKE ? OR EXISTS (SELECT 1 FROM patient_documents d
                             WHERE d.patient_id = v.patient_id AND d.number = ?))""")
            params += [search.strip().upper(), f"%{search.strip()}%", search.strip().upper()]
        rows = self.conn.execute(
            f"""SELECT {_VISIT_COLS}, t.number AS t_number, t.status AS t_status,
                       p.full_name AS p_name, p.birth_date AS p_birth
                FROM visits v JOIN patients p ON p.id = v.patient_id
                LEFT JOIN tickets t ON t.id = (SELECT max(id) FROM tickets WHERE visit_id = v.id)
                WHERE {' AND '.join(where)} ORDER BY v.checked_in_at, v.id LIMIT ?""", (*params, limit))
        return [DayListEntry(row_to(Visit, r), r["t_number"], r["t_status"], r["p_name"], r["p_birth"])
                for r in rows]

    def count_day(self, day: str, status: VisitStatus | None = None) -> int:
        if status:
            return self.conn.execute("SELECT count(*) FROM visits WHERE visit_day = ? AND status = ?",
                                     (day, status)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM visits WHERE visit_day = ?", (day,)).fetchone()[0]

    def totals(self) -> dict[str, int]:
        """Counts for fleet metrics (no personal data): all visits, and tickets ever printed or shown."""
        visits = self.conn.execute("SELECT count(*) FROM visits").fetchone()[0]
        printed = self.conn.execute(
            "SELECT count(*) FROM tickets WHERE print_count > 0 OR status IN (?, ?)",
            (TicketStatus.PRINTED, TicketStatus.SHOWN)).fetchone()[0]
        return {"visits": visits, "tickets_printed": printed}
