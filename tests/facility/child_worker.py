"""The hub upload worker as a process to kill -9: `python -m tests.facility.child_worker DSN SIM_URL`."""
from __future__ import annotations

import sys


def main() -> None:
    dsn, url = sys.argv[1:3]
    import psycopg

    from kiosk.facility.worker import HubUploadWorker
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.sim.http import LOOKUP_PATH
    from kiosk.gateway.sim.server import (SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,
                                          SIM_USERNAME)
    client = GatewayClient(url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                           facility_code=SIM_FACILITY, connect_timeout=2.0, read_timeout=5.0,
                           lookup_endpoint=LOOKUP_PATH)
    with psycopg.connect(dsn) as conn:
        print("ready", flush=True)
        HubUploadWorker(conn, client, SIM_FACILITY, batch=1, lease_seconds=0.5, grace=0.0).run_forever(idle=2.0)


if __name__ == "__main__":
    main()
