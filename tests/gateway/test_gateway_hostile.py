"""The client against a hostile gateway (tests/hostile_gateway.py, a real server on loopback):
redirects, trickles, silence, huge replies, gzip bombs, lying refusals, receipt-less 200s."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from hostile_gateway import DUP_TEXT, LOOKUP_PATH, HostileGateway

from kiosk.gateway import replies
from kiosk.gateway.client import GatewayClient, InsecureGatewayURL
from kiosk.gateway.results import UploadOutcome, Verdict

PAYLOAD = b"<GIAMDINHHS>signed dossier of a synthetic patient</GIAMDINHHS>"


@pytest.fixture
def hostile():
    gw = HostileGateway()
    yield gw
    gw.close()


def client_for(gw: HostileGateway, **kw) -> GatewayClient:
    args = dict(connect_timeout=1.0, read_timeout=3.0, facility_code="79001", lookup_endpoint=LOOKUP_PATH)
    args.update(kw)
    return GatewayClient(gw.url, "79001_kiosk", "secret", "Cán bộ", "079080000001", **args)


# ---- H2: no redirects, nothing to another host
@pytest.mark.parametrize("mode", ["redirect307", "redirect302", "redirect308", "status-302-login"])
def test_a_redirected_upload_is_not_followed_and_not_acked(hostile, mode):
    hostile.mode = mode
    result = client_for(hostile).upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.RETRY and not result.acked
    assert result.code.startswith("HTTP 30") and "not followed" in result.message
    assert hostile.seen("other") == []                            # no token, no hash, no dossier left
    assert not any(s.path == "/login" for s in hostile.seen())    # the portal's JSON was never read


def test_a_redirected_login_sends_no_password_anywhere_else(hostile):
    hostile.mode = "token-redirect307"
    c = client_for(hostile)
    result = c.upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.RETRY and "redirect" in result.message
    assert c.check_card("DN4797900000001", "X", "1985").verdict is Verdict.RETRY_LATER
    assert hostile.seen("other") == []


def test_redirected_card_checks_and_lookups_are_errors_not_answers(hostile):
    hostile.mode = "redirect307"
    c = client_for(hostile)
    assert c.check_card("DN4797900000001", "X", "1985").verdict is Verdict.RETRY_LATER
    with pytest.raises(Exception, match="redirect|Unavailable"):
        c.lookup_received("LK", "2026-11-20", kind="checkin")
    assert hostile.seen("other") == []


def test_http_urls_need_the_explicit_setting():
    with pytest.raises(InsecureGatewayURL, match="gateway_allow_http"):
        GatewayClient("http://egw.example.invalid", "u", "p", "o", "c", allow_http=False)
    with pytest.raises(InsecureGatewayURL):
        GatewayClient("http://egw.example.invalid", "u", "p", "o", "c")          # remote: never implicit
    with pytest.raises(InsecureGatewayURL):
        GatewayClient("ftp://egw.example.invalid", "u", "p", "o", "c", allow_http=True)
    with pytest.raises(InsecureGatewayURL):   # from settings, loopback is no excuse either
        GatewayClient("http://127.0.0.1:9", "u", "p", "o", "c", allow_http=False)
    GatewayClient("http://egw.example.invalid", "u", "p", "o", "c", allow_http=True)
    GatewayClient("https://egw.example.invalid", "u", "p", "o", "c", allow_http=False)


# ---- H1 / L7: only a real acceptance is an ack
REFUSALS = ["Hồ sơ có thời gian trùng với lượt khám khác", "Hồ sơ bị trùng thẻ BHYT trong cùng ngày",
            "Mã liên kết đã tồn tại ở cơ sở KCB khác", "Hồ sơ đã tồn tại nhưng chữ ký số không hợp lệ",
            "duplicate dossier", DUP_TEXT]


@pytest.mark.parametrize("text", REFUSALS)
def test_a_refusal_worded_like_a_duplicate_is_a_refusal(hostile, text):
    hostile.mode = f"refusal:{text}"
    result = client_for(hostile).upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.REJECTED and not result.acked
    assert result.message == text and result.code == "400"       # the gateway's words, for staff


@pytest.mark.parametrize("code, outcome", [("099", UploadOutcome.REJECTED), ("500", UploadOutcome.RETRY)])
def test_other_codes_with_duplicate_wording(hostile, code, outcome):
    hostile.mode = f"code:{code}:MA_LK trùng - duplicate dossier detection service unavailable"
    assert client_for(hostile).upload_checkin(PAYLOAD).outcome is outcome


@pytest.mark.parametrize("mode, outcome", [("receiptless-200", UploadOutcome.UNCONFIRMED),
                                           ("html-200", UploadOutcome.RETRY),
                                           ("bad-code-type", UploadOutcome.RETRY),
                                           ("dup-not-ours", UploadOutcome.DUPLICATE)])
def test_200s_that_are_not_a_receipt_are_not_acks(hostile, mode, outcome):
    hostile.mode = mode
    result = client_for(hostile).upload_checkin(PAYLOAD)
    assert result.outcome is outcome and not result.acked


def test_an_honest_gateway_is_still_acked(hostile):
    result = client_for(hostile).upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.ACCEPTED and result.acked and result.ma_giao_dich == "GD000001"


# ---- H3: a wall-clock deadline per call
def test_a_trickled_upload_ends_at_its_deadline_as_ambiguous(hostile):
    hostile.state.trickle_s = 0.5      # the whole reply would take about 2 minutes
    hostile.mode = "trickle"
    c = client_for(hostile, read_timeout=5.0, call_deadline=1.5)
    started = time.monotonic()
    result = c.upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.RETRY and result.code == "NET"   # the login trickled: nothing sent
    hostile.mode = "ok"
    c.token()
    hostile.mode = "trickle"
    result = c.upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.AMBIGUOUS and "DeadlineExceeded" in result.message
    assert time.monotonic() - started < 30        # not the ~4 minutes the trickles would take


def test_twenty_card_checks_in_a_row_all_return_against_a_trickle(hostile):
    hostile.mode = "trickle"
    c = client_for(hostile)
    with ThreadPoolExecutor(4) as pool:     # the check-in service's pool size
        futures = [pool.submit(c.check_card, "DN4797900000001", "X", "1985", deadline=0.5) for _ in range(20)]
        results = [f.result(timeout=60) for f in futures]
    assert all(r.verdict is Verdict.RETRY_LATER and r.code == "NET" for r in results)


def test_a_login_in_progress_does_not_hold_card_checks(hostile):
    hostile.mode = "trickle-token"
    c = client_for(hostile, call_deadline=60)
    with ThreadPoolExecutor(2) as pool:
        stuck_login = pool.submit(c.upload_checkin, PAYLOAD)
        time.sleep(0.3)
        check = pool.submit(c.check_card, "DN4797900000001", "X", "1985", deadline=0.5)
        assert check.result(timeout=20).verdict is Verdict.RETRY_LATER
        c.abort()                                     # SIGTERM path: the stuck login ends too
        assert stuck_login.result(timeout=20).outcome is UploadOutcome.RETRY


def test_abort_frees_a_thread_stuck_on_a_silent_gateway(hostile):
    c = client_for(hostile, call_deadline=120)
    c.token()
    hostile.mode = "silent"
    with ThreadPoolExecutor(1) as pool:
        upload = pool.submit(c.upload_checkin, PAYLOAD)
        time.sleep(0.3)
        c.abort()
        result = upload.result(timeout=20)
    assert result.outcome is UploadOutcome.AMBIGUOUS and not result.acked


# ---- H4: bounded replies
@pytest.mark.parametrize("mode", ["huge", "gzip-bomb"])
def test_oversized_replies_are_refused_not_read(hostile, mode):
    c = client_for(hostile)
    c.token()
    hostile.mode = mode
    result = c.upload_checkin(PAYLOAD)
    assert result.outcome is UploadOutcome.AMBIGUOUS and "ReplyTooLarge" in result.message


# ---- L6: absurd token lifetimes
@pytest.mark.parametrize("raw", ["1e400", "99999999999999", "1733000000000", '"9999-12-31T23:59:59Z"', "-5", '"NaN"'])
def test_an_absurd_expires_in_is_unknown_and_uploads_still_work(hostile, raw):
    hostile.mode = f"expiry:{raw}"
    c = client_for(hostile)
    assert c.token().expires_at is None
    hostile.mode = "ok"
    assert c.upload_checkin(PAYLOAD).acked


def test_parse_expiry_bounds():
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    assert replies.parse_expiry(3600, now) is not None
    assert replies.parse_expiry(float("inf"), now) is None and replies.parse_expiry(float("nan"), now) is None
    assert replies.parse_expiry(10 ** 14, now) is None and replies.parse_expiry("1" * 400, now) is None


MEMORY_PROBE = r"""
import sys
from concurrent.futures import ThreadPoolExecutor
from kiosk.gateway.client import GatewayClient
c = GatewayClient(sys.argv[1], "u", "p", "o", "079080000001", connect_timeout=1, read_timeout=20, facility_code="79001")
with ThreadPoolExecutor(4) as pool:                 # sync_concurrency: 4 uploads at once
    results = list(pool.map(lambda _: c.upload_checkin(b"<x/>"), range(8)))
