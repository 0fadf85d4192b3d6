"""The PyInstaller one-dir build (`kiosk build`) and a smoke run of the built binary: the version,
the settings schema, the doctor (its Qt check through the hidden probe), a database, and the
headless demo's three scripted check-ins."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    work = tmp_path_factory.mktemp("pyinstaller-work")    # never clobber a developer's ./build
    r = subprocess.run([sys.executable, "-m", "kiosk", "build", "--dist", str(dist), "--work", str(work)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"kiosk build failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    print(f"build took {time.monotonic() - started:.0f} s")
    from kiosk import __version__
    exe = dist / f"kiosk-{__version__}" / "kiosk"
    assert exe.is_file() and os.access(exe, os.X_OK), f"no binary at {exe}: {sorted(dist.iterdir())}"
    return exe


def run(exe: Path, *args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"), "LANG": "C.UTF-8"}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=home)


def test_built_binary_smoke(binary, tmp_path):
    from kiosk import __version__
    home = tmp_path / "home"
    home.mkdir()
    r = run(binary, "--version", home=home)
    assert r.returncode == 0 and r.stdout.strip() == f"kiosk {__version__}"

    r = run(binary, "config", "schema", home=home)
    assert r.returncode == 0 and "gateway_url" in r.stdout and "backup_retention_days" in r.stdout

    data, key = tmp_path / "kdata", tmp_path / "keys" / "db.key"
    key.parent.mkdir(mode=0o700)
    r = run(binary, "db", "init", "--data-dir", str(data), "--key-file", str(key), home=home)
    assert r.returncode == 0, r.stderr
    assert "schema" in r.stdout                       # the migrations were bundled

    r = run(binary, "doctor", "--json", "--data-dir", str(data), home=home)
    report = json.loads(r.stdout)
    rows = {c["name"]: c for c in report["checks"]}
    assert rows["Qt platform plugin"]["status"] == "ok", rows["Qt platform plugin"]
    assert "offscreen" in rows["Qt platform plugin"]["detail"]
    assert rows["disk space"]["status"] == "ok"

    r = run(binary, "ops", "metrics-once", "--data-dir", str(data), "--key-file", str(key), home=home)
    assert r.returncode == 0 and "kiosk_outbox_items" in r.stdout, r.stderr

    out = tmp_path / "demo"
    r = run(binary, "demo", "--headless", "--checkins", "3", "--out", str(out), home=home, timeout=180)
    assert r.returncode == 0, f"{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    done = summary["checkins"]
    assert len(done) == 3 and all(c["ok"] and c["ticket"] for c in done), done
    assert len(list(out.glob("*.png"))) >= 3
    assert "could not build translations" not in r.stdout + r.stderr   # the .qm files shipped
