"""`kiosk run` starts the real app on a provisioned data dir and refuses clearly when it cannot."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def _env(**settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update({f"KIOSK_{k.upper()}": str(v) for k, v in settings.items()})
    return env


@pytest.fixture(scope="module")
def provisioned(tmp_path_factory):
    root = tmp_path_factory.mktemp("run")
    out = root / "demo"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "demo", "--headless", "--checkins", "0",
                           "--no-chip", "--out", str(out)], capture_output=True, text=True, timeout=120,
                          env=_env())
    assert proc.returncode == 0, proc.stderr
    return out


def test_run_starts_and_keeps_running(provisioned):
    env = _env(data_dir=provisioned / "data", key_file=provisioned / "demo.key",
               signing_pkcs12=provisioned / "devcert" / "facility.p12",
               signing_pkcs12_password_file=provisioned / "devcert" / "facility.p12.pass",
               facility_code="79001", scanners="sim", printer="sim", metrics_bind="")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)
        assert proc.poll() is None, proc.stderr.read()
    finally:
        proc.terminate()
        code = proc.wait(15)
    assert code == 0, proc.stderr.read()          # SIGTERM: a clean shutdown, not a kill


def test_run_with_a_wrong_key_says_so(provisioned, tmp_path):
    wrong = tmp_path / "wrong.key"
    wrong.write_bytes(os.urandom(32))
    wrong.chmod(0o600)
    proc = subprocess.run([sys.executable, "-m", "kiosk", "run"], capture_output=True, text=True, timeout=60,
                          env=_env(data_dir=provisioned / "data", key_file=wrong))
    assert proc.returncode == 1
    assert "database key does not match" in proc.stderr
