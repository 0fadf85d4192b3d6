"""`kiosk hub status`: who is connected, queue sizes, each kiosk's lag, who owns the uploads."""
from __future__ import annotations

import time


def hub_status(conn) -> dict:
    with conn.transaction():
        connected = {r[0]: r[1] for r in conn.execute(
            "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND usename IN ('hub_kiosk', 'hub_desk', 'hub_worker') GROUP BY usename")}
        clients = [r[0] for r in conn.execute(
            "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'kiosk-%' ORDER BY 1")]
        queues = [{"day": str(d), "service": s, "waiting": w, "conflicts": c} for d, s, w, c in conn.execute(
            "SELECT visit_day, service_code, count(*) FILTER (WHERE status IN ('waiting', 'provisional', 'needs_desk')), "
            "count(*) FILTER (WHERE conflict) FROM visits WHERE visit_day >= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - 1 "
            "GROUP BY 1, 2 ORDER BY 1, 2")]
        kiosks = [{"kiosk": k, "last_push_at": p.isoformat() if p else None,
                   "lag_seconds": round(lag, 1) if lag is not None else None,
                   "pushed_until": u.isoformat() if u else None}
                  for k, p, u, lag in conn.execute(
                      "SELECT kiosk_id, last_push_at, pushed_until, extract(epoch FROM now() - last_push_at)::float "
                      "FROM hub_kiosks ORDER BY kiosk_id")]
        owners: dict[str, dict[str, int]] = {}
        for owner, state, n in conn.execute("SELECT owner, state, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2"):
            owners.setdefault(owner, {})[state] = n
        open_conflicts = conn.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0]
        # open visits of nameless first-time patients (hub 0006): their XML0 waits for a desk's confirmation
        to_confirm = conn.execute("SELECT count(*) FROM visits v JOIN patients p ON p.id = v.patient_id "
                                  "WHERE p.full_name IS NULL AND v.status NOT IN ('closed', 'cancelled')").fetchone()[0]
        # numbers busy kiosks hold ahead of their next patient on the latest day (hub 0010), and given back
        held = {"held": 0, "kiosks": 0, "given_back": 0}
        if conn.execute("SELECT to_regclass('ticket_holds')").fetchone()[0] is not None:
            n, k, back = conn.execute(
                "SELECT count(kiosk_id), count(DISTINCT kiosk_id), count(*) - count(kiosk_id) FROM ticket_holds "
                "WHERE day = (SELECT max(day) FROM ticket_holds)").fetchone()
            held = {"held": n, "kiosks": k, "given_back": back}
    return {"connected": {"kiosks": connected.get("hub_kiosk", 0), "desks": connected.get("hub_desk", 0),
                          "workers": connected.get("hub_worker", 0), "clients": clients},
            "queues": queues, "kiosks": kiosks, "uploads_by_owner": owners, "open_conflicts": open_conflicts,
            "identities_to_confirm": to_confirm, "held_numbers": held}


def format_status(st: dict) -> str:
    c = st["connected"]
    lines = [f"connected: {c['kiosks']} kiosk, {c['desks']} desk, {c['workers']} worker connection(s)"]
    lines.append("queues:" if st["queues"] else "queues: none")
    lines += [f"  {q['day']} {q['service']}: {q['waiting']} waiting, {q['conflicts']} in conflict" for q in st["queues"]]
    lines.append("kiosks:" if st["kiosks"] else "kiosks: none has pushed yet")
    lines += [f"  {k['kiosk']}: last push {k['last_push_at']} (lag {k['lag_seconds']} s)" for k in st["kiosks"]]
    lines.append("uploads by owner:")
    lines += [f"  {o}: " + ", ".join(f"{s} {n}" for s, n in states.items()) for o, states in st["uploads_by_owner"].items()]
    lines.append(f"open conflicts: {st['open_conflicts']}")
    if "identities_to_confirm" in st:
        lines.append(f"identities to confirm at a desk: {st['identities_to_confirm']}")
    if "held_numbers" in st:
        h = st["held_numbers"]
        lines.append(f"numbers held: {h['held']} by {h['kiosks']} busy kiosk(s), {h['given_back']} given back")
    return "\n".join(lines)


def wait_uploads(conn, seconds: float) -> int:
    """Wait until no upload is pending or sending (or `seconds`); returns how many are left. Sleeps
    on LISTEN hub_events (every ack is an event), re-counting at most every few seconds without one."""
    deadline = time.monotonic() + seconds
    with conn.transaction():
        conn.execute("LISTEN hub_events")
    while True:
        with conn.transaction():
            left = conn.execute("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()[0]
        remaining = deadline - time.monotonic()
        if left == 0 or remaining <= 0:
            return left
        for _ in conn.notifies(timeout=min(remaining, 5.0), stop_after=1):
            pass


def facility_facts(conn) -> dict:
    """The facility's day as the demo summarises it: visits in order, duplicates, conflicts, uploads."""
    with conn.transaction():
        visits = conn.execute("SELECT kiosk_id, ticket_number, numbered_by, conflict FROM visits "
                              "ORDER BY checked_in_at, ticket_number").fetchall()
        dup = conn.execute("SELECT count(*) - count(DISTINCT (visit_day, ticket_number)) FROM visits").fetchone()[0]
        conflicts = [{"a": {"kiosk": ka, "ticket": na}, "b": {"kiosk": kb, "ticket": nb}, "reason": r}
                     for ka, na, kb, nb, r in conn.execute(
                         "SELECT va.kiosk_id, va.ticket_number, vb.kiosk_id, vb.ticket_number, c.reason "
                         "FROM conflicts c JOIN visits va ON va.ma_lk = c.ma_lk_a JOIN visits vb ON vb.ma_lk = c.ma_lk_b")]
        by_owner = {f"{owner or 'none'}": n for owner, n in conn.execute(
            "SELECT acked_by, count(*) FROM outbox WHERE state = 'acked' GROUP BY 1 ORDER BY 1")}
        not_acked = conn.execute("SELECT count(*) FROM outbox WHERE state <> 'acked'").fetchone()[0]
        # nameless first visits (hub 0006): still to confirm, and confirmed at a hub desk
        nameless, confirmed = conn.execute(
            "SELECT (SELECT count(*) FROM patients WHERE full_name IS NULL), "
            "(SELECT count(*) FROM hub_identity_confirmations)").fetchone()
    return {"visits": visits, "duplicates": dup, "conflicts": conflicts, "uploads_by_owner": by_owner,
            "not_acked": not_acked, "identities": {"to_confirm": nameless, "confirmed_at_hub": confirmed}}
