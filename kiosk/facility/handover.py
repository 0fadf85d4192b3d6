"""Hand an upload over to the hub worker: the hub commits the new owner first, then the kiosk parks it.

Exactly one owner at a time: the hub's row says 'kiosk:<id>' or 'hub'. The kiosk takes a pending
item out of its worker's reach only after the hub's commit; re-sending a hand-over is harmless
(`WHERE owner = 'kiosk:<id>'`). After a crash between the two steps, `reconcile` (run before the
kiosk's own upload worker starts) parks every item the hub already owns.
"""
from __future__ import annotations

from kiosk.store.facility_feed import FacilityFeedRepo


def hand_over(conn, store, kiosk_id: str, *, limit: int = 200, older_than: float = 0.0,
              crash_after_hub_commit: bool = False) -> int:
    """Hand pending uploads older than `older_than` seconds (the kiosk could not send them) over."""
    from datetime import timedelta

    from kiosk.core.clock import iso
    feed = FacilityFeedRepo(store.conn, store.clock)
    pushed = feed.cursor("push.outbox")
    before = iso(store.clock.now() - timedelta(seconds=older_than)) if older_than > 0 else None
    items = [i for i in feed.pending_outbox(limit, before) if i["id"] <= pushed]   # the hub holds their bytes
    if not items:
        return 0
    owner = f"kiosk:{kiosk_id}"
    with conn.transaction():
        taken = {(k, m) for k, m in conn.execute(
            "UPDATE outbox SET owner = 'hub', handed_over_at = now() WHERE owner = %s AND state <> 'acked' "
            "AND (kind, ma_lk) IN (SELECT * FROM unnest(%s::text[], %s::text[])) RETURNING kind, ma_lk",
            (owner, [i["kind"] for i in items], [i["ma_lk"] for i in items])).fetchall()}
        conn.execute("INSERT INTO events (kind, kiosk_id, body) VALUES ('outbox.handover', %s, "
                     "jsonb_build_object('items', %s::int))", (kiosk_id, len(taken)))
    if crash_after_hub_commit:
        raise SystemExit("crash after hub commit")
    parked = 0
    with store.transaction():
        for i in items:
            if (i["kind"], i["ma_lk"]) in taken:
                parked += int(feed.park_handed_over(i["id"]))
    return parked


def reconcile(conn, store, kiosk_id: str) -> int:
    """Park every local item that the hub says it owns (a hand-over whose local half was lost)."""
    feed = FacilityFeedRepo(store.conn, store.clock)
    with conn.transaction():
        owned = conn.execute("SELECT kind, ma_lk FROM outbox WHERE kiosk_id = %s AND owner = 'hub' "
                             "AND state <> 'acked'", (kiosk_id,)).fetchall()
    if not owned:
        return 0
    wanted = set(owned)
    n = 0
    with store.transaction():
        for i in feed.pending_outbox(100000):
            if (i["kind"], i["ma_lk"]) in wanted:
                n += int(feed.park_handed_over(i["id"]))
    return n
