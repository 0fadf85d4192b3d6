"""The port the figures come from. Each call covers local days first_day..last_day (inclusive)
and returns plain rows (dicts of codes and counts, no personal data), one per day and kiosk.

Today the kiosk's own store answers (`store.report`, kiosk.store.report.ReportRepo); the facility
hub will answer with every kiosk's rows. Counts add up across days and kiosks; upload delays do
not (percentiles), so the source also returns them per ISO week and per whole period."""
from __future__ import annotations

from typing import Protocol


class FigureSource(Protocol):
    def receptions(self, first_day: str, last_day: str) -> list[dict]:
        """day, kiosk_id, id_method ('unknown' when not recorded), n"""

    def card_checks(self, first_day: str, last_day: str) -> list[dict]:
        """day, result_code ('' when no answer), verdict, provisional, n"""

    def provisional_outcomes(self, first_day: str, last_day: str) -> list[dict]:
        """day, kiosk_id, outcome (confirmed | desk | cancelled | pending), n"""

    def uploads(self, first_day: str, last_day: str) -> list[dict]:
        """day, kiosk_id, kind (checkin | dossier), state, reason (dead items' code), n"""

    def upload_delays(self, first_day: str, last_day: str) -> list[dict]:
        """day (a day, an ISO week '2026-W48' or '*'), kiosk_id, kind, n, median_s, p95_s,
        within_1h, within_24h"""

    def priority_served(self, first_day: str, last_day: str) -> list[dict]:
        """day, kiosk_id, priority, n"""

    def waiting_times(self, first_day: str, last_day: str) -> list[dict]:
        """day, kiosk_id, service_code, called, wait_median_s, wait_p95_s, service_median_s;
        [] when calling is not recorded"""


class StoreSource:
    """The kiosk's own figures (kiosk.store.report.ReportRepo). Uploads and their delays come from
    one pass over the period's uploads, kept for the life of this object: make one per report."""

    def __init__(self, repo):
        self.repo = repo
        self._uploads: dict[tuple[str, str], tuple[list[dict], list[dict]]] = {}

    def __getattr__(self, name):
        return getattr(self.repo, name)

    def _pass(self, first_day: str, last_day: str):
        key = (first_day, last_day)
        if key not in self._uploads:
            self._uploads = {key: self.repo.upload_figures(first_day, last_day)}
        return self._uploads[key]

    def uploads(self, first_day: str, last_day: str) -> list[dict]:
        return self._pass(first_day, last_day)[0]

    def upload_delays(self, first_day: str, last_day: str) -> list[dict]:
        return self._pass(first_day, last_day)[1]


def store_source(store) -> FigureSource:
    """The kiosk's own figures, for one report."""
    return StoreSource(store.report)
