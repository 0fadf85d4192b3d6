"""The simulator's own checks (what it refuses and why), its admin endpoints over HTTP, and the
`kiosk gateway-sim` command."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import requests
from gateway_helpers import FOLLOW_UP, checkin, make_client, summary

from kiosk.gateway.results import UploadOutcome
from kiosk.gateway.sim.server import SIM_OFFICER_CCCD, SIM_OFFICER_NAME, admin_call
from kiosk.gateway.xml import build_dossier, build_xml0


def test_refuses_wrong_order_format_and_facility(sim, client, signer):
    good = build_xml0(checkin())
    swapped = good.replace(b"<STT>1</STT><MA_BN>BN000001</MA_BN>", b"<MA_BN>BN000001</MA_BN><STT>1</STT>")
    bad_date = good.replace(b"<NGAY_VAO>202611200815", b"<NGAY_VAO>20261120")
    other_facility = good.replace(b"<MA_CSKCB>79001", b"<MA_CSKCB>79002")
    missing = good.replace(b"<SO_CCCD>079085000001</SO_CCCD>", b"")
    for doc, hint in ((swapped, "MA_BN"), (bad_date, "NGAY_VAO"), (other_facility, "MA_CSKCB"), (missing, "SO_CCCD")):
        result = client.upload_checkin(signer.sign(doc))
        assert result.outcome is UploadOutcome.REJECTED and hint in result.message, result.message
    env = signer.sign(build_dossier(summary(), follow_up=FOLLOW_UP).replace(b"<LOAIHOSO>XML14", b"<LOAIHOSO>XML99"))
    assert "LOAIHOSO" in client.upload_dossier(env).message
    checkin_as_dossier = client.upload_dossier(signer.sign(good))
    assert checkin_as_dossier.outcome is UploadOutcome.REJECTED
    assert sim.received() == [] and sim.state.rejections == 6


def test_refuses_garbage_base64_and_wrong_loai_ho_so(sim, client):
    tok = client.token()
    headers = {"accessToken": tok.access_token, "tokenId": tok.id_token, "passwordHash": client._password_md5}
    form = {"username": client.username, "loaiHoSo": "0", "maTinh": "79", "maCSKCB": "79001", "fileHSBase64": "@@"}
    r = requests.post(sim.url + "/api/qd130/checkInKcbQd4750", data=form, headers=headers, timeout=5).json()
    assert r["maKetQua"] == "400" and "base64" in r["thongDiep"]
    form.update(loaiHoSo="130", fileHSBase64=base64.b64encode(b"<x/>").decode())
    r = requests.post(sim.url + "/api/qd130/checkInKcbQd4750", data=form, headers=headers, timeout=5).json()
    assert r["maKetQua"] == "400" and "loaiHoSo" in r["thongDiep"]


def test_card_check_form_and_json_bodies_and_history_json_rejected(sim, client):
    tok = client.token()
    q = urllib.parse.urlencode({"token": tok.access_token, "id_token": tok.id_token, "username": client.username,
                                "password": client._password_md5})
    body = {"maThe": "DN4797900000001", "hoTen": "NGUYỄN VĂN AN", "ngaySinh": "15/03/1985",
            "hoTenCb": SIM_OFFICER_NAME, "cccdCb": SIM_OFFICER_CCCD}
    url = sim.url + "/api/egw/KQNhanLichSuKCB2024?" + q
    assert requests.post(url, data=body, timeout=5).json()["maKetQua"] == "000"
    reply = requests.post(url, json=body, timeout=5).json()
    assert reply["maKetQua"] == "000" and reply["dsLichSuKCB2018"] is None and reply["maSoBHXH"] == "7900000001"
    hist = requests.post(sim.url + "/api/egw/Lskcb2025?" + q, json=body, timeout=5).json()
    assert hist["maKetQua"] == "205"
    bad_token = requests.post(sim.url + "/api/egw/KQNhanLichSuKCB2024?token=x&id_token=y&username=z&password=w",
                              data=body, timeout=5).json()
    assert bad_token["maKetQua"] == "401"


def test_admin_endpoints_over_http(sim, client, signer):
    assert admin_call(sim.url, "/health")["status"] == "ok"
    faults = admin_call(sim.url, "/admin/faults", {"error503_rate": 1.0, "scope": ["upload"], "seed": 7})
    assert faults["error503_rate"] == 1.0
    assert client.upload_checkin(signer.sign(build_xml0(checkin("LK-1")))).outcome is UploadOutcome.RETRY
    assert admin_call(sim.url, "/admin/faults", method="DELETE")["error503_rate"] == 0.0
    x0 = signer.sign(build_xml0(checkin("LK-1")))
    client.upload_checkin(x0)
    client.upload_checkin(x0)
    rows = admin_call(sim.url, "/admin/received")
    assert [(r["ma_lk"], r["loai_ho_so"], r["duplicate"]) for r in rows] == [("LK-1", "0", False), ("LK-1", "0", True)]
    assert base64.b64decode(rows[0]["xml_base64"]) == x0 and rows[0]["ma_giao_dich"] and rows[0]["received_at"]
    stats = admin_call(sim.url, "/admin/stats")
    assert (stats["total"], stats["duplicates"], stats["distinct"], stats["ma_lk_with_copies"]) == (2, 1, 1, 1)
    assert admin_call(sim.url, "/admin/expire-tokens", {})["expired"] >= 1
    with pytest.raises(urllib.error.HTTPError):
        admin_call(sim.url, "/admin/faults", {"no_such_fault": 1})


def test_received_store_survives_a_restart(tmp_path, dev_identity, signer):
    from kiosk.demo.sim_cards import start_demo_simulator
    first = start_demo_simulator(tmp_path / "s", facility_cert_pem=dev_identity.cert_pem)
    make_client(first.url).upload_checkin(signer.sign(build_xml0(checkin("LK-R"))))
    first.stop()
    second = start_demo_simulator(tmp_path / "s", facility_cert_pem=dev_identity.cert_pem)
    try:
        again = make_client(second.url).upload_checkin(signer.sign(build_xml0(checkin("LK-R"))))
        assert again.outcome is UploadOutcome.DUPLICATE      # the store outlives the process
    finally:
        second.stop()


def test_cli_gateway_sim(tmp_path, dev_identity):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway-sim", "--port", "0", "--data-dir",
                             str(tmp_path / "d"), "--cert", str(dev_identity.cert_path), "--latency-ms", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("gateway simulator on http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[3]
        assert admin_call(url, "/health")["status"] == "ok"
        assert json.loads(urllib.request.urlopen(url + "/admin/faults").read())["latency_ms"] == 1.0
        assert make_client(url).check_card("DN4797900000001", "NGUYỄN VĂN AN", "15/03/1985").code == "000"
    finally:
        proc.terminate()
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert proc.returncode == 0


def test_md5_is_upper_case_hex_known_answer():
    from kiosk.gateway.client import md5_upper
    # echo -n mat-khau-demo | md5sum  ->  da7ea9a569fad7eae0fea9a7357b041d
    assert md5_upper("mat-khau-demo") == "DA7EA9A569FAD7EAE0FEA9A7357B041D"


def test_token_and_upload_need_upper_case_md5_and_form_bodies(sim, client, signer):
    from kiosk.gateway.sim.server import SIM_USERNAME
    lower = client._password_md5.lower()
    url = sim.url + "/api/token/take"
    assert requests.post(url, data={"username": SIM_USERNAME, "password": lower}, timeout=5).json()["maKetQua"] == "401"
    as_json = requests.post(url, json={"username": SIM_USERNAME, "password": client._password_md5}, timeout=5).json()
    assert as_json["maKetQua"] == "400" and as_json["APIKey"] is None
    ok = requests.post(url, data={"username": SIM_USERNAME, "password": client._password_md5}, timeout=5).json()
    assert ok["maKetQua"] == "200" and ok["APIKey"]["access_token"]
    tok = client.token()
    form = {"username": SIM_USERNAME, "loaiHoSo": "0", "maTinh": "79", "maCSKCB": "79001",
            "fileHSBase64": base64.b64encode(signer.sign(build_xml0(checkin("LK-WIRE")))).decode()}
    headers = {"accessToken": tok.access_token, "tokenId": tok.id_token, "passwordHash": lower}
    upload = sim.url + "/api/qd130/checkInKcbQd4750"
    assert requests.post(upload, data=form, headers=headers, timeout=5).json()["maKetQua"] == "401"
    headers["passwordHash"] = client._password_md5
    assert requests.post(upload, json=form, headers=headers, timeout=5).json()["maKetQua"] == "400"
    assert sim.received() == []
    assert requests.post(upload, data=form, headers=headers, timeout=5).json()["maKetQua"] == "200"


def test_cli_gateway_sim_bad_cert_is_a_clear_error(tmp_path, capsys):
    from kiosk.cli import main
    (tmp_path / "junk.pem").write_text("not a certificate")
    base = ["gateway-sim", "--port", "0", "--data-dir", str(tmp_path / "d")]
    assert main([*base, "--cert", str(tmp_path / "missing.pem")]) == 2
    assert "missing.pem" in capsys.readouterr().out
    assert main([*base, "--cert", str(tmp_path / "junk.pem")]) == 2
    assert "junk.pem is not a PEM certificate" in capsys.readouterr().out
