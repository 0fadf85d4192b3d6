"""The facility's weekly report at the hub (kiosk/facility/hub_report.py) against the real cluster:
a seeded week's known figures (worked out by hand below), the hub equal to the sum of the kiosks'
own reports for the same check-ins, the CLI, and the hub desk's report page service."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from kiosk.checkin.resolver import patient_view
from kiosk.core import idmethods as m
from kiosk.core.clock import FakeClock, iso
from kiosk.core.ports import IssueRequest, Resolution
from kiosk.core.views import PriorityCategory, ReadSource
from kiosk.demo.facility_people import crowd_person
from kiosk.facility.hub_report import build_hub_report
from kiosk.facility.node import VALID
from kiosk.report.figures import build_report
from kiosk.report.period import week
from kiosk.report.source import store_source
from kiosk.store.outbox import Receipt
from tests.facility.helpers import FACILITY, node

W48 = week("2026-W48")
MON = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)          # Monday 09:00 in Vietnam


def checkin(k, person: int, method: str, *, priority=None, provisional: bool = False):
    ident = crowd_person(person)
    view = patient_view(ident, ReadSource.QR, k.clock.now().date(), returning=False)
    k.issuer.issue(IssueRequest(Resolution(view, ident), "K01", priority, provisional,
                                None if provisional else VALID, None, id_method=method))
    return k.store.conn.execute("SELECT ma_lk FROM visits ORDER BY id DESC LIMIT 1").fetchone()[0]


def ack_local(k, ma_lk: str, after_s: int, clock) -> None:
    """The kiosk's sync worker's ack: the gateway's receipt time `after_s` after the check-in."""
    item = k.store.outbox.find("checkin", ma_lk)
    visit = k.store.conn.execute("SELECT checked_in_at FROM visits WHERE ma_lk = ?", (ma_lk,)).fetchone()[0]
    at = datetime.fromisoformat(visit) + timedelta(seconds=after_s)
    with k.store.transaction():
        assert k.store.outbox.ack(item.id, Receipt(f"MGD-{ma_lk[-6:]}", iso(at)))


@pytest.fixture
def week48(hub, tmp_path, signer):
    """Kiosk 1: Monday 3 check-ins (chip, CCCD QR, BHYT QR; one elderly), a W47 one (not counted).
    Kiosk 2: Monday 2 (typed, one provisional), Tuesday 1 (VNeID, a child). Acks: kiosk 1's first
    two after 60 s and 7,200 s, kiosk 2's first after 30 s; the rest waiting."""
    clock = FakeClock(MON - timedelta(days=3))
    k1, k2 = (node(tmp_path, kid, hub, signer, clock) for kid in ("1", "2"))
    checkin(k1, 800, m.CHIP_PA)                                  # Friday 2026-11-20: week 47
    clock.advance(3 * 86400)
    ma = {}
    for i, (k, person, method, kw) in enumerate((
            (k1, 801, m.CHIP_PA, {}), (k1, 802, m.CCCD_QR, {"priority": PriorityCategory.ELDERLY}),
            (k1, 803, m.BHYT_QR, {}), (k2, 804, m.TYPED, {}), (k2, 805, m.TYPED, {"provisional": True}))):
        clock.advance(600)
        ma[person] = checkin(k, person, method, **kw)
    clock.advance(86400)
    ma[806] = checkin(k2, 806, m.VNEID_QR, priority=PriorityCategory.CHILD)
    ack_local(k1, ma[801], 60, clock)
    ack_local(k1, ma[802], 7200, clock)
    ack_local(k2, ma[804], 30, clock)
    for k in (k1, k2):
        assert k.sync()
    yield k1, k2, clock, ma
    k1.close()
    k2.close()


def _rows(report, key, **where):
    return [r for r in report.table(key).rows if all(r.get(c) == v for c, v in where.items())]


