"""A kiosk process for the kill -9 tests: `python -m tests.facility.child_kiosk DATA_DIR KEYHEX DSN P12 PASS MODE`.

MODE push: push forever in batches of 1 (so a SIGKILL lands between hub commits and cursor moves);
MODE handover: hand pending uploads over one by one, forever.
"""
from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    data_dir, keyhex, dsn, p12, password, mode = sys.argv[1:7]
    import psycopg

    from kiosk.core.clock import FakeClock
    from kiosk.facility import handover, push
    from kiosk.store.migrate import open_store
    store = open_store(Path(data_dir), bytes.fromhex(keyhex), clock=FakeClock())
    conn = psycopg.connect(dsn)
    print("ready", flush=True)
    pusher = push.Pusher(store, "79001", "1", batch=1)
    while True:
        if mode == "push":
            pusher.push(conn, max_batches=1)
        else:
            handover.hand_over(conn, store, "1", limit=1)


if __name__ == "__main__":
    main()
