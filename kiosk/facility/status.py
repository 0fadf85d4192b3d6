"""`kiosk hub status`: who is connected, queue sizes, each kiosk's lag, who owns the uploads."""
from __future__ import annotations


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
        owners = {}
        for owner, state, n in conn.execute("SELECT owner, state, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2"):
            owners.setdefault(owner, {})[state] = n
        open_conflicts = conn.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0]
    return {"connected": {"kiosks": connected.get("hub_kiosk", 0), "desks": connected.get("hub_desk", 0),
                          "workers": connected.get("hub_worker", 0), "clients": clients},
            "queues": queues, "kiosks": kiosks, "uploads_by_owner": owners, "open_conflicts": open_conflicts}


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
    return "\n".join(lines)