def test_known_week_figures_for_the_whole_facility_and_per_kiosk(hub, week48):
    with hub.connect("hub_desk", autocommit=True) as conn:
        r = build_hub_report(conn, W48, facility=FACILITY)
    summary = {c.key: v for c, v in r.summary}
    assert summary["receptions"] == 6                     # the W47 check-in is not counted
    assert summary["paperless_share"] == 1.0              # chip, QRs and typed numbers: all paperless
    assert summary["chip_pa_share"] == round(1 / 6, 4)
    assert summary["card_checks"] is None                 # not held by the hub: no figure, not 0
    assert summary["provisional"] == 1 and summary["provisional_resolved"] == 0.0
    assert summary["xml0_acked_share"] == 0.5             # 3 of 6
    assert summary["dead"] == 0 and summary["priority_served"] == 2
    assert summary["xml0_median_s"] == 60                 # 30, 60, 7200: rank ceil(1.5) = 2
    k1 = _rows(r, "receptions", period="2026-W48", kiosk="1")[0]
    assert (k1["total"], k1[m.CHIP_PA], k1[m.CCCD_QR], k1[m.BHYT_QR], k1["unknown"]) == (3, 1, 1, 1, 0)
    k2_mon = _rows(r, "receptions", period="2026-11-23", kiosk="2")[0]
    assert (k2_mon["total"], k2_mon[m.TYPED]) == (2, 2)
    assert _rows(r, "receptions", period="2026-11-24", kiosk="2")[0][m.VNEID_QR] == 1
    up = {row["kiosk"]: row for row in _rows(r, "uploads", period="2026-W48", kind="checkin")}
    assert (up["1"]["sent"], up["1"]["acked"], up["1"]["waiting"]) == (3, 2, 1)
    assert (up["2"]["sent"], up["2"]["acked"], up["2"]["waiting"]) == (3, 1, 2)
    d1 = _rows(r, "upload_delays", period="2026-W48", kiosk="1", kind="checkin")[0]
    assert (d1["acked"], d1["median_s"], d1["p95_s"], d1["within_1h_share"]) == (2, 60, 7200, 0.5)
    everyone = _rows(r, "upload_delays", kiosk="*", kind="checkin")[0]
    assert (everyone["acked"], everyone["p95_s"], everyone["within_24h_share"]) == (3, 7200, 1.0)
    prio = {row["kiosk"]: row for row in _rows(r, "priority", period="2026-W48")}
    assert prio["1"]["elderly"] == 1 and prio["2"]["child"] == 1
    prov = _rows(r, "provisional", period="2026-W48", kiosk="2")[0]
    assert (prov["total"], prov["pending"]) == (1, 1)
    assert r.table("card_checks").rows == () and "kiosk" in r.table("card_checks").note_en
    per = {row["kiosk"]: row for row in r.table("kiosks").rows}
    assert set(per) == {"1", "2"}
    assert (per["1"]["receptions"], per["1"]["sent"], per["1"]["acked"], per["1"]["waiting"]) == (3, 3, 2, 1)
    assert (per["2"]["receptions"], per["2"]["conflicts"]) == (3, 0) and per["2"]["last_push_at"]


def test_hub_report_is_the_sum_of_the_kiosks_own_reports(hub, week48):
    k1, k2, clock, _ = week48
    with hub.connect("hub_desk", autocommit=True) as conn:
        facility = build_hub_report(conn, W48, facility=FACILITY)
    local = [build_report(store_source(k.store), W48, kiosk=k.settings.kiosk_id) for k in (k1, k2)]
    for key, keys in (("receptions", ("period", "kiosk")), ("priority", ("period", "kiosk")),
                      ("provisional", ("period", "kiosk")), ("uploads", ("period", "kiosk", "kind"))):
        mine = {tuple(r[k] for k in keys): r for r in facility.table(key).rows}
        theirs = {tuple(r[k] for k in keys): r for rep in local for r in rep.table(key).rows}
        assert mine.keys() == theirs.keys(), key
        for at, row in theirs.items():
            shared = [c.key for c in facility.table(key).columns if c.kind != "text" and c.key != "handed_over"]
            assert {c: mine[at][c] for c in shared} == {c: row[c] for c in shared}, (key, at)
    # each kiosk's delays are its own exactly (per day and week)
    for rep in local:
        for row in rep.table("upload_delays").rows:
            if row["kiosk"] != "*":
                assert row in facility.table("upload_delays").rows
    s_hub = {c.key: v for c, v in facility.summary}
    s_local = [{c.key: v for c, v in rep.summary} for rep in local]
    for key in ("receptions", "provisional", "priority_served", "dead"):
        assert s_hub[key] == sum(s[key] for s in s_local), key


