"""A store seeded through its own repositories with known visits, card checks and uploads, and the
same facts kept as plain Python specs so each test can compute every figure on its own."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from kiosk.core import idmethods as m
from kiosk.core.clock import VN_TZ
from kiosk.store.eligibility import EligibilityInput
from kiosk.store.outbox import Receipt
from kiosk.store.patients import DocumentInput, PatientInput
from kiosk.store.visits import VisitInput

# Thursday 2026-11-19 .. Sunday 2026-11-29: the end of W47 and all of W48
FIRST = date(2026, 11, 19)
DAYS = 11
KIOSKS = ("K1", "K2")
PRIORITIES = (None, None, None, "elderly", "child", "pregnant", "disability", "merit")
DEAD_CODES = ("XML_INVALID", "SIG_BAD", "DUP_MA_LK")


@dataclass
class Upload:
    kind: str
    state: str                      # acked | dead | pending
    delay_s: int | None = None      # visit end -> receipt, for acked
    receipt_from_gateway: bool = True
    code: str | None = None


@dataclass
class VisitSpec:
    day: str
    kiosk: str
    at: datetime                    # check-in moment (UTC)
    method: str | None
    priority: str | None
    status: str
    provisional: bool
    outcome: str                    # for provisional: confirmed | desk | cancelled | pending
    check_code: str | None          # the first check's result code
    check_verdict: str
    closed_after_s: int | None
    uploads: list[Upload] = field(default_factory=list)


def make_specs(seed: int = 19, per_day: int = 30) -> list[VisitSpec]:
    rnd = random.Random(seed)
    specs = []
    methods = list(m.ID_METHODS) + [None]
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        for i in range(rnd.randint(per_day // 2, per_day)):
            # 00:05 .. 23:50 local, so some check-ins fall on the UTC day before
            local = datetime.combine(day, time(0, 5), VN_TZ) + timedelta(seconds=rnd.randint(0, 85_500))
            at = local.astimezone(timezone.utc).replace(microsecond=0)
            provisional = rnd.random() < 0.2
            outcome = rnd.choice(("confirmed", "desk", "cancelled", "pending")) if provisional else ""
            if provisional:
                code, verdict = None, "provisional"
            else:
                code, verdict = rnd.choice((("000", "valid"), ("000", "valid"), ("001", "valid"),
                                            ("004", "valid_new_card"), ("070", "needs_desk"),
                                            ("053", "needs_desk")))
            status = "cancelled" if outcome == "cancelled" else rnd.choice(("closed", "closed", "waiting"))
            closed = rnd.randint(600, 30_000) if status == "closed" else None
            spec = VisitSpec(day.isoformat(), rnd.choice(KIOSKS), at, rnd.choice(methods), rnd.choice(PRIORITIES),
                             status, provisional, outcome, code, verdict, closed)
            for kind in ("checkin", "dossier"):
                if kind == "dossier" and closed is None:
                    continue
                roll = rnd.random()
                if roll < 0.75:
                    delay = rnd.choice((rnd.randint(1, 3599), rnd.randint(3600, 86_400), rnd.randint(86_401, 400_000)))
                    spec.uploads.append(Upload(kind, "acked", delay, rnd.random() < 0.8))
                elif roll < 0.88:
                    spec.uploads.append(Upload(kind, "dead", code=rnd.choice(DEAD_CODES)))
                else:
                    spec.uploads.append(Upload(kind, "pending"))
            specs.append(spec)
    return specs


def seed_store(store, clock, specs: list[VisitSpec]) -> None:
    """Write the specs through the repositories, moving the fake clock to each event's time."""
    acks: list[tuple[datetime, int, Upload]] = []
    deads: list[tuple[int, Upload]] = []
    for n, s in enumerate(specs):
        clock._now = s.at
        with store.transaction():
            patient = store.patients.upsert(PatientInput(full_name=f"NGUYỄN VĂN THỬ {n}"),
                                            [DocumentInput("cccd", f"0010800{n:05d}")])
            check = store.eligibility.insert(EligibilityInput(
                card_number=f"DN47979{n:08d}", verdict=s.check_verdict, patient_id=patient.id,
                result_code=s.check_code, provisional=s.provisional))
            visit = store.visits.create(VisitInput(
                f"79001-{s.kiosk}-{n:06d}", patient.id, s.kiosk, s.day, "K01", priority=s.priority,
                status="provisional" if s.provisional else "waiting", eligibility_id=check.id,
                id_method=s.method, checked_provisional=int(s.provisional)))
            for u in s.uploads:
                if u.kind == "checkin":
                    item = store.outbox.enqueue("checkin", visit.ma_lk, f"x{n}".encode(), visit.id)
                    _plan(acks, deads, s.at, item, u)
        if s.provisional and s.outcome in ("confirmed", "desk"):
            clock._now = s.at + timedelta(minutes=30)
            with store.transaction():
                again = store.eligibility.insert(EligibilityInput(
                    card_number=f"DN47979{n:08d}", patient_id=patient.id,
                    verdict="valid" if s.outcome == "confirmed" else "needs_desk",
                    result_code="000" if s.outcome == "confirmed" else "070"))
                store.visits.set_eligibility(visit.id, again.id)
        if s.status == "cancelled":
            with store.transaction():
                store.visits.set_status(visit.id, "cancelled")
        if s.status == "closed":
            end = s.at + timedelta(seconds=s.closed_after_s)
            clock._now = end
            with store.transaction():
                store.visits.close(visit.id, "{}")
                for u in s.uploads:
                    if u.kind == "dossier":
                        item = store.outbox.enqueue("dossier", visit.ma_lk, f"d{n}".encode(), visit.id)
                        _plan(acks, deads, end, item, u)
    clock._now = datetime(2026, 12, 20, tzinfo=timezone.utc)
    with store.transaction():
        leased = store.outbox.lease_due("seed", 1_000_000, 600)
        dead_ids = {i for i, _ in deads}
        for item in leased:
            if item.id not in dead_ids:
                store.outbox.schedule_retry(item.id, "seed", delay=60, code=None, error=None,
                                            needs_reconcile=False)
        for item_id, u in deads:
            store.outbox.mark_dead(item_id, "seed", code=u.code, message="refused")
    for received, item_id, u in acks:
        # the gateway's receipt time (Vietnam local, as the sync policy stores it), or none: our ack time
        clock._now = received if not u.receipt_from_gateway else datetime(2026, 12, 21, tzinfo=timezone.utc)
        stamp = received.astimezone(VN_TZ).isoformat(timespec="seconds") if u.receipt_from_gateway else None
        with store.transaction():
            store.outbox.ack(item_id, Receipt("GD1", stamp))


def _plan(acks, deads, end: datetime, item_id: int, u: Upload) -> None:
    if u.state == "acked":
        acks.append((end + timedelta(seconds=u.delay_s), item_id, u))
    elif u.state == "dead":
        deads.append((item_id, u))
