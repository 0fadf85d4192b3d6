"""The gateway client against the running simulator: every endpoint, every card-check code,
token caching and expiry, the 401 re-login rule, faults and timeouts -> the right outcome."""
from __future__ import annotations

import hashlib

import base64
import logging
import socket
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.core.clock import FakeClock, local_day
from kiosk.gateway.results import (CARD_CODES, GatewayAuthError, GatewayUnavailable, NotConfigured, UploadOutcome,
                                   Verdict)
from kiosk.demo.sim_cards import start_demo_simulator
from kiosk.gateway.sim.server import SIM_PASSWORD, vneid_token_for
from kiosk.gateway.sim.cards import CARDS_BY_CODE
from kiosk.gateway.xml import build_dossier, build_xml0

from gateway_helpers import FOLLOW_UP, checkin, make_client, summary

REFERENCE_CODES = ["000", "001", "002", "003", "004", "010", "050", "051", "052", "053", "054", "055", "060", "061",
                   "070", "100", "101", "110", "120", "121", "122", "123", "124", "130", "205", "401"]
EXPECTED_VERDICT = {"000": Verdict.VALID, "001": Verdict.VALID, "002": Verdict.VALID, "003": Verdict.VALID_NEW_CARD,
                    "004": Verdict.VALID_NEW_CARD, "054": Verdict.CONFIG_FAULT, "055": Verdict.CONFIG_FAULT,
                    "100": Verdict.RETRY_LATER, "101": Verdict.RETRY_LATER, "401": Verdict.RETRY_LATER}


def test_every_reference_code_is_mapped():
    # plus "500" ("Lỗi máy chủ"), seen in a production client's code list (conformance review item 13)
    assert sorted(c for c in CARD_CODES if c.isdigit() and c != "500") == REFERENCE_CODES


@pytest.mark.parametrize("code", [c for c in REFERENCE_CODES if c not in ("054", "055", "401")])
def test_card_check_every_result_code(client, code):
    card, name, birth = CARDS_BY_CODE[code]
    result = client.check_card(card, name, birth)
    assert result.code == code
    assert result.verdict is EXPECTED_VERDICT.get(code, Verdict.NEEDS_DESK)
    assert result.message_vi and result.message_en


def test_card_check_officer_codes(sim):
    card, name, birth = CARDS_BY_CODE["000"]
    assert make_client(sim.url, officer_cccd="079190000111").check_card(card, name, birth).code == "054"
    wrong_name = make_client(sim.url, officer_name="TRẦN VĂN KHÁC").check_card(card, name, birth)
    assert wrong_name.code == "055" and wrong_name.verdict is Verdict.CONFIG_FAULT and wrong_name.alert


def test_card_check_401_after_relogin_is_provisional(sim):
    sim.set_faults(unauthorized_rate=1.0, scope=["card"])
    c = make_client(sim.url)
    result = c.check_card(*CARDS_BY_CODE["000"])
    assert (result.code, result.verdict, result.alert) == ("401", Verdict.RETRY_LATER, True)
    assert sim.state.tokens.logins == 2     # logged in, 401, logged in once more, 401: stop


def test_valid_card_fields_and_new_card(client):
    ok = client.check_card("DN4797900000001", "Nguyễn Văn An", "1985-03-15")   # case and date form tolerated
    assert ok.code == "000" and ok.full_name == "NGUYỄN VĂN AN" and ok.valid_to == "31/12/2026"
    assert ok.effective_card_number == "DN4797900000001" and ok.ma_dkbd == "79001"
    new = client.check_card(*CARDS_BY_CODE["003"])
    assert new.verdict is Verdict.VALID_NEW_CARD
    assert (new.old_card_number, new.new_card_number, new.new_valid_to) == ("HT3797900000004", "HT3797900000104",
                                                                           "31/12/2026")
    assert new.effective_card_number == "HT3797900000104"


def test_card_check_json_body_and_cccd_and_year_only(sim):
    c = make_client(sim.url, card_check_body="json")
    assert c.check_card("079085000001", "NGUYỄN VĂN AN", "15/03/1985").code == "000"   # CCCD as maThe
    assert c.check_card(*CARDS_BY_CODE["003"]).code == "003"                          # birth "1950"


def test_history_and_vneid(client):
    rows = client.history(*CARDS_BY_CODE["000"])
    assert [r.ma_ho_so for r in rows] == ["79001-2026-0001", "79001-2026-0002"]
    assert rows[0].admitted.strftime("%Y%m%d%H%M") == "202603020815" and rows[0].disease == "Viêm họng cấp"
    assert client.history(*CARDS_BY_CODE["050"]) == []
    ident = client.resolve_vneid(vneid_token_for("079085000001"))
    assert (ident.cccd, ident.full_name, ident.bhyt_card) == ("079085000001", "NGUYỄN VĂN AN", "DN4797900000001")
    assert client.resolve_vneid("VNEIDDEMO000000000000") is None


