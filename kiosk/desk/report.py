"""The report dashboard's service: the week's figures (counts and durations only, no personal
data) and whether last week's report has been prepared for the department."""
from __future__ import annotations

from kiosk.report.figures import Report, build_report
from kiosk.core.clock import local_day
from kiosk.report.period import Period, iso_week_of, week
from kiosk.report.source import store_source
from kiosk.report.weekly import ready_flag
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.desk.context import DeskPart


class DeskReport(DeskPart):
    @requires(P.VIEW_VISITS)
    def figures(self, session, week_label: str | None = None) -> Report:
        """A week's report (default: the current week so far)."""
        now = self.ctx.clock.now()
        period: Period = week(week_label or iso_week_of(local_day(now)))
        st = self.ctx.settings
        return build_report(store_source(self.store), period, facility=st.facility_code, kiosk=st.kiosk_id,
                            generated_at=self.ctx.clock.now())

    @requires(P.VIEW_VISITS)
    def ready(self, session) -> dict | None:
        """{week, at, files} of the newest prepared weekly report, or None."""
        return ready_flag(self.store)
