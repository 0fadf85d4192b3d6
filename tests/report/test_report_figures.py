"""Every figure of the report against the same figure computed independently from the seed."""
from __future__ import annotations

from collections import Counter

import pytest

import expected as X
from kiosk.report.figures import TOTAL, build_report
from kiosk.report.period import span, week
from kiosk.report.source import store_source

W48 = ("2026-11-23", "2026-11-29")


@pytest.fixture(scope="module")
def w48(seeded):
    store, specs, *_ = seeded
    return build_report(store_source(store), week("2026-W48"), facility="79001", kiosk="K1"), specs


@pytest.fixture(scope="module")
def both(seeded):
    store, specs, *_ = seeded
    return build_report(store_source(store), span("2026-11-19", "2026-11-29")), specs


@pytest.mark.parametrize("grain", ["day", "week"])
def test_receptions_by_identification_method(w48, grain):
    report, specs = w48
    period_of = (lambda d: d) if grain == "day" else X.week_of
    want = X.receptions(specs, *W48, period_of)
    got = Counter()
    for r in report.table("receptions").rows:
        if ("-W" in r["period"]) == (grain == "week"):
            for method in ("chip_pa", "chip_no_pa", "cccd_qr", "vneid_qr", "bhyt_qr", "typed", "desk_manual",
                           "other", "unknown"):
                if r[method]:
                    got[(r["period"], r["kiosk"], method)] = r[method]
    assert got == want
    assert sum(want.values()) > 50        # the seed really has data in the week


def test_share_without_paper_book_leaves_out_unrecorded(w48):
    report, specs = w48
    rows = [s for s in specs if X.in_period(s.day, *W48) and s.method is not None]
    want = round(sum(s.method in X.PAPERLESS for s in rows) / len(rows), 4)
    summary = {c.key: v for c, v in report.summary}
    assert summary["paperless_share"] == want
    assert summary["receptions"] == sum(X.in_period(s.day, *W48) for s in specs)
    chip = round(sum(s.method == "chip_pa" for s in rows) / len(rows), 4)
    assert summary["chip_pa_share"] == chip


def test_card_checks_by_result_code_on_their_local_day(both):
    report, specs = both
    want = X.checks(specs, "2026-11-19", "2026-11-29", lambda d: d)
    got = {(r["period"], r["result_code"], r["verdict"], r["provisional"]): r["n"]
           for r in report.table("card_checks").rows if r["period"][4] == "-" and "-W" not in r["period"]
           and r["period"] != TOTAL}
    assert got == dict(want)
    total = {(r["result_code"], r["verdict"]): r["n"] for r in report.table("card_checks").rows
             if r["period"] == TOTAL and not r["provisional"]}
    assert total[("000", "valid")] == sum(n for (p, c, v, pr), n in want.items() if (c, v, pr) == ("000", "valid", 0))


def test_provisional_checks_and_how_they_resolved(w48):
    report, specs = w48
    want = Counter()
    for s in specs:
        if X.in_period(s.day, *W48) and s.provisional:
            want[(X.week_of(s.day), s.kiosk, s.outcome)] += 1
    got = Counter()
    for r in report.table("provisional").rows:
        if r["period"] == "2026-W48":
            for outcome in ("confirmed", "desk", "cancelled", "pending"):
                if r[outcome]:
                    got[(r["period"], r["kiosk"], outcome)] = r[outcome]
            assert r["resolved_share"] == round((r["confirmed"] + r["desk"]) / r["total"], 4)
    assert got == want and sum(want.values()) > 5


