"""Insurance card checks (the gateway's answers, or provisional marks when it did not answer)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from kiosk.core.clock import iso
from kiosk.core.eligibility import CardAnswer
from kiosk.core.status import VisitStatus
from kiosk.store._base import Repo, row_to
from kiosk.store.errors import NotFound

VERDICTS = ("valid", "valid_new_card", "needs_desk", "config_fault", "retry_later", "provisional")
# answers that say something about the card; the others (our config, no answer) do not
ANSWERED = ("valid", "valid_new_card", "needs_desk")


@dataclass(frozen=True)
class EligibilityInput:
    card_number: str = field(repr=False)
    verdict: str
    patient_id: int | None = None
    result_code: str | None = None
    message: str | None = field(default=None, repr=False)
    provisional: bool = False
    card_valid_from: str | None = None
    card_valid_to: str | None = None
    ma_dkbd: str | None = None
    new_card_number: str | None = field(default=None, repr=False)
    raw_json: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class EligibilityCheck:
    id: int
    patient_id: int | None
    card_number: str = field(repr=False)
    checked_at: str
    result_code: str | None
    verdict: str
    message: str | None = field(repr=False)
    provisional: bool
    card_valid_from: str | None
    card_valid_to: str | None
    ma_dkbd: str | None
    new_card_number: str | None = field(repr=False)
    raw_json: str | None = field(repr=False)

    def card_answer(self) -> CardAnswer:
        """What the patient's view needs (`kiosk.core.eligibility.view_of`), from this cached row."""
        valid_to = None
        if self.card_valid_to:
            try:
                valid_to = date.fromisoformat(self.card_valid_to[:10])
            except ValueError:
                valid_to = None
        return CardAnswer(self.verdict, self.result_code, valid_to)


@dataclass(frozen=True)
class RecheckCandidate:
    """A visit still waiting on a provisional (or unanswered) card check, with what the gateway needs."""
    visit_id: int
    status: str
    eligibility_id: int | None
    card: str = field(repr=False)          # the visit's card number, else the checked one
    full_name: str = field(repr=False)
    birth_date: str | None = field(repr=False)
    patient_id: int


_CANDIDATES = """
SELECT v.id AS visit_id, v.status, v.eligibility_id, coalesce(v.ma_the_bhyt, e.card_number) AS card,
       p.full_name, p.birth_date, p.id AS patient_id
FROM visits v
JOIN patients p ON p.id = v.patient_id
LEFT JOIN eligibility_checks e ON e.id = v.eligibility_id
WHERE v.visit_day >= ? AND v.status IN (?, ?)
  AND (v.status = ? OR e.provisional = 1 OR e.verdict IN ('provisional', 'retry_later'))
  AND coalesce(v.ma_the_bhyt, e.card_number) IS NOT NULL
  AND p.full_name IS NOT NULL  -- a nameless first visit: the desk confirms it first
ORDER BY v.id LIMIT ?"""

_IN = tuple(f.name for f in fields(EligibilityInput))
_COLS = ", ".join(f.name for f in fields(EligibilityCheck))


def _check(row) -> EligibilityCheck:
    return row_to(EligibilityCheck, row, provisional=bool(row["provisional"]))


class EligibilityRepo(Repo):
    def insert(self, check: EligibilityInput) -> EligibilityCheck:
        if check.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        values = [int(v) if isinstance(v, bool) else v for v in (getattr(check, c) for c in _IN)]
        with self._writing():
            cur = self.conn.execute(f"INSERT INTO eligibility_checks ({', '.join(_IN)}, checked_at) "
                                    f"VALUES ({', '.join('?' * len(_IN))}, ?)", (*values, self._now()))
        return self.get(cur.lastrowid)

    def get(self, check_id: int) -> EligibilityCheck:
        row = self.conn.execute(f"SELECT {_COLS} FROM eligibility_checks WHERE id = ?", (check_id,)).fetchone()
        if row is None:
            raise NotFound(f"no eligibility check {check_id}")
        return _check(row)

    def latest_fresh(self, card_number: str, max_age: timedelta) -> EligibilityCheck | None:
        """The newest real answer for this card younger than `max_age`, else None."""
        cutoff = iso(self.clock.now() - max_age)
        row = self.conn.execute(
            f"""SELECT {_COLS} FROM eligibility_checks WHERE card_number = ? AND checked_at >= ?
                AND provisional = 0 AND verdict IN ({', '.join('?' * len(ANSWERED))})
                ORDER BY checked_at DESC, id DESC LIMIT 1""", (card_number, cutoff, *ANSWERED)).fetchone()
        return None if row is None else _check(row)

    def latest(self, card_number: str) -> EligibilityCheck | None:
        row = self.conn.execute(f"SELECT {_COLS} FROM eligibility_checks WHERE card_number = ? "
                                "ORDER BY checked_at DESC, id DESC LIMIT 1", (card_number,)).fetchone()
        return None if row is None else _check(row)

    def provisional_candidates(self, since_day: str, limit: int) -> list[RecheckCandidate]:
        """Visits from `since_day` (yyyy-mm-dd) on, still waiting or provisional, whose card check is
        provisional or unanswered and that have a card number to ask with; oldest first."""
        return [row_to(RecheckCandidate, r) for r in self.conn.execute(_CANDIDATES, (
            since_day, VisitStatus.WAITING, VisitStatus.PROVISIONAL, VisitStatus.PROVISIONAL, limit))]
