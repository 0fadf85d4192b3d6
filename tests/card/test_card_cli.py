"""`kiosk card sim` + `kiosk card read` as processes, through a real pcscd and vpcd."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration


def kiosk(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kiosk.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()}, **kw)


def run_sim_and_read(tmp_path, sim_args: list[str], read_args: list[str]) -> tuple[dict, dict]:
    sim = kiosk("card", "sim", "--no-pcscd", "--pki", str(tmp_path / "pki"), *sim_args)
    try:
        info = json.loads(sim.stdout.readline())
        read = kiosk("card", "read", "--json", "--timeout", "10", "--csca", info["csca_dir"],
                     *[a.format(**info) for a in read_args])
        out, err = read.communicate(timeout=60)
        assert read.returncode == 0, err
        return info, json.loads(out)
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(timeout=20)


def test_sim_then_read_by_cccd_and_birth_date(daemon, tmp_path):
    info, res = run_sim_and_read(tmp_path, ["--citizen", "valid_bhyt"],
                                 ["--cccd", "{cccd}", "--dob", "{birth_date}"])
    assert info["reader"] == "Virtual PCD 00 00" and len(info["cccd"]) == 12
    assert res["ok"] and res["passive_authentication"]["ok"]
    ident = res["identity"]
    assert ident["source"] == "chip_verified" and ident["masked"]
    assert info["cccd"] not in json.dumps(res)        # masked by default
    assert ident["cccd"]["number"].endswith(info["cccd"][-4:])
    assert set(res["files"]) == {"COM", "DG1", "DG2", "DG13", "SOD"}
    assert res["steps"][:3] == ["card-access", "bac", "EF.COM"] and res["steps"][-1] == "done"
    assert res["timings_ms"]["total"] > 0 and res["apdus"] > 10
    # the virtual chip offers PACE by default; the CAN comes from the CCCD number
    assert info["pace"] and res["access"] == "PACE" and res["can_known"]
    assert res["pace_offered"] == ["0.4.0.127.0.7.2.2.4.2.2"]


def test_pace_only_card_is_read_and_says_pace(daemon, tmp_path):
    info, res = run_sim_and_read(tmp_path, ["--citizen", "elderly", "--pace-only"],
                                 ["--cccd", "{cccd}", "--dob", "{birth_date}"])
    assert info["pace_only"] and res["ok"] and res["access"] == "PACE" and res["passive_authentication"]["ok"]
    assert res["identity"]["cccd"]["expiry_date"] is None


def test_bac_only_card_says_bac(daemon, tmp_path):
    info, res = run_sim_and_read(tmp_path, ["--citizen", "elderly", "--no-pace"],
                                 ["--cccd", "{cccd}", "--dob", "{birth_date}"])
    assert res["ok"] and res["access"] == "BAC" and res["pace_offered"] == [] and res["bac_attempts"] == 1


def test_forged_sim_read_unmasked(daemon, tmp_path):
    info, res = run_sim_and_read(tmp_path, ["--citizen", "2", "--forged", "dg13-altered"],
                                 ["--cccd", "{cccd}", "--dob", "{birth_date}", "--unmasked"])
    pa = res["passive_authentication"]
    assert not pa["ok"] and pa["failed"] == "dg_hash" and pa["dg_hash_ok"]["DG13"] is False
    assert res["identity"]["source"] == "chip_unverified"
    assert res["identity"]["cccd"]["number"] == info["cccd"]


def test_card_pulled_mid_read_then_laid_down_again(daemon, tmp_path):
    sim = kiosk("card", "sim", "--no-pcscd", "--pki", str(tmp_path / "pki"), "--citizen", "5", "--remove-after", "25")
    try:
        info = json.loads(sim.stdout.readline())
        args = ["card", "read", "--json", "--timeout", "10", "--csca", info["csca_dir"],
                "--cccd", info["cccd"], "--dob", info["birth_date"]]
        first = kiosk(*args)
        out, err = first.communicate(timeout=60)
        res = json.loads(out)
        assert first.returncode == 1 and res == {**res, "ok": False, "error": "card_removed", "retryable": True}
        time.sleep(1.5)   # the session lays the card down again after a second
        second = kiosk(*args)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert json.loads(out)["passive_authentication"]["ok"]
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(timeout=20)


@pytest.mark.parametrize("args,message", [
    (["--cccd", "001085000101", "--dob", "1985-02-30"], "--dob is not a date"),
    (["--cccd", "12345", "--dob", "1985-04-12"], "not 12 digits"),
    (["--cccd", "001885000101", "--dob", "1985-04-12"], "birth year in the future"),
    (["--mrz", "not an mrz"], "not a TD1 MRZ"),
    ([], "give --mrz, or --cccd with --dob"),
])
def test_read_refuses_bad_input_before_touching_a_reader(args, message, capsys):
    from kiosk import cli
    try:
        code = cli.main(["card", "read", "--timeout", "0.1", *args])
    except SystemExit as exc:
        code, err = exc.code, str(exc)
    else:
        err = capsys.readouterr().err
    assert code not in (0, None) and message in err, err
