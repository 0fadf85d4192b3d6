"""Provisioning with a facility hub (hub.dsn): the hub confirms or assigns the kiosk id.

The kiosk_id is part of every MA_LK and of the kiosk's offline ticket series, so two kiosks of one
facility must never share it. Between planning (every field checked) and applying (files written),
`enrol_plan` asks the hub (`hub_enrol`, kiosk.facility.enrol):
  - hub reachable: the id the technician gave is confirmed for this machine, or, with no id, the
    hub assigns one; an id that another machine holds is refused (ProvisionError on kiosk.id,
    Vietnamese first) and nothing is written;
  - hub unreachable: provisioning goes on with the technician's id and a warning; a pending row in
    the kiosk's settings table makes the facility link confirm it at the kiosk's next start;
    without an id there is nothing to go on with (ProvisionError).
`check_only` (kiosk provision --check) only reads the hub's enrolments: nothing is written there.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.technician.provision import ProvisionError, ProvisionPlan

UNREACHABLE_WARNING = ("Không kết nối được máy chủ cơ sở: số hiệu ki-ốt {kid} chưa được xác nhận; ki-ốt sẽ đăng ký "
                       "lại khi khởi động. / The facility hub is unreachable: kiosk id {kid} is not confirmed yet; "
                       "the kiosk enrols with the hub at its next start.")


@dataclass(frozen=True)
class Enrolment:
    state: str           # none (no hub), confirmed, assigned, pending (hub unreachable), free (check only)
    kiosk_id: str
    machine: str = ""


def _dsn(plan: ProvisionPlan, timeout: float) -> str:
    from kiosk.facility.dsn import HubConfigError, full_dsn
    s = plan.settings
    pw = s.get("hub_password_file")
    try:
        return full_dsn(s["hub_dsn"], pw if pw is not None and str(pw) not in ("", ".") else None,
                        production=bool(s.get("hub_tls_required", True)), connect_timeout=timeout,
                        application_name="kiosk-provision")
    except HubConfigError as exc:
        raise ProvisionError([("hub.dsn", str(exc))]) from None
    except OSError as exc:
        raise ProvisionError([("hub.password_file", f"cannot read {pw}: {exc.strerror}")]) from None


def enrol_plan(plan: ProvisionPlan, *, machine: str | None = None, check_only: bool = False,
               timeout: float = 5.0) -> Enrolment:
    """Ask the hub about this kiosk's id; updates `plan` (kiosk_id, warnings, the pending row)."""
    import psycopg

    from kiosk.facility.enrol import (PENDING_KEY, EnrolRefused, enrol, look_up, machine_id, pending_row,
                                      refused_words)
    from kiosk.facility.hub_check import unreachable
    s = plan.settings
    kid = str(s.get("kiosk_id", "") or "").strip()
    if not s.get("hub_dsn"):
        return Enrolment("none", kid)
    machine = machine or plan.hub_machine or machine_id()
    dsn = _dsn(plan, timeout)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            if check_only:
                held = look_up(conn, machine, kid or None)
                return Enrolment("confirmed", held, machine) if held else Enrolment("free", kid, machine)
            got, _created = enrol(conn, s["facility_code"], machine, kid or None)
    except EnrolRefused as exc:
        raise ProvisionError([("kiosk.id", refused_words(kid, str(exc)))]) from None
    except psycopg.Error as exc:
        if not unreachable(exc):
            why = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else type(exc).__name__
            raise ProvisionError([("hub.dsn", f"máy chủ cơ sở từ chối / the hub refused: {why}")]) from None
        if not kid:
            raise ProvisionError([("kiosk.id", "required: the facility hub is unreachable, so it cannot assign "
                                               "one (Máy chủ cơ sở không kết nối được: hãy nhập số hiệu ki-ốt)")])
        plan.warnings.append(UNREACHABLE_WARNING.format(kid=kid))
        if not check_only:
            plan.store_settings[PENDING_KEY] = pending_row(s["facility_code"], kid, machine)
        return Enrolment("pending", kid, machine)
    plan.store_settings[PENDING_KEY] = None                  # confirmed: nothing left for the next start
    s["kiosk_id"] = got
    _recheck(plan, got)
    return Enrolment("confirmed" if kid else "assigned", got, machine)


def _recheck(plan: ProvisionPlan, kid: str) -> None:
    from kiosk.security.kiosk_ids import kiosk_id_problems
    problems = kiosk_id_problems(kid, plan.settings.get("facility_kiosk_ids", []))
    if problems:
        raise ProvisionError([("kiosk.id", p) for p in problems])


def describe(e: Enrolment) -> str:
    """One line for the technician, Vietnamese first."""
    return {"confirmed": f"Máy chủ cơ sở xác nhận số hiệu ki-ốt {e.kiosk_id} / the hub confirmed kiosk id {e.kiosk_id}",
            "assigned": f"Máy chủ cơ sở cấp số hiệu ki-ốt {e.kiosk_id} / the hub assigned kiosk id {e.kiosk_id}",
            "pending": f"Số hiệu ki-ốt {e.kiosk_id} chờ máy chủ xác nhận / kiosk id {e.kiosk_id} awaits the hub",
            "free": f"Số hiệu ki-ốt {e.kiosk_id or '(máy chủ sẽ cấp / the hub assigns)'} còn trống ở máy chủ / "
                    "free at the hub",
            "none": ""}[e.state]

