"""What needs staff now on a desk PC on the hub: the facility-wide counterparts of the kiosk desk's
alerts (kiosk/desk/alerts.py), read from the hub (SELECT only).

- `dead_letters`: uploads the gateway refused, the hub's own and each kiosk's;
- `hub_worker`: items the hub owns wait while no hub upload worker is connected;
- `gateway`: the hub's oldest waiting upload is older than GATEWAY_STALE_S;
- `kiosk_uploads`: a kiosk's own uploads wait at the hub longer than that (its sync is not uploading);
- `kiosk_silent`: a kiosk the hub heard from in the last day has not pushed or pulled for KIOSK_SILENT_S
  (its check-ins may be missing from every desk's list);
- `conflicts`: the same patient ticketed twice for one service and day, waiting for the desk;
- `needs_desk`, `provisional`: today's visits of every kiosk waiting for the desk.

Ages are the hub's own clock (server time), the day is the desk's. Each alert is shown only to a
role that can act on it, as on the kiosk's desk. No names, numbers or health data in the texts."""
from __future__ import annotations

from typing import Any

from kiosk.core.status import VisitStatus
from kiosk.desk.alerts import GATEWAY_STALE_S, Alert, waiting_alerts
from kiosk.security.accounts import requires
from kiosk.security.roles import Permission as P
from kiosk.security.roles import allowed

KIOSK_SILENT_S = 10 * 60           # a kiosk not heard from for this long: say so
KIOSK_FORGOTTEN_S = 24 * 3600      # ... unless it has been away longer (switched off, retired)

_OUTBOX = """
SELECT owner, count(*) FILTER (WHERE state = 'dead'),
       count(*) FILTER (WHERE state IN ('pending', 'sending')),
       extract(epoch FROM now() - min(coalesce(handed_over_at, created_at))
                                FILTER (WHERE state IN ('pending', 'sending')))::float8
FROM outbox GROUP BY owner ORDER BY owner"""

_SILENT = """
SELECT kiosk_id, extract(epoch FROM now() - greatest(last_push_at, last_pull_at))::float8 FROM hub_kiosks
WHERE greatest(last_push_at, last_pull_at) < now() - make_interval(secs => %s)
  AND greatest(last_push_at, last_pull_at) >= now() - make_interval(secs => %s)
ORDER BY kiosk_id"""


def _kiosk(owner: str) -> str:
    return owner.split(":", 1)[1] if owner.startswith("kiosk:") else owner


def _listed(names: list[str], limit: int = 6) -> str:
    return ", ".join(names[:limit]) + (" …" if len(names) > limit else "")


class HubDeskAlerts:
    """`Desk.alerts` of a desk PC on the hub."""

    def __init__(self, ctx: Any, *, silent_after_s: float = KIOSK_SILENT_S, stale_after_s: float = GATEWAY_STALE_S):
        self.ctx, self.accounts = ctx, ctx.accounts
        self.silent_after_s, self.stale_after_s = silent_after_s, stale_after_s

    @requires(P.VIEW_VISITS)
    def alerts(self, session) -> list[Alert]:
        out: list[Alert] = []
        role = session.role
        link = self.ctx.link
        if allowed(role, P.MANAGE_OUTBOX):
            out += self._uploads(link.execute(_OUTBOX).fetchall(), link)
            silent = link.execute(_SILENT, (self.silent_after_s, KIOSK_FORGOTTEN_S)).fetchall()
            if silent:
                names = [f"{k} ({int(age // 60)} phút/min)" for k, age in silent]
                out.append(Alert("kiosk_silent", "bad",
                                 f"{len(silent)} kiosk không gửi dữ liệu lên máy chủ cơ sở: {_listed(names)}; lượt "
                                 f"tiếp đón tại đó có thể chưa hiện ở quầy, kiểm tra mạng của kiosk / {len(silent)} "
                                 f"kiosk(s) not heard from by the hub: {_listed(names)}; their check-ins may be "
                                 "missing from the desks' lists: check the kiosk's network"))
        if allowed(role, P.OVERRIDE_ELIGIBILITY):
            conflicts = link.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0]
            if conflicts:
                out.append(Alert("conflicts", "bad", f"{conflicts} cặp lượt trùng (một người bệnh, hai số cho cùng "
                                                     f"dịch vụ): giữ một, huỷ một / {conflicts} duplicate pair(s) "
                                                     "(one patient, two tickets for one service): keep one"))
            counts = dict(link.execute("SELECT status, count(*) FROM visits WHERE visit_day = %s AND status = ANY(%s) "
                                       "GROUP BY status", (self.ctx.today(), [VisitStatus.NEEDS_DESK.value,
                                                                               VisitStatus.PROVISIONAL.value])))
            desk, prov = counts.get(VisitStatus.NEEDS_DESK.value, 0), counts.get(VisitStatus.PROVISIONAL.value, 0)
            out += waiting_alerts(desk, prov)
        return out

    def _uploads(self, rows: list, link: Any) -> list[Alert]:
        out: list[Alert] = []
        dead = {owner: int(n) for owner, n, _, _ in rows if n}
        if dead:
            total = sum(dead.values())
            parts = [f"máy chủ/hub {n}" if o == "hub" else f"kiosk {_kiosk(o)} {n}" for o, n in dead.items()]
            out.append(Alert("dead_letters", "bad", f"{total} hồ sơ bị cổng từ chối ({_listed(parts)}): xem tab Hàng "
                                                    f"đợi gửi / {total} upload(s) refused by the gateway "
                                                    f"({_listed(parts)}): see the upload queue"))
        hub = next(((int(w), age) for owner, _, w, age in rows if owner == "hub" and w), None)
        if hub:
            workers = link.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'hub_worker' "
                                   "AND datname = current_database()").fetchone()[0]
            if not workers:
                out.append(Alert("hub_worker", "bad", f"Chương trình gửi hồ sơ của máy chủ cơ sở không chạy ({hub[0]} "
                                                      f"hồ sơ đang chờ): báo kỹ thuật viên / the hub's upload worker is "
                                                      f"not running ({hub[0]} waiting): call the technician"))
            if hub[1] is not None and hub[1] >= self.stale_after_s:
                out.append(Alert("gateway", "bad", f"Cổng giám định chưa nhận hồ sơ của máy chủ cơ sở từ {int(hub[1] // 60)}"
                                                   f" phút ({hub[0]} đang chờ) / the gateway has taken no hub upload for "
                                                   f"{int(hub[1] // 60)} min ({hub[0]} waiting)"))
        late = [(_kiosk(o), int(w), age) for o, _, w, age in rows
                if o != "hub" and w and age is not None and age >= self.stale_after_s]
        if late:
            names = [f"{k} ({w}, {int(age // 60)} phút/min)" for k, w, age in late]
            out.append(Alert("kiosk_uploads", "warn", f"Kiosk chưa gửi được hồ sơ lên cổng: {_listed(names)} / kiosk "
                                                      f"uploads waiting: {_listed(names)}"))
        return out
