"""`kiosk demo --facility --headless --kiosks N --checkins M --out DIR`: the facility on one machine.

A private PostgreSQL cluster in the demo's temporary directory (initdb + pg_ctl as an unprivileged
user), the hub schema and roles, the gateway simulator, the hub upload worker, a desk listening
for events, and N kiosks (each its own encrypted store) issuing scripted check-ins round-robin.
One kiosk is cut off from the hub for the middle third of the run: it numbers from its own
lettered series, uploads what it owns straight to the gateway, and one of its patients was already
ticketed online elsewhere, which the hub flags as a conflict once the kiosk is back.
Last, a first visit by a number typed on a keypad is confirmed at a hub desk (facility_identity).
Writes DIR/summary.json (tickets by kiosk, facility-wide numbering, conflicts, uploads by owner).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

SERVICES = ("K01", "K02", "K03")


def _hub_worker(dsn: str, client, facility: str, stop: threading.Event, counts: dict) -> None:
    import psycopg
    from kiosk.facility.worker import HubUploadWorker
    with psycopg.connect(dsn) as conn:
        w = HubUploadWorker(conn, client, facility, grace=0.5)
        # LISTEN hub_outbox: woken by each hand-over; the short fallback only lets it see `stop`
        w.run_forever(stop=stop.is_set, idle=2.0)


def _desk(feed, stop: threading.Event) -> None:
    while not stop.is_set():
        feed.wait(timeout=0.5)


def _own_uploads(node, client, facility: str) -> None:
    """The cut-off kiosk uploads what it still owns (gateway up, hub down)."""
    from kiosk.store.db import connect, db_path
    from kiosk.sync.worker import SyncWorker
    path = db_path(Path(node.store_dir))
    worker = SyncWorker(lambda: connect(path, node.key), client, facility_code=facility)
    worker.run_once()


def run_facility(cfg, args) -> int:
    if not args.headless:
        from kiosk.demo.facility_windows import run_facility_windows    # kiosk windows and a desk window
        return run_facility_windows(cfg, args)
    if args.out is None:
        print("kiosk demo --facility --headless needs --out DIR", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-facility-demo-"))
    try:
        summary = _run(tmp, max(1, args.kiosks), max(0, args.checkins), out)
        if getattr(args, "keep_hub", False):
            _keep_hub(tmp, out / "hub")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    for k, numbers in summary["tickets_by_kiosk"].items():
        print(f"kiosk {k}: {', '.join(numbers)}")
    n = summary["numbering"]
    print(f"numbering: {n['hub_numbered']} from the hub, {n['kiosk_numbered']} from kiosk series, "
          f"{n['duplicates']} duplicates")
    print(f"conflicts flagged for the desk: {len(summary['conflicts'])}")
    print(f"uploads by owner: {json.dumps(summary['uploads_by_owner'])}")
    c = summary["calls"]
    print(f"calls through the hub: {', '.join(f'{k}: {len(v)}' for k, v in c['by_counter'].items())}; "
          f"patients called twice: {c['patients_called_twice']}")
    f = summary["first_visit_by_typed_number"]
    print(f"first visit by a typed number: ticket {f['ticket']}, identity confirmed at a hub desk, "
          f"{f['xml0_received_by_gateway']} XML0 at the gateway")
    print(f"wrote {out / 'summary.json'}")
    return 0 if summary["ok"] else 1


def _keep_hub(tmp: Path, dest: Path) -> None:
    """The stopped hub cluster and its role secrets, kept in OUT/hub for whoever wants to check the
    summary against the hub itself (`hub.json`: port and database; start it with PrivateCluster)."""
    import re
    if dest.exists():
        shutil.rmtree(dest)
    shutil.move(str(tmp / "pg"), str(dest))
    shutil.move(str(tmp / "secrets"), str(dest / "secrets"))
    conf = dest / "data" / "postgresql.conf"
    port = int(re.findall(r"^port = (\d+)", conf.read_text(), re.M)[-1])
    with open(conf, "a") as f:
        f.write(f"\nunix_socket_directories = '{dest / 'sock'}'\n")
    (dest / "hub.json").write_text(json.dumps({"port": port, "dbname": "hub"}), encoding="utf-8")


def _run(tmp: Path, n_kiosks: int, n_checkins: int, out: Path | None = None) -> dict:
    import psycopg

    from kiosk.core.clock import SystemClock
    from kiosk.core.ports import AlreadyIssued
    from kiosk.demo.facility_people import crowd_person
    from kiosk.demo.sim_cards import start_demo_simulator
    from kiosk.facility import schema
    from kiosk.facility.cluster import PrivateCluster
    from kiosk.facility.listen import DeskFeed
    from kiosk.facility.node import KioskNode, NodeSettings, default_services
    from kiosk.facility.status import facility_facts, hub_status, wait_uploads
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.signing import pkcs12_signer
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.sim.server import (SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,
                                          SIM_USERNAME)

    t0 = time.perf_counter()
    cluster = PrivateCluster(tmp / "pg").init().start()
    stop = threading.Event()
    threads: list[threading.Thread] = []
    nodes: list[KioskNode] = []
    sim = feed = None
    try:
        schema.create_database(cluster.dsn(), "hub")
        schema.init(cluster.dsn(dbname="hub"), tmp / "secrets")

        def dsn(role):
            return cluster.dsn(user=role, password=(tmp / "secrets" / f"{role}.password").read_text().strip(),
                               dbname="hub") + f" application_name=kiosk-{role}"
        ident = ensure_dev_identity(tmp / "devcert", SIM_FACILITY)
        signer = pkcs12_signer(ident.p12_path, ident.password)
        sim = start_demo_simulator(tmp / "sim", facility_cert_pem=ident.cert_pem)

        def client():
            return GatewayClient(sim.url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                                 facility_code=SIM_FACILITY, connect_timeout=2.0, read_timeout=10.0)
        worker_counts = {"acked": 0}
        threads.append(threading.Thread(target=_hub_worker, args=(dsn("hub_worker"), client(), SIM_FACILITY, stop,
                                                                  worker_counts), daemon=True))
        feed = DeskFeed(dsn("hub_desk"))
        feed.connect()
        threads.append(threading.Thread(target=_desk, args=(feed, stop), daemon=True))
        for t in threads:
            t.start()
        services = default_services()
        for i in range(n_kiosks):
            node = KioskNode(tmp / f"kiosk{i + 1}", NodeSettings(SIM_FACILITY, str(i + 1), services),
                             signer.sign, SystemClock(), dsn("hub_kiosk"), hub_timeout=1.0, retry_after=2.0)
            nodes.append(node)
        cut = nodes[1 % n_kiosks]
        cut_from, cut_until = n_checkins // 3, (2 * n_checkins) // 3
        issued: list[dict] = []
        refused = 0
        first_by_service: dict[str, tuple] = {}
        conflict_made = False
        own_client = client()
        for i in range(n_checkins):
            if i == cut_from:
                cut.set_reachable(False)
            if i == cut_until:
                cut.set_reachable(True)
            node = nodes[i % n_kiosks]
            service = SERVICES[(i // n_kiosks) % len(SERVICES)]
            person = 1000 + i
            if node is cut and not cut.reachable and not conflict_made:
                # someone already ticketed online at another kiosk checks in again at the cut-off one
                other = first_by_service.get(service)
                if other is not None and other[1] is not cut:
                    person, conflict_made = other[0], True
            try:
                t = node.checkin(crowd_person(person), service)
            except AlreadyIssued:
                refused += 1
                continue
            first_by_service.setdefault(service, (person, node))
            issued.append({"kiosk": node.settings.kiosk_id, "ticket": t.number, "service": service,
                           "online": node.reachable})
            if node.reachable:
                node.sync(hand_over=True)
            else:
                _own_uploads(node, own_client, SIM_FACILITY)
        for node in nodes:
            node.sync(hand_over=True)
        with psycopg.connect(dsn("hub_desk")) as conn:
            wait_uploads(conn, 30.0)
            for node in nodes:
                node.sync()
            time.sleep(0.5)
            status = hub_status(conn)
            facts = facility_facts(conn)
        numbers, dup, conflicts = facts["visits"], facts["duplicates"], facts["conflicts"]
        by_owner, not_acked = facts["uploads_by_owner"], facts["not_acked"]
        by_kiosk: dict[str, list[str]] = {}
        for row in issued:
            by_kiosk.setdefault(row["kiosk"], []).append(row["ticket"])
        deadline = time.monotonic() + 5      # the desk's last NOTIFY may still be on its way
        while len(feed.visits) < len(issued) and time.monotonic() < deadline:
            time.sleep(0.1)
        desk_seen = len(feed.visits)
        ok = (dup == 0 and len(numbers) == len(issued) and desk_seen == len(issued) and not_acked == 0
              and (n_checkins < 6 or n_kiosks < 2 or len(conflicts) >= 1))
        from kiosk.demo.facility_calling import call_through_hub     # two counters, one queue (issue 18)
        calls = call_through_hub(dsn("hub_desk"), dsn("hub_kiosk"), SIM_FACILITY, services, out)
        from kiosk.demo.facility_identity import first_visit_at_hub    # a typed number, confirmed at a hub desk
        first_visit = first_visit_at_hub(cluster.dsn(dbname="hub"), dsn("hub_desk"), nodes[0], signer.sign, client(),
                                         sim, SIM_FACILITY, tmp)
        ok = ok and calls["ok"] and first_visit["ok"]
        return {
            "ok": ok,
            "kiosks": n_kiosks, "checkins": n_checkins, "issued": len(issued), "refused_already_issued": refused,
            "cut_off": {"kiosk": cut.settings.kiosk_id, "from_checkin": cut_from, "until_checkin": cut_until},
            "tickets_by_kiosk": by_kiosk,
            "numbering": {"hub_numbered": sum(1 for r in numbers if r[2] == "hub"),
                          "kiosk_numbered": sum(1 for r in numbers if r[2] == "kiosk"),
                          "duplicates": dup, "facility_order": [r[1] for r in numbers]},
            "conflicts": conflicts,
            "uploads_by_owner": by_owner, "uploads_not_acked": not_acked,
            "identities": facts["identities"],
            "desk_saw_visits": desk_seen,
            "calls": calls,
            "first_visit_by_typed_number": first_visit,
            "hub_status": status,
            "run_seconds": round(time.perf_counter() - t0, 2),
        }
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        if feed is not None:
            feed.close()
        for node in nodes:
            node.close()
        if sim is not None:
            sim.stop()
        cluster.stop("fast")
