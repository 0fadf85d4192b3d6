"""Building the client and the signer from the settings: the PKCS#12 password never comes from the
settings file; the client works against the simulator with nothing but the settings."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from gateway_helpers import checkin

from kiosk.config import load
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.results import UploadOutcome
from kiosk.gateway.signing import SigningError
from kiosk.gateway.sim.server import LOOKUP_PATH, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD, SIM_USERNAME
from kiosk.gateway.xml import build_xml0
from kiosk.settings_map import gateway_client
from kiosk.settings_map import signer as signer_from_settings
from kiosk.store.keys import write_secret_atomic


def settings(tmp_path, text: str, env=None):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return load(path, env=env or {})


def test_client_and_signer_from_settings(tmp_path, sim, dev_identity):
    pw_file = tmp_path / "p12.pass"
    write_secret_atomic(pw_file, dev_identity.password + b"\n")
    cfg = settings(tmp_path, f"""
facility_code = "79001"
[gateway]
url = "{sim.url}"
username = "{SIM_USERNAME}"
officer_name = "{SIM_OFFICER_NAME}"
lookup_endpoint = "{LOOKUP_PATH}"
allow_http = true
connect_timeout = 2.5
read_timeout = 45.0
ca_bundle = "{tmp_path / 'pinned-ca.pem'}"
[signing]
pkcs12 = "{dev_identity.p12_path}"
pkcs12_password_file = "{pw_file}"
""", env={"KIOSK_GATEWAY_PASSWORD": SIM_PASSWORD, "KIOSK_GATEWAY_OFFICER_CCCD": SIM_OFFICER_CCCD})
    client = gateway_client(cfg)
    # the settings, not the constructor's defaults (5 s / 120 s / system CAs)
    assert (client.revision, client.timeout, client.verify) == ("3176", (2.5, 45.0), str(tmp_path / "pinned-ca.pem"))
    assert (client.username, client.officer_name, client.officer_cccd, client.facility_code) == (
        SIM_USERNAME, SIM_OFFICER_NAME, SIM_OFFICER_CCCD, "79001")
    signer = signer_from_settings(cfg)
    result = client.upload_checkin(signer.sign(build_xml0(checkin("LK-CFG"))))
    assert result.outcome is UploadOutcome.ACCEPTED


def test_pkcs12_password_in_the_settings_file_is_refused(tmp_path, dev_identity):
    cfg = settings(tmp_path, f'signing_pkcs12 = "{dev_identity.p12_path}"\n'
                             f'signing_pkcs12_password = "{dev_identity.password.decode()}"\n')
    with pytest.raises(SigningError, match="out of the settings file"):
        signer_from_settings(cfg)
    from_env = load(tmp_path / "kiosk.toml", env={"KIOSK_SIGNING_PKCS12_PASSWORD": dev_identity.password.decode()})
    # the environment (a parameter of the process) is accepted and overrides the file's copy
    assert from_env.source("signing_pkcs12_password") == "env"
    cert = signer_from_settings(from_env).certificate
    assert cert.public_bytes(serialization.Encoding.PEM) == dev_identity.cert_pem


def test_revision_4750_uses_its_endpoints_and_layouts(sim, signer):
    from dataclasses import replace
    from urllib.parse import urlsplit

    from gateway_helpers import FOLLOW_UP, RecordingSession, make_client, summary

    from kiosk.gateway.xml import build_dossier
    session = RecordingSession()
    c = make_client(sim.url, revision="4750", session=session)
    s, fu = summary("LK-4750", head_code="0100000001"), replace(FOLLOW_UP, head_code="0100000001")
    assert c.upload_checkin(signer.sign(build_xml0(checkin("LK-4750")))).outcome is UploadOutcome.ACCEPTED
    assert c.upload_dossier(signer.sign(build_dossier(s, fu, revision="4750"))).outcome is UploadOutcome.ACCEPTED
    # a 3176 XML14 (8-character NGAY_HEN_KL) sent to the 4750 endpoint is refused by the simulator
    wrong = c.upload_dossier(signer.sign(build_dossier(replace(s, ma_lk="LK-4750-B"), fu, revision="3176")))
    assert wrong.outcome is UploadOutcome.REJECTED and "NGAY_HEN_KL" in wrong.message
    assert [urlsplit(r.url).path for r in session.sent] == [
        "/api/token/take", "/api/qd130/checkInKcbQd4750", "/api/qd130/guiHoSoXmlQD4750",
        "/api/qd130/guiHoSoXmlQD4750"]
    with pytest.raises(ValueError):
        make_client(sim.url, revision="130")


@pytest.mark.parametrize("encoding, content_type", [("form", "application/x-www-form-urlencoded"),
                                                     ("json", "application/json")])
def test_card_check_body_encoding_follows_the_setting(tmp_path, sim, encoding, content_type):
    from gateway_helpers import RecordingSession
    cfg = settings(tmp_path, f"""
[gateway]
url = "{sim.url}"
allow_http = true
username = "{SIM_USERNAME}"
officer_name = "{SIM_OFFICER_NAME}"
card_check_body = "{encoding}"
""", env={"KIOSK_GATEWAY_PASSWORD": SIM_PASSWORD, "KIOSK_GATEWAY_OFFICER_CCCD": SIM_OFFICER_CCCD})
    session = RecordingSession()
    client = gateway_client(cfg, session=session)
    client.check_card("0123456789", "NGUYỄN VĂN DEMO", "01/01/1980")
    checks = [r for r in session.sent if "KQNhanLichSuKCB2024" in r.url]
    assert checks and checks[-1].headers["Content-Type"].startswith(content_type)


def test_environment_proxy_read_once_and_still_used(monkeypatch):
    """Proxy variables are honoured (hospital networks), but looked up once, not per request."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.hospital.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = GatewayClient("https://egw.example.invalid", "u", "p", "officer", "001080000001")
    assert client.session.trust_env is False
    assert client.session.proxies.get("https") == "http://proxy.hospital.invalid:3128"