def test_unconfigured_endpoints_raise(sim):
    c = make_client(sim.url, lookup_endpoint="", vneid_endpoint="")
    with pytest.raises(NotConfigured):
        c.lookup_received("X", "2026-11-20", kind="checkin")
    with pytest.raises(NotConfigured):
        c.resolve_vneid("VNEIDDEMO079085000001")


def test_token_is_cached_then_renewed_on_expiry(tmp_path, dev_identity):
    clock = FakeClock()
    handle = start_demo_simulator(tmp_path / "s", clock=clock, facility_cert_pem=dev_identity.cert_pem, token_ttl=600)
    try:
        c = make_client(handle.url, clock=clock)
        first = c.token()
        assert c.token() is first and handle.state.tokens.logins == 1
        assert first.expires_at == clock.now() + timedelta(seconds=600)
        clock.advance(590)                   # within the renewal margin: a new login before it lapses
        assert c.token() is not first and handle.state.tokens.logins == 2
        assert c.check_card(*CARDS_BY_CODE["000"]).code == "000"
        assert handle.state.tokens.logins == 2
    finally:
        handle.stop()


@pytest.mark.parametrize("fmt", ["seconds", "none"])
def test_token_expiry_formats(tmp_path, dev_identity, fmt):
    clock = FakeClock()
    handle = start_demo_simulator(tmp_path / "s", clock=clock, facility_cert_pem=dev_identity.cert_pem, token_ttl=600,
                             expiry_format=fmt)
    try:
        c = make_client(handle.url, clock=clock)
        tok = c.token()
        assert tok.expires_at == (clock.now() + timedelta(seconds=600) if fmt == "seconds" else None)
        clock.advance(700)                   # unknown expiry: the 401 rule logs in again
        assert c.check_card(*CARDS_BY_CODE["000"]).code == "000"
        assert handle.state.tokens.logins == 2
    finally:
        handle.stop()


def test_401_relogin_once_then_resend(sim, client, signer):
    assert client.check_card(*CARDS_BY_CODE["000"]).code == "000"
    sim.expire_tokens()
    result = client.upload_checkin(signer.sign(build_xml0(checkin())))
    assert result.outcome is UploadOutcome.ACCEPTED and sim.state.tokens.logins == 2
    assert len(sim.received()) == 1


def test_wrong_password(sim, signer):
    c = make_client(sim.url, password="not-" + SIM_PASSWORD)
    with pytest.raises(GatewayAuthError):
        c.token()
    assert c.upload_checkin(signer.sign(build_xml0(checkin()))).outcome is UploadOutcome.AUTH
    assert c.check_card(*CARDS_BY_CODE["000"]).code == "401"


def test_upload_accept_duplicate_lookup(sim, client, signer):
    x0 = signer.sign(build_xml0(checkin("LK-A")))
    env = signer.sign(build_dossier(summary("LK-A"), follow_up=FOLLOW_UP))
    first = client.upload_checkin(x0)
    assert first.outcome is UploadOutcome.ACCEPTED and first.ma_giao_dich and first.received_at
    again = client.upload_checkin(x0)
    assert again.outcome is UploadOutcome.DUPLICATE and not again.acked   # acked only after a look-up
    assert again.ma_giao_dich == first.ma_giao_dich          # the receipt of the copy the gateway keeps
    assert client.upload_dossier(env).outcome is UploadOutcome.ACCEPTED
    day = local_day(sim.state.clock.now())
    held = client.lookup_received("LK-A", day, kind="checkin")
    assert held.ma_giao_dich == first.ma_giao_dich and not held.duplicate and held.loai_ho_so == "0"
    assert held.payload_sha256 == hashlib.sha256(x0).hexdigest()   # the look-up says *which* file it holds
    assert client.lookup_received("LK-A", day, kind="dossier").loai_ho_so == "130"
    assert client.lookup_received("LK-B", day, kind="checkin") is None
    rows = sim.received()
    assert [(r["loai_ho_so"], r["duplicate"]) for r in rows] == [("0", False), ("0", True), ("130", False)]


def test_rejections_are_rejected_with_the_gateway_message(sim, client, signer):
    unsigned = client.upload_checkin(build_xml0(checkin()))
    assert unsigned.outcome is UploadOutcome.REJECTED and "CHUKYDONVI" in unsigned.message
    other_facility = make_client(sim.url, facility_code="79002")
    assert other_facility.upload_checkin(signer.sign(build_xml0(checkin()))).outcome is UploadOutcome.AUTH
    assert sim.received() == []