def test_desk_manual_checkins_count_as_the_desks_and_hub_acks_carry_their_time(hub, week48, tmp_path, signer):
    """A desk's manual check-in (no kiosk facts) is desk_manual under its desk's name; a hub-owned
    upload the hub worker acks without a gateway time is timed by the hub's own ack."""
    from kiosk.desk.checkin import ManualCheckinForm
    from tests.facility.desk_helpers import PINS, add_accounts, desk_services
    k1, k2, clock, _ = week48
    add_accounts(hub)
    svc = desk_services(hub, tmp_path, clock, signer, name="Q1")
    try:
        s = svc.accounts.sign_in("le.tan", PINS["le.tan"])
        svc.desk.checkin.check_in(s, ManualCheckinForm("Trần Văn Bình", "01/02/1970", 1, "K01",
                                                       cccd="079070001111", check_card=False))
        with psycopg.connect(hub.admin_dsn(), autocommit=True) as conn:   # the hub worker's ack, 45 s on
            conn.execute("UPDATE visits SET checked_in_at = now() - interval '45 seconds' WHERE kiosk_id = 'desk-Q1'")
            conn.execute("UPDATE outbox SET state = 'acked', acked_by = 'hub' WHERE kiosk_id = 'desk-Q1'")
        r = svc.desk.report.figures(s, "2026-W48")
    finally:
        svc.close()
    desk = _rows(r, "receptions", period="2026-W48", kiosk="desk-Q1")[0]
    assert (desk["total"], desk[m.DESK_MANUAL], desk["paperless_share"]) == (1, 1, 0.0)
    delay = _rows(r, "upload_delays", period="2026-W48", kiosk="desk-Q1", kind="checkin")[0]
    assert 44 <= delay["median_s"] <= 60
    assert {row["kiosk"] for row in r.table("kiosks").rows} == {"1", "2", "desk-Q1"}


def test_cli_writes_the_report_and_the_desk_page_sees_it_ready(hub, week48, tmp_path, signer, monkeypatch,
                                                               capsysbinary):
    import os
    from kiosk.cli import main
    from tests.facility.desk_helpers import PINS, add_accounts, desk_services
    for name in list(os.environ):
        if name.startswith("KIOSK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("KIOSK_FACILITY_CODE", FACILITY)
    out = tmp_path / "out"
    out.mkdir()

    def run(*extra: str) -> tuple[int, str, str]:
        capsysbinary.readouterr()
        code = main(["hub", "report", "--data-dir", str(tmp_path / "data"), *extra])
        got = capsysbinary.readouterr()
        return code, got.out.decode(), got.err.decode()
    dsn = ("--dsn", hub.dsn("hub_desk"))
    code, text, _ = run(*dsn, "--week", "2026-W48", "--format", "json")
    assert code == 0
    doc = json.loads(text)
    assert doc["period"] == "2026-W48" and doc["kiosk"] == "" and doc["summary"]["receptions"] == 6
    assert doc["facility"] == FACILITY and "kiosks" in doc["tables"]
    code, text, _ = run(*dsn, "--week", "2026-W48", "--format", "csv", "--out", str(out))
    written = out / f"bao-cao-tuan-{FACILITY}-all-2026-W48.csv"
    assert code == 0 and text.strip() == str(written)
    assert "receptions,2026-W48,1,,total,3" in written.read_text(encoding="utf-8")
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):      # the department's formats, same renderers
        code, text, _ = run(*dsn, "--week", "2026-W48", "--format", fmt, "--out", str(out))
        assert code == 0 and Path(text.strip()).read_bytes().startswith(magic)
    code, _, err = run(*dsn, "--week", "2026-W99")
    assert code == 2 and "no week 99" in err
    code, _, err = run("--dsn", hub.dsn("hub_kiosk"), "--week", "2026-W48")
    assert code == 1 and "use the desk role" in err
    code, _, err = run("--dsn", "host=127.0.0.1 port=1 dbname=x user=y connect_timeout=1", "--week", "2026-W48")
    assert code == 1 and "unreachable" in err and "Traceback" not in err
    add_accounts(hub)
    svc = desk_services(hub, tmp_path, week48[2], signer, name="Q1")
    try:
        flag = svc.desk.report.ready(svc.accounts.sign_in("bac.si", PINS["bac.si"]))
    finally:
        svc.close()
    assert flag["week"] == "2026-W48"
    assert flag["files"] == sorted(written.with_suffix(f".{x}").name for x in ("csv", "pdf", "xlsx"))
