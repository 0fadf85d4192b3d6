"""What needs staff now, as a list the desk keeps on screen (not a status line that only shows the last
action): the printer out of paper (or otherwise failing), uploads the gateway refused (dead letters), the
gateway not taking uploads, visits waiting for the desk and provisional card checks waiting.

Each alert is shown only to a role that can act on it: a clinician is never told about the upload queue."""
from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.core.clock import VN_TZ
from kiosk.core.status import VisitStatus
from kiosk.desk.context import DeskPart
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.security.roles import allowed

PRINT_EVENTS = ("ticket.issue", "ticket.print_failed", "ticket.shown", "ticket.reprint", "ticket.reprint_failed")
FAULT_WORDS = {"paper_out": ("hết giấy", "out of paper"), "cover_open": ("nắp đang mở", "cover open"),
               "offline": ("mất kết nối", "offline"), "timeout": ("không trả lời", "not answering")}
GATEWAY_STALE_S = 10 * 60          # uploads waiting longer than this: the gateway is not taking them
UNPRINTED_AFTER_S = 2 * 60         # a ticket committed this long ago and never printed: the kiosk stopped


@dataclass(frozen=True)
class Alert:
    key: str          # stable: printer, unprinted, sync_worker, dead_letters, gateway, needs_desk, provisional
    level: str        # "bad" (act now) or "warn"
    text: str         # Vietnamese / English, no personal data


class DeskAlerts(DeskPart):
    @requires(P.VIEW_VISITS)
    def alerts(self, session) -> list[Alert]:
        out: list[Alert] = []
        role = session.role
        printer = self._printer_fault()
        if printer and allowed(role, P.REPRINT):
            vi, en = FAULT_WORDS.get(printer, ("bị lỗi", "failing"))
            out.append(Alert("printer", "bad", f"Máy in {vi}: kiểm tra máy in, rồi in lại phiếu cho người bệnh / "
                                               f"printer {en}: fix it, then reprint the patients' tickets"))
        if allowed(role, P.REPRINT):
            unprinted = self._unprinted()
            if unprinted:
                numbers = ", ".join(unprinted[:8]) + (" …" if len(unprinted) > 8 else "")
                out.append(Alert("unprinted", "bad", f"{len(unprinted)} phiếu đã cấp nhưng chưa in (kiosk dừng giữa "
                                                      f"chừng): {numbers}; chọn lượt và bấm In lại phiếu / "
                                                      f"{len(unprinted)} ticket(s) issued but never printed (the kiosk "
                                                      f"stopped): {numbers}; select the visit and press Reprint"))
        if allowed(role, P.MANAGE_OUTBOX):
            trouble = self.ctx.sync_trouble() if self.ctx.sync_trouble is not None else None
            if trouble:
                out.append(Alert("sync_worker", "bad", trouble))
            stats = self.store.outbox.stats()
            if stats.dead:
                out.append(Alert("dead_letters", "bad", f"{stats.dead} hồ sơ bị cổng từ chối: xem tab Hàng đợi gửi / "
                                                        f"{stats.dead} upload(s) refused by the gateway: see the "
                                                        "upload queue"))
            age = stats.oldest_pending_age_s
            if age is not None and age >= GATEWAY_STALE_S:
                out.append(Alert("gateway", "bad", f"Cổng giám định chưa nhận hồ sơ từ {int(age // 60)} phút "
                                                   f"({stats.pending} đang chờ) / the gateway has taken no upload for "
                                                   f"{int(age // 60)} min ({stats.pending} waiting)"))
        if allowed(role, P.OVERRIDE_ELIGIBILITY):
            day = self.ctx.clock.now().astimezone(VN_TZ).date().isoformat()
            desk = self.store.visits.count_day(day, VisitStatus.NEEDS_DESK)
            prov = self.store.visits.count_day(day, VisitStatus.PROVISIONAL)
            out += waiting_alerts(desk, prov)
        return out

    def _unprinted(self) -> list[str]:
        from datetime import timedelta
        from kiosk.core.clock import iso
        now = self.ctx.clock.now()
        day = now.astimezone(VN_TZ).date().isoformat()
        return [t.number for t in self.store.tickets.unprinted(day, iso(now - timedelta(seconds=UNPRINTED_AFTER_S)))]

    def _printer_fault(self) -> str | None:
        """The fault of the last print attempt that failed and was not followed by a good one."""
        driver = getattr(self.ctx.printer, "driver", None)
        live = getattr(driver, "fault", None)
        if isinstance(live, str) and live:
            return live
        latest = None
        for action in PRINT_EVENTS:
            for e in self.store.audit.list(limit=1, action=action):
                if latest is None or (e.id, action) > (latest[0].id, latest[1]):
                    latest = (e, action)
        if latest is None or latest[1] not in ("ticket.print_failed", "ticket.reprint_failed", "ticket.shown"):
            return None
        try:
            details = json.loads(latest[0].details or "{}")
        except (TypeError, ValueError):
            details = {}
        return str(details.get("fault") or "error") if isinstance(details, dict) else "error"


def waiting_alerts(desk: int, provisional: int) -> list[Alert]:
    """Visits of the day waiting for the desk, and provisional card checks (local and hub desks)."""
    out = []
    if desk:
        out.append(Alert("needs_desk", "warn", f"{desk} lượt cần quầy xem thẻ / {desk} visit(s) need the "
                                               "desk to look at the card"))
    if provisional:
        out.append(Alert("provisional", "warn", f"{provisional} lượt tạm thời chờ kiểm tra lại thẻ / {provisional} "
                                                "provisional card check(s) waiting"))
    return out