# VmHWM, not ru_maxrss: the latter keeps the forking parent's (pytest's) size across exec
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(sum(r.acked for r in results), hwm // 1024)
"""


@pytest.mark.parametrize("mode", ["huge", "gzip-bomb"])
def test_peak_memory_stays_bounded_against_huge_replies(hostile, mode):
    """The red team measured 3.7 GiB (4 x 300 MB) and 7.2 GiB (gzip bombs); the bound is 300 MiB.
    The hostile server runs here; only the client is measured, in its own process."""
    import os
    import subprocess
    import sys
    hostile.mode = mode        # the token is still served; every other call gets the huge reply
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, hostile.url], capture_output=True, text=True,
                         timeout=240, env={**os.environ})
    assert out.returncode == 0, out.stderr[-2000:]
    acked, peak_mib = map(int, out.stdout.split())
    print(f"client against {mode}: peak RSS {peak_mib} MiB")
    assert acked == 0 and peak_mib < 300, (acked, peak_mib)


def test_the_simulator_keeps_its_dossiers_private_and_admin_local(tmp_path):
    """Info: its DB holds (synthetic) dossiers in clear: 0600; /admin answers loopback clients only."""
    import stat as st

    from kiosk.gateway.sim.http import _loopback
    from kiosk.gateway.sim.store import SimStore
    store = SimStore(tmp_path / "gateway-sim.db")
    store.close()
    assert st.S_IMODE((tmp_path / "gateway-sim.db").stat().st_mode) == 0o600
    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("::ffff:127.0.0.1")
    assert not _loopback("192.168.1.20") and not _loopback("10.0.0.5") and not _loopback("garbage")