def test_uploads_sent_acked_dead_by_reason(w48):
    report, specs = w48
    states, dead = Counter(), Counter()
    for s in specs:
        if X.in_period(s.day, *W48):
            for u in s.uploads:
                states[(s.day, s.kiosk, u.kind, u.state)] += 1
                if u.state == "dead":
                    dead[("2026-W48", s.kiosk, u.kind, u.code)] += 1
    got = Counter()
    for r in report.table("uploads").rows:
        if "-W" not in r["period"]:
            for col, state in (("acked", "acked"), ("dead", "dead"), ("waiting", "pending")):
                if r[col]:
                    got[(r["period"], r["kiosk"], r["kind"], state)] = r[col]
            assert r["sent"] == r["acked"] + r["dead"] + r["waiting"] + r["handed_over"]
    assert got == states
    got_dead = Counter({(r["period"], r["kiosk"], r["kind"], r["reason"]): r["n"]
                        for r in report.table("dead_reasons").rows if r["period"] == "2026-W48"})
    assert got_dead == dead and sum(dead.values()) > 3


@pytest.mark.parametrize("grain", ["day", "week", "all kiosks"])
def test_delay_from_visit_end_to_gateway_receipt(w48, grain):
    report, specs = w48
    if grain == "day":
        want = X.delays(specs, *W48, lambda s, u: (s.day, s.kiosk, u.kind))
    elif grain == "week":
        want = X.delays(specs, *W48, lambda s, u: ("2026-W48", s.kiosk, u.kind))
    else:
        want = X.delays(specs, *W48, lambda s, u: ("2026-W48", "*", u.kind))
    rows = {(r["period"], r["kiosk"], r["kind"]): r for r in report.table("upload_delays").rows}
    for key, values in want.items():
        r = rows[key]
        assert r["acked"] == len(values)
        assert r["median_s"] == X.nearest_rank(values, 0.5), key
        assert r["p95_s"] == X.nearest_rank(values, 0.95), key
        assert r["within_1h_share"] == round(sum(v <= 3600 for v in values) / len(values), 4)
        assert r["within_24h_share"] == round(sum(v <= 86400 for v in values) / len(values), 4)
    assert {k for k in rows if (k[1] == "*") == (grain == "all kiosks") and
            ("-W" in k[0]) == (grain != "day")} == set(want)


def test_summary_delay_is_every_kiosk_together(w48):
    report, specs = w48
    want = X.delays(specs, *W48, lambda s, u: u.kind)
    summary = {c.key: v for c, v in report.summary}
    assert summary["dossier_median_s"] == X.nearest_rank(want["dossier"], 0.5)
    assert summary["xml0_median_s"] == X.nearest_rank(want["checkin"], 0.5)


def test_priority_groups_served(w48):
    report, specs = w48
    want = Counter((X.week_of(s.day), s.kiosk, s.priority) for s in specs
                   if X.in_period(s.day, *W48) and s.priority and s.status != "cancelled")
    got = Counter()
    for r in report.table("priority").rows:
        if r["period"] == "2026-W48":
            for g in ("elderly", "child", "pregnant", "disability", "merit"):
                if r[g]:
                    got[(r["period"], r["kiosk"], g)] = r[g]
    assert got == want


def test_period_spanning_two_weeks_has_partial_week_and_total(both):
    report, specs = both
    periods = [r["period"] for r in report.table("receptions").rows]
    assert "2026-W47" in periods and "2026-W48" in periods and TOTAL in periods
    w47 = sum(r["total"] for r in report.table("receptions").rows if r["period"] == "2026-W47")
    assert w47 == sum("2026-11-19" <= s.day <= "2026-11-22" for s in specs)
    total = sum(r["total"] for r in report.table("receptions").rows if r["period"] == TOTAL)
    assert total == len(specs)


def test_waiting_times_empty_without_calling(w48):
    report, _ = w48
    t = report.table("waiting")
    assert t.rows == () and "calling" in t.note_en


def test_no_personal_data_in_any_figure(w48, seeded):
    report, specs = w48
    from kiosk.report.render_json import render_json
    text = render_json(report).decode()
    assert "NGUYỄN" not in text and "DN47979" not in text and "0010800" not in text and "79001-K" not in text
