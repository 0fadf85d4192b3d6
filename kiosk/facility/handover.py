"""Hand an upload over to the hub worker: the hub commits the new owner first, then the kiosk parks it.

Exactly one owner at a time: the hub's row says 'kiosk:<id>' or 'hub'. Three steps:
1. locally, the pending items are reserved (a 'sending' lease held by 'handover'), so the kiosk's
   own sync worker cannot lease one while the hub commits;
2. the hub commits `owner = 'hub'` (re-sending a hand-over is harmless: `WHERE owner = 'kiosk:<id>'`);
3. locally, the items the hub took become 'handed_over' (migration 0008), the others pending again.
After a crash between the steps, `reconcile` (run before the kiosk's link starts pushing) parks
every item the hub already owns and gives the kiosk back every reservation the hub did not take.
"""
from __future__ import annotations

from kiosk.store.facility_feed import FacilityFeedRepo


def _take(conn, kiosk_id: str, items: list[dict]) -> set[tuple[str, str]]:
    with conn.transaction():
        taken = {(k, m) for k, m in conn.execute(
            "UPDATE outbox SET owner = 'hub', handed_over_at = now() WHERE owner = %s AND state <> 'acked' "
            "AND (kind, ma_lk) IN (SELECT * FROM unnest(%s::text[], %s::text[])) RETURNING kind, ma_lk",
            (f"kiosk:{kiosk_id}", [i["kind"] for i in items], [i["ma_lk"] for i in items])).fetchall()}
        if taken:
            conn.execute("INSERT INTO events (kind, kiosk_id, body) VALUES ('outbox.handover', %s, "
                         "jsonb_build_object('items', %s::int))", (kiosk_id, len(taken)))
            conn.execute("SELECT pg_notify('hub_outbox', %s)", (kiosk_id,))    # wakes the hub worker on commit
    return taken


def _settle(store, feed: FacilityFeedRepo, items: list[dict], hub_owned: set[tuple[str, str]]) -> int:
    parked = 0
    with store.transaction():
        for i in items:
            if (i["kind"], i["ma_lk"]) in hub_owned:
                parked += int(feed.park_handed_over(i["id"]))
            else:
                feed.release_reservation(i["id"])
    return parked


def hand_over(conn, store, kiosk_id: str, *, limit: int = 200, older_than: float = 0.0,
              crash_after_hub_commit: bool = False, pushed: int | None = None) -> int:
    """Hand pending uploads older than `older_than` seconds (the kiosk could not send them) over.
    `pushed`: the outbox push cursor the link holds (kiosk.facility.cursors; default: as written)."""
    from datetime import timedelta

    from kiosk.core.clock import iso
    feed = FacilityFeedRepo(store.conn, store.clock)
    pushed = feed.cursor("push.outbox") if pushed is None else pushed
    before = iso(store.clock.now() - timedelta(seconds=older_than)) if older_than > 0 else None
    candidates = [i for i in feed.pending_outbox(limit, before) if i["id"] <= pushed]   # the hub holds their bytes
    if not candidates:
        return 0
    with store.transaction():
        reserved = set(feed.reserve_for_handover([i["id"] for i in candidates]))
    items = [i for i in candidates if i["id"] in reserved]
    try:
        taken = _take(conn, kiosk_id, items) if items else set()
    except BaseException:
        _settle(store, feed, items, set())      # the hub did not answer: the kiosk keeps them
        raise
    if crash_after_hub_commit:
        raise SystemExit("crash after hub commit")
    return _settle(store, feed, items, taken)


def reconcile(conn, store, kiosk_id: str) -> int:
    """Park every local item that the hub says it owns (a hand-over whose local half was lost), and
    give back the reservations of a hand-over the hub never committed."""
    feed = FacilityFeedRepo(store.conn, store.clock)
    with conn.transaction():
        owned = conn.execute("SELECT kind, ma_lk FROM outbox WHERE kiosk_id = %s AND owner = 'hub' "
                             "AND state <> 'acked'", (kiosk_id,)).fetchall()
    wanted = {(k, m) for k, m in owned}
    reserved = feed.reserved_for_handover()
    pending = [i for i in feed.pending_outbox(100000) if (i["kind"], i["ma_lk"]) in wanted] if wanted else []
    return _settle(store, feed, reserved + pending, wanted)