@pytest.mark.parametrize("fault,outcome,stored", [
    ("error503", UploadOutcome.RETRY, 0),
    ("error500", UploadOutcome.RETRY, 0),
    ("malformed", UploadOutcome.RETRY, 0),
    ("drop_before", UploadOutcome.AMBIGUOUS, 0),
    ("drop_after", UploadOutcome.AMBIGUOUS, 1),
])
def test_upload_faults(sim, client, signer, fault, outcome, stored):
    client.token()
    sim.set_faults(**{f"{fault}_rate": 1.0}, scope=["upload"])
    result = client.upload_checkin(signer.sign(build_xml0(checkin())))
    assert result.outcome is outcome
    assert len(sim.received()) == stored


def test_read_timeout_after_the_request_was_sent_is_ambiguous(sim, signer):
    c = make_client(sim.url, read_timeout=0.3)
    c.token()
    sim.set_faults(timeout_rate=1.0, hang_seconds=1.5, scope=["upload"])
    result = c.upload_checkin(signer.sign(build_xml0(checkin())))
    assert result.outcome is UploadOutcome.AMBIGUOUS
    assert len(sim.received()) == 1          # the gateway stored it; only the reply was late


def test_card_check_faults_are_provisional(sim):
    c = make_client(sim.url, read_timeout=0.3)
    c.token()
    sim.set_faults(timeout_rate=1.0, hang_seconds=1.0, scope=["card"])
    assert (r := c.check_card(*CARDS_BY_CODE["000"])).code == "NET" and r.provisional
    sim.set_faults(timeout_rate=0.0, malformed_rate=1.0)
    assert c.check_card(*CARDS_BY_CODE["000"]).code == "BAD_REPLY"


def test_connection_refused_is_retry(sim, signer):
    port = sim.port
    sim.stop()
    c = make_client(f"http://127.0.0.1:{port}")
    assert c.upload_checkin(signer.sign(build_xml0(checkin()))).outcome is UploadOutcome.RETRY
    assert c.check_card(*CARDS_BY_CODE["000"]).code == "NET"


def test_connect_timeout_is_retry(sim, signer):
    # A listener whose accept queue is full: the kernel drops further SYNs, so connect() times out.
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    fillers = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(lsock.getsockname())
            fillers.append(s)
        blackhole = "http://127.0.0.1:%d" % lsock.getsockname()[1]
        c = make_client(blackhole, connect_timeout=0.3, read_timeout=5.0)
        with pytest.raises(GatewayUnavailable, match="ConnectTimeout"):
            c.token()
        assert c.check_card(*CARDS_BY_CODE["000"]).code == "NET"
        # With a valid token in hand, the upload itself meets the connect timeout: nothing was sent.
        c = make_client(sim.url, connect_timeout=0.3, read_timeout=5.0)
        c.token()
        c.base_url = blackhole
        result = c.upload_checkin(signer.sign(build_xml0(checkin())))
        assert (result.outcome, result.message) == (UploadOutcome.RETRY, "checkin upload: ConnectTimeout")
    finally:
        for s in fillers:
            s.close()
        lsock.close()


def test_no_personal_data_in_logs(sim, client, signer, caplog):
    caplog.set_level(logging.DEBUG, logger="kiosk")
    client.check_card(*CARDS_BY_CODE["060"])
    sim.set_faults(drop_after_rate=1.0, scope=["upload"])
    result = client.upload_checkin(signer.sign(build_xml0(checkin())))
    text = caplog.text + result.message
    for secret in ("NGUYỄN", "DN4797900000001", "079085000001", "TRẦN", SIM_PASSWORD):
        assert secret not in text
    assert "card check" in caplog.text


def test_demo_citizens_are_known_to_the_simulator(client):
    from kiosk.demo.people import by_key
    expected = {"valid_bhyt": "000", "expired_bhyt": "010", "year_only": "000", "returning": "000", "cccd_only": "050"}
    for key, code in expected.items():
        ident = by_key(key).identity
        b = ident.birth_date
        number = (ident.bhyt.code15 or ident.bhyt.bhxh_number10) if ident.bhyt else ident.cccd.number
        assert client.check_card(number, ident.full_name, str(b.year) if b.year_only else b.as_date()).code == code
    cccd_only = by_key("cccd_only").identity
    resolved = client.resolve_vneid(vneid_token_for(cccd_only.cccd.number))
    assert (resolved.full_name, resolved.bhyt_card) == (cccd_only.full_name, "")


