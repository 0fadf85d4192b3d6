"""`kiosk demo --headless` as a user runs it: a subprocess, its summary.json and its screenshots."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.ui, pytest.mark.integration]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def kiosk_cmd(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC, path
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_headless_demo_three_checkins(tmp_path):
    out = tmp_path / "out"
    proc = kiosk_cmd("demo", "--headless", "--checkins", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["ok"] and summary["failed"] == 0 and len(summary["checkins"]) == 3
    numbers = [t["number"] for t in summary["tickets"]]
    assert len(set(numbers)) == 3 and all(re.fullmatch(r"[A-E]1-U?\d{3}", n) for n in numbers)
    assert all(t["printed"] for t in summary["tickets"])
    box = summary["outbox"]
    assert box["pending"] + box["sending"] + box["acked"] == 3 and box["dead"] == 0
    for c in summary["checkins"]:
        assert c["timings_ms"]["total"] > 0 and c["timings_ms"]["choose_to_ticket"] > 0
    assert {c["mode"] for c in summary["checkins"]} >= {"qr", "keypad"}
    # every screen passed, in both languages, at the portrait size
    shots = summary["screenshots"]
    assert shots and all((out / s).exists() for s in shots)
    stems = {s.rsplit("-", 1)[0] for s in shots}
    for stem in stems:
        assert {f"{stem}-vi.png", f"{stem}-en.png"} <= set(shots), stem
    for needed in ("idle", "confirm", "service", "printing", "ticket", "keypad"):
        assert any(s.split("-", 1)[1] == needed for s in stems), (needed, stems)
    assert all(png_size(out / s) == (1080, 1920) for s in shots)
    # the simulated printer wrote one image per ticket, and the data dir is where it was asked
    assert sorted(summary["printed_images"]) == sorted(p.name for p in (out / "data" / "tickets").glob("*.png"))
    assert len(summary["printed_images"]) == 3
    assert (out / "data" / "kiosk.db").exists() and not (out / "data" / "demo.key").exists()


def test_headless_demo_external_gateway_waits_for_sync(tmp_path):
    gw = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway-sim", "--port", "0",
                           "--data-dir", str(tmp_path / "gw")], stdout=subprocess.PIPE, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")})
    try:
        line = gw.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        out = tmp_path / "out"
        proc = kiosk_cmd("demo", "--headless", "--checkins", "2", "--out", str(out), "--no-chip",
                         "--gateway", url, "--wait-sync", "30")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["gateway"] == url and summary["wait_sync"]["drained"]
        assert summary["outbox"]["acked"] == 2 and summary["outbox"]["pending"] == 0
        from kiosk.gateway.sim.server import admin_call
        assert admin_call(url, "/admin/stats")["distinct"] == 2     # the gateway really got both
    finally:
        gw.terminate()
        gw.wait(10)
