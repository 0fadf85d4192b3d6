"""`kiosk demo --facility` windowed (QT_QPA_PLATFORM=offscreen): the private cluster, the hub worker,
N real kiosk windows and a desk window on the hub; a timer drives one check-in on each kiosk and
the desk window's list must show every ticket (numbered by the hub), then the demo quits."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def test_windowed_facility_demo_drives_each_kiosk_and_the_desk_window_lists_them(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.getcwd(), QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "demo", "--facility",
                          "--kiosks", "3", "--out", str(out)], capture_output=True, text=True, env=env, timeout=400)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    numbers = [t["ticket"] for t in summary["tickets"]]
    assert summary["ok"] and [t["kiosk"] for t in summary["tickets"]] == ["1", "2", "3"]
    assert all(t["ok"] for t in summary["tickets"])
    assert sorted(summary["desk_rows"]) == sorted(numbers) and len(set(numbers)) == 3
    # one facility-wide series from the hub: no kiosk-lettered number (A1-001) among them
    assert all("-" not in n for n in numbers) and sorted(int(n[-3:]) for n in numbers) == [1, 2, 3]
    for name in ("kiosk1.png", "kiosk2.png", "kiosk3.png", "desk.png", "kiosk1-ticket.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name
    assert "desk window lists: " in run.stdout and "dead letter" not in run.stdout + run.stderr