def test_accepted_summary_appears_in_the_visit_history(client, signer):
    card = CARDS_BY_CODE["000"]
    before = client.history(*card)
    env = signer.sign(build_dossier(summary("LK-HIST"), follow_up=FOLLOW_UP))
    assert client.upload_dossier(env).acked and client.upload_dossier(env).outcome is UploadOutcome.DUPLICATE
    after = client.history(*card)
    assert len(after) == len(before) + 1          # the duplicate copy adds nothing
    new = after[-1]
    assert (new.ma_ho_so, new.disease, new.admitted.strftime("%Y%m%d%H%M")) == (
        "LK-HIST", "Viêm họng cấp", "202611200815")


def test_tls_is_verified_and_a_pinned_ca_bundle_is_used(tmp_path, dev_identity, signer):
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gateway-sim test")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "tls.pem", tmp_path / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    handle = start_demo_simulator(tmp_path / "s", facility_cert_pem=dev_identity.cert_pem, tls=(cert_path, key_path))
    try:
        assert handle.url.startswith("https://")
        doc = signer.sign(build_xml0(checkin("LK-TLS")))
        unpinned = make_client(handle.url)                       # system CAs do not know this certificate
        assert unpinned.upload_checkin(doc).outcome is UploadOutcome.RETRY
        assert unpinned.check_card(*CARDS_BY_CODE["000"]).code == "NET"
        pinned = make_client(handle.url, ca_bundle=str(cert_path))
        assert pinned.upload_checkin(doc).outcome is UploadOutcome.ACCEPTED
        assert len(handle.received()) == 1
    finally:
        handle.stop()


def test_card_check_deadline_bounds_the_login_too(sim):
    import time
    c = make_client(sim.url, read_timeout=30.0)
    sim.set_faults(timeout_rate=1.0, hang_seconds=3.0, scope=["token"])
    start = time.monotonic()
    result = c.check_card(*CARDS_BY_CODE["000"], deadline=0.5)
    assert result.code == "NET" and time.monotonic() - start < 2.0
    sim.clear_faults()
    assert c.check_card(*CARDS_BY_CODE["000"], deadline=5.0).code == "000"


def test_wire_shapes_of_token_card_check_and_uploads(sim, signer):
    """What goes on the wire, request by request, as reference/gateway-api.md describes it."""
    from urllib.parse import parse_qs, urlsplit

    from gateway_helpers import RecordingSession
    from kiosk.gateway.sim.server import SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_USERNAME

    md5 = "DA7EA9A569FAD7EAE0FEA9A7357B041D"          # MD5 of the demo password, upper-case hex
    session = RecordingSession()
    c = make_client(sim.url, session=session)
    assert c.check_card("DN4797900000001", "NGUYỄN VĂN AN", "1985-03-15").code == "000"
    x0 = signer.sign(build_xml0(checkin("LK-W")))
    env = signer.sign(build_dossier(summary("LK-W")))
    assert c.upload_checkin(x0).outcome is UploadOutcome.ACCEPTED
    assert c.upload_dossier(env).outcome is UploadOutcome.ACCEPTED
    login, card, up0, up130 = session.sent

    def form(req):
        assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
        return {k: v[0] for k, v in parse_qs(req.body if isinstance(req.body, str) else req.body.decode()).items()}

    assert (login.method, urlsplit(login.url).path) == ("POST", "/api/token/take")
    assert form(login) == {"username": SIM_USERNAME, "password": md5}
    tok = c.token()
    assert urlsplit(card.url).path == "/api/egw/KQNhanLichSuKCB2024"
    assert {k: v[0] for k, v in parse_qs(urlsplit(card.url).query).items()} == {
        "token": tok.access_token, "id_token": tok.id_token, "username": SIM_USERNAME, "password": md5}
    assert form(card) == {"maThe": "DN4797900000001", "hoTen": "NGUYỄN VĂN AN", "ngaySinh": "15/03/1985",
                          "hoTenCb": SIM_OFFICER_NAME, "cccdCb": SIM_OFFICER_CCCD}
    for req, path, loai, doc in ((up0, "/api/qd130/checkInKcbQd3176", "0", x0),      # 3176: the default
                                 (up130, "/api/qd130/guiHoSoXmlQD3176", "130", env)):
        assert (urlsplit(req.url).path, urlsplit(req.url).query) == (path, "")
        assert (req.headers["accessToken"], req.headers["tokenId"], req.headers["passwordHash"]) == (
            tok.access_token, tok.id_token, md5)
        body = form(req)
        assert body == {"username": SIM_USERNAME, "loaiHoSo": loai, "maTinh": "79", "maCSKCB": "79001",
                        "fileHSBase64": body["fileHSBase64"]}
        assert base64.b64decode(body["fileHSBase64"]) == doc
