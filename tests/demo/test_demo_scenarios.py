"""Issue 14 / QA M13: `kiosk demo --headless --scenario all` walks the failure paths through the
real UI and writes their screenshots (B3's desk-check and fee-paying tickets, M2's paper out...)."""
from __future__ import annotations

import json

import pytest

from tests.demo.test_demo_headless import kiosk_cmd

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def test_every_failure_path_leads_somewhere_and_is_photographed(tmp_path):
    out = tmp_path / "out"
    proc = kiosk_cmd("demo", "--headless", "--checkins", "0", "--no-chip", "--scenario", "all", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    got = {c["person"]: c for c in summary["checkins"]}
    assert set(got) == {"no_card", "expired", "first_visit", "gateway_offline", "paper_out", "unknown_qr",
                        "forged_chip", "timeout"}
    assert all(c["ok"] for c in got.values()), got
    assert got["no_card"]["outcome"].startswith("fee-paying ticket")
    assert got["expired"]["outcome"].startswith("desk-check ticket")
    assert got["gateway_offline"]["outcome"].startswith("provisional ticket")
    assert "identity to confirm at the desk" in got["first_visit"]["outcome"]       # M7
    assert "idle screen warns" in got["paper_out"]["outcome"]
    assert got["unknown_qr"]["outcome"] == "problem: unsupported"
    assert got["forged_chip"]["outcome"].startswith("skipped")          # no chip asked for
    shots = set(summary["screenshots"])
    for needed in ("scenario-expired-01-confirm-needs-desk-vi.png", "scenario-no-card-01-confirm-no-card-en.png",
                   "scenario-paper-out-04-printer-failed-vi.png", "scenario-paper-out-05-ticket-on-screen-vi.png",
                   "scenario-unknown-qr-01-problem-unsupported-vi.png", "scenario-timeout-01-keypad-vi.png",
                   "scenario-first-visit-01-keypad-vi.png"):
        assert needed in shots and (out / needed).exists(), (needed, sorted(shots))


def test_unknown_scenario_is_a_clear_error(tmp_path):
    proc = kiosk_cmd("demo", "--headless", "--checkins", "0", "--scenario", "nap", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "unknown scenario(s): nap" in proc.stderr and "Traceback" not in proc.stderr
