"""`kiosk demo --facility --headless`: the whole facility on one machine, as a command."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def test_facility_demo_headless(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "d"), "demo", "--facility",
                           "--headless", "--kiosks", "3", "--checkins", "18", "--out", str(out), "--keep-hub"],
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["ok"] and s["issued"] == 18 and s["numbering"]["duplicates"] == 0
    assert sorted(s["tickets_by_kiosk"]) == ["1", "2", "3"]
    cut = s["cut_off"]["kiosk"]
    # the cut-off kiosk numbered from its own lettered series, everyone else from the hub
    assert any("-" in n for n in s["tickets_by_kiosk"][cut])
    assert all("-" not in n for k, v in s["tickets_by_kiosk"].items() if k != cut for n in v)
    assert s["numbering"]["kiosk_numbered"] >= 1 and s["numbering"]["hub_numbered"] >= 12
    assert len(s["conflicts"]) == 1 and {s["conflicts"][0]["a"]["kiosk"], s["conflicts"][0]["b"]["kiosk"]} >= {cut}
    assert s["uploads_not_acked"] == 0 and set(s["uploads_by_owner"]) == {"hub", f"kiosk:{cut}"}
    assert sum(s["uploads_by_owner"].values()) == 18
    assert s["desk_saw_visits"] == 18
    assert "KHÁCH" not in proc.stdout      # no names on the console
    # two counters called every ticket from one facility queue (issue 18); the conflict settled first
    c = s["calls"]
    assert c["ok"] and c["errors"] == [] and c["conflicts_settled_by_desk"] == 1
    assert c["total"] == 17 and all(c["by_counter"][q] for q in ("Q1", "Q2"))
    assert c["tickets_called_twice"] == 0 and c["patients_called_twice"] == 0 and c["left_waiting"] == 0
    assert c["audited_calls"] == 17 and c["display_announced"] == 17
    assert sorted(c["screenshots"]) == sorted(f"display/facility-display-{w}-{size}.png"
                                              for w in ("waiting", "called")
                                              for size in ("landscape-1920x1080", "portrait-1080x1920"))
    assert all((out / p).stat().st_size > 10000 for p in c["screenshots"])
    assert "calls through the hub: Q1:" in proc.stdout
    # a first visit by a typed number: nameless at the hub, confirmed at a hub desk, one XML0 uploaded
    f = s["first_visit_by_typed_number"]
    assert f["ok"] and f["xml0_held_at_kiosk"] and f["listed_needs_desk"] == 1 and f["xml0_queued_by_hub"]
    assert f["gateway_code"] == "000" and f["confirmed_status"] == "waiting"
    assert f["kiosk_checkin_state"] == "acked" and f["xml0_received_by_gateway"] == 1
    assert s["identities"] == {"to_confirm": 0, "confirmed_at_hub": 0}     # counted before that step
    assert "THỬ" not in proc.stdout and "1 XML0 at the gateway" in proc.stdout
    assert not list(tmp_path.glob("**/postmaster.pid"))

    _summary_matches_the_hub(out, s)


def _summary_matches_the_hub(out, s) -> None:
    """The summary is the demo's own account: check it against the kept hub, read as a desk would."""
    import psycopg

    from kiosk.facility.cluster import PrivateCluster
    meta = json.loads((out / "hub" / "hub.json").read_text())
    cluster = PrivateCluster(out / "hub", port=meta["port"]).init().start()
    try:
        pw = (out / "hub" / "secrets" / "hub_desk.password").read_text().strip()
        with psycopg.connect(cluster.dsn(user="hub_desk", password=pw, dbname=meta["dbname"])) as conn:
            visits = conn.execute("SELECT kiosk_id, ticket_number FROM visits").fetchall()
            first = s["first_visit_by_typed_number"]["ticket"]      # the step after the summary's count
            by_kiosk: dict = {}
            for kiosk, number in visits:
                if number != first:
                    by_kiosk.setdefault(kiosk, []).append(number)
            assert {k: sorted(v) for k, v in by_kiosk.items()} == {k: sorted(v) for k, v in s["tickets_by_kiosk"].items()}
            assert len({n for _, n in visits}) == len(visits) == 19 and first in {n for _, n in visits}
            owners = dict(conn.execute("SELECT owner, count(*) FROM outbox WHERE kind = 'checkin' AND state = 'acked' "
                                       "AND receipt_ma_giao_dich IS NOT NULL GROUP BY owner").fetchall())
            assert owners == {**s["uploads_by_owner"], "hub": s["uploads_by_owner"]["hub"] + 1}   # + the confirmed XML0
            assert conn.execute("SELECT count(*) FROM outbox WHERE state <> 'acked'").fetchone()[0] == 0
            pairs = conn.execute("SELECT count(*) FROM conflicts").fetchone()[0]
            assert pairs == len(s["conflicts"]) == 1
            called = conn.execute("SELECT count(DISTINCT entry_id) FROM hub_queue_calls").fetchone()[0]
            assert called == s["calls"]["total"]
    finally:
        cluster.stop("immediate")
