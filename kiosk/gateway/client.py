"""Client of the BHYT assessment gateway (reference/gateway-api.md), over an injected requests.Session.

API (stable; kiosk/sync builds on it):

    client = GatewayClient(base_url, username, password, officer_name, officer_cccd,
                           revision="3176", session=None, connect_timeout=5.0, read_timeout=120.0,
                           ca_bundle=None, lookup_endpoint="", clock=None, facility_code="",
                           vneid_endpoint="", card_check_body="form", allow_http=None,
                           call_deadline=None)
    client = kiosk.settings_map.gateway_client(cfg)  # settings gateway_*, facility_code, vneid_*

    client.token() -> Token                          # cached until expiry; GatewayAuthError/GatewayUnavailable
    client.check_card(card_number, full_name, birth_date, *, deadline=None) -> CardCheckResult
        # never raises for gateway/network trouble: RETRY_LATER with code "NET"/"BAD_REPLY"
    client.history(card_number, full_name, birth_date) -> list[HistoryEntry]
        # raises GatewayUnavailable / GatewayAuthError / GatewayRejected
    client.upload_checkin(signed_xml0: bytes, ma_cskcb=None) -> UploadResult     # loaiHoSo=0
    client.upload_dossier(signed_envelope: bytes, ma_cskcb=None) -> UploadResult # loaiHoSo=130
    client.upload(kind, payload, ma_cskcb=None) -> UploadResult  # kind: "checkin" | "dossier" (outbox kinds)
        # never raises for gateway/network trouble; see UploadOutcome for what each outcome means
    client.lookup_received(ma_lk, day, *, kind, ma_cskcb=None, payload_sha256="") -> ReceivedInfo | None
        # kind "checkin"|"dossier"; day: date or "yyyy-mm-dd" (facility day of the send attempt).
        # Only with lookup_endpoint set (UNCONFIRMED live endpoint), else NotConfigured.
        # Returns the non-duplicate copy the gateway holds, or None; raises GatewayUnavailable.
    client.resolve_vneid(token) -> VneidIdentity | None    # UNCONFIRMED; NotConfigured without endpoint

    client.abort()      # every call in flight fails at once (SIGTERM, app shutdown)

Every call that gets a 401 (HTTP status or maKetQua) logs in again once and resends once.
Every public call has one wall-clock deadline (login included): `call_deadline` (default: the read
timeout), or check_card's own `deadline`; replies are bounded (kiosk.gateway.transport). No
redirect is followed. `http://` is refused unless `allow_http` is True; None (programmatic use)
allows it for loopback hosts only; from_config passes the explicit `gateway_allow_http` setting.
Exceptions and log lines carry endpoint names and codes only, never personal data.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable

import requests
from urllib.parse import urlsplit

from urllib3.exceptions import NameResolutionError, NewConnectionError

from kiosk.core.clock import Clock, SystemClock
from kiosk.gateway import replies, transport
from kiosk.gateway.results import (MALFORMED_CODE, NETWORK_CODE, CardCheckResult, GatewayAuthError,
                                   GatewayUnavailable, HistoryEntry, NotConfigured, ReceivedInfo,
                                   UploadOutcome, UploadResult, VneidIdentity)

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/token/take"
CARD_CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
HISTORY_PATH = "/api/egw/Lskcb2025"
UPLOAD_PATHS = {
    "4750": {"checkin": "/api/qd130/checkInKcbQd4750", "dossier": "/api/qd130/guiHoSoXmlQD4750"},
    "3176": {"checkin": "/api/qd130/checkInKcbQd3176", "dossier": "/api/qd130/guiHoSoXmlQD3176"},
}
LOAI_HO_SO = {"checkin": "0", "dossier": "130"}
TOKEN_MARGIN = timedelta(seconds=30)   # renew a little before the stated expiry
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class InsecureGatewayURL(ValueError):
    """An http:// gateway URL without the explicit setting that allows it (demo/simulator only)."""


def check_gateway_url(url: str, allow_http: bool | None) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme != "http":
        raise InsecureGatewayURL(f"gateway_url must be https:// (got scheme {parts.scheme or 'none'!r})")
    if allow_http or (allow_http is None and parts.hostname in LOOPBACK_HOSTS):
        return
    raise InsecureGatewayURL("gateway_url is http://: credentials and patient dossiers would travel in clear; "
                             "use https://, or set gateway_allow_http = true for a demo/simulator only")


def md5_upper(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest().upper()


@dataclass(frozen=True)
class Token:
    access_token: str
    id_token: str
    token_type: str
    username: str
    expires_at: datetime | None   # None: unknown, rely on the 401 rule


class _Reauth(Exception):
    """Internal: the gateway said 401 for this token."""


def _sent_before_failure(exc: requests.RequestException) -> bool:
    """False when the request surely never reached the server (refused, DNS, connect timeout)."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError,
                        requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        seen: set[int] = set()
        cause: BaseException | None = exc
        while cause is not None and id(cause) not in seen:
            seen.add(id(cause))
            if isinstance(cause, (NewConnectionError, NameResolutionError, ConnectionRefusedError)):
                return False
            cause = getattr(cause, "reason", None) or cause.__cause__ or cause.__context__ or (
                cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
        return True
    return True   # read timeout, reset, chunked/decoding errors: the server may have acted


class GatewayClient:
    def __init__(self, base_url: str, username: str, password: str, officer_name: str, officer_cccd: str,
                 revision: str = "3176", session: requests.Session | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 120.0, ca_bundle: str | None = None,
                 lookup_endpoint: str = "", clock: Clock | None = None, facility_code: str = "",
                 vneid_endpoint: str = "", card_check_body: str = "form", allow_http: bool | None = None,
                 call_deadline: float | None = None):
        check_gateway_url(base_url, allow_http)
        if revision not in UPLOAD_PATHS:
            raise ValueError(f"unknown gateway revision {revision!r}")
        if card_check_body not in ("form", "json"):
            raise ValueError("card_check_body is 'form' or 'json'")
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password_md5 = md5_upper(password)
        self.officer_name = officer_name
        self.officer_cccd = officer_cccd
        self.revision = revision
        self.session = transport.harden(session or requests.Session())
        if self.session.trust_env:
            # read proxy settings from the environment once, not on every request (~0.2 ms each)
            self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
            self.session.trust_env = False
        self.timeout = (connect_timeout, read_timeout)
        self.call_deadline = float(call_deadline or read_timeout)
        self._active: set[transport.Deadline] = set()
        self._active_guard = threading.Lock()
        self.verify: bool | str = str(ca_bundle) if ca_bundle else True
        self.lookup_endpoint = lookup_endpoint
        self.vneid_endpoint = vneid_endpoint
        self.facility_code = facility_code
        self.card_check_body = card_check_body
        self.clock = clock or SystemClock()
        self._token: Token | None = None
        self._lock = threading.Lock()         # guards _token only; held for microseconds
        self._login_lock = threading.Lock()   # one login at a time

    # ---- deadlines
    @contextmanager
    def _deadline(self, seconds: float | None = None):
        """The deadline of one public call; nested calls (the login) share the outer one."""
        current = getattr(transport._local, "deadline", None)
        if current is not None:
            yield current
            return
        with transport.Deadline(seconds or self.call_deadline, self._active, self._active_guard) as d:
            yield d

    def abort(self) -> None:
        """Fail every call in flight now (their threads get an exception within milliseconds)."""
        with self._active_guard:
            active = list(self._active)
        for d in active:
            d.abort()

    def _post(self, url: str, **kwargs) -> requests.Response:
        d = getattr(transport._local, "deadline", None)
        if d is None:   # every public method enters one; this is a safety net
            with self._deadline() as d:
                return transport.post(self.session, url, d, connect_timeout=self.timeout[0],
                                      verify=self.verify, **kwargs)
        return transport.post(self.session, url, d, connect_timeout=self.timeout[0], verify=self.verify, **kwargs)

    # ---- token
    def token(self, timeout: tuple[float, float] | None = None) -> Token:
        with self._deadline(timeout[1] if timeout else None) as d:
            tok = self._cached()
            if tok is not None:
                return tok
            # one login at a time, but never wait for another thread's login longer than this call may take
            if not self._login_lock.acquire(timeout=max(0.0, d.remaining())):
                raise GatewayUnavailable("token: another login is still running")
            try:
                tok = self._cached()
                if tok is None:
                    tok = self._login()
                    with self._lock:
                        self._token = tok
                return tok
            finally:
                self._login_lock.release()

    def _cached(self) -> Token | None:
        with self._lock:
            tok = self._token
        if tok is not None and (tok.expires_at is None or self.clock.now() + TOKEN_MARGIN < tok.expires_at):
            return tok
        return None

    def _invalidate(self, tok: Token) -> None:
        with self._lock:
            if self._token is tok:   # another thread may already have logged in again
                self._token = None

    def _login(self) -> Token:
        try:
            resp = self._post(self.base_url + TOKEN_PATH,
                              data={"username": self.username, "password": self._password_md5})
        except requests.RequestException as exc:
            raise GatewayUnavailable(f"token: {type(exc).__name__}") from None
        if 300 <= resp.status_code < 400:
            raise GatewayUnavailable(f"token: {transport.redirect_note(resp)}")
        if resp.status_code == 401:
            raise GatewayAuthError("token: login refused (HTTP 401)")
        if resp.status_code >= 500:
            raise GatewayUnavailable(f"token: HTTP {resp.status_code}")
        body = replies.json_body(resp)
        if body is None:
            raise GatewayUnavailable("token: malformed reply")
        code = str(body.get("maKetQua", ""))
        if code == "401":
            raise GatewayAuthError("token: login refused (maKetQua 401)")
        key = body.get("APIKey")
        if code != "200" or not isinstance(key, dict) or not key.get("access_token"):
            raise GatewayUnavailable(f"token: maKetQua {code or 'missing'}")
        log.info("gateway token obtained")
        return Token(str(key["access_token"]), str(key.get("id_token", "")), str(key.get("token_type", "")),
                     str(key.get("username", self.username)),
                     replies.parse_expiry(key.get("expires_in"), self.clock.now()))

    def _with_token(self, call: Callable[[Token], Any]) -> Any:
        """Run call(token); on a 401 log in again and run it once more (the second 401 is final)."""
        tok = self.token()
        try:
            return call(tok)
        except _Reauth:
            log.info("gateway answered 401: logging in again once")
            self._invalidate(tok)
        tok = self.token()
        return call(tok)   # a _Reauth here propagates to the caller's handler

    def _query(self, tok: Token) -> dict[str, str]:
        return {"token": tok.access_token, "id_token": tok.id_token, "username": self.username,
                "password": self._password_md5}

    def _headers(self, tok: Token) -> dict[str, str]:
        return {"accessToken": tok.access_token, "tokenId": tok.id_token, "passwordHash": self._password_md5}

    # ---- card check
    def check_card(self, card_number: str, full_name: str, birth_date: date | str, *,
                   deadline: float | None = None) -> CardCheckResult:
        fields = {"maThe": card_number, "hoTen": full_name, "ngaySinh": replies.birth_date_param(birth_date),
                  "hoTenCb": self.officer_name, "cccdCb": self.officer_cccd}

        def call(tok: Token) -> dict:
            body = {"json": fields} if self.card_check_body == "json" else {"data": fields}
            resp = self._post(self.base_url + CARD_CHECK_PATH, params=self._query(tok), **body)
            return self._json_or_reauth(resp, "card check")

        # The kiosk's deadline bounds the whole check, a login included.
        try:
            with self._deadline(deadline):
                reply = self._with_token(call)
        except _Reauth:
            return replies.card_result("401", {})
        except GatewayAuthError:
            return replies.card_result("401", {})
        except (GatewayUnavailable, requests.RequestException) as exc:
            log.warning("card check: gateway unavailable (%s)", type(exc).__name__)
            return replies.card_result(NETWORK_CODE, {})
        except replies.MalformedReply:
            log.warning("card check: malformed reply")
            return replies.card_result(MALFORMED_CODE, {})
        result = replies.card_result(str(reply.get("maKetQua", "")), reply)
        log.info("card check: maKetQua %s -> %s", result.code, result.verdict.value)
        return result

    def _json_or_reauth(self, resp: requests.Response, what: str) -> dict:
        if 300 <= resp.status_code < 400:
            raise GatewayUnavailable(f"{what}: {transport.redirect_note(resp)}")
        if resp.status_code == 401:
            raise _Reauth()
        if resp.status_code >= 500:
            raise GatewayUnavailable(f"{what}: HTTP {resp.status_code}")
        body = replies.json_body(resp)
        if body is None:
            raise replies.MalformedReply(what)
        if str(body.get("maKetQua", "")) == "401":
            raise _Reauth()
        return body

    def _json_call(self, what: str, post: Callable[[Token], requests.Response]) -> dict:
        """POST with the token (401 rule applied); the reply's JSON object, or a typed GatewayError."""
        try:
            with self._deadline():
                return self._with_token(lambda tok: self._json_or_reauth(post(tok), what))
        except _Reauth:
            raise GatewayAuthError(f"{what}: 401 after a fresh login") from None
        except requests.RequestException as exc:
            raise GatewayUnavailable(f"{what}: {type(exc).__name__}") from None
        except replies.MalformedReply:
            raise GatewayUnavailable(f"{what}: malformed reply") from None

    # ---- history
    def history(self, card_number: str, full_name: str, birth_date: date | str) -> list[HistoryEntry]:
        fields = {"maThe": card_number, "hoTen": full_name, "ngaySinh": replies.birth_date_param(birth_date),
                  "hoTenCb": self.officer_name, "cccdCb": self.officer_cccd}

        reply = self._json_call("history", lambda tok: self._post(
            self.base_url + HISTORY_PATH, params=self._query(tok), data=fields))
        return replies.history_entries(reply)

    # ---- uploads
    def upload_checkin(self, signed_xml0: bytes, ma_cskcb: str | None = None) -> UploadResult:
        return self.upload("checkin", signed_xml0, ma_cskcb)

    def upload_dossier(self, signed_envelope: bytes, ma_cskcb: str | None = None) -> UploadResult:
        return self.upload("dossier", signed_envelope, ma_cskcb)

    def upload(self, kind: str, payload: bytes, ma_cskcb: str | None = None) -> UploadResult:
        ma_cskcb = ma_cskcb or self.facility_code
        path = UPLOAD_PATHS[self.revision][kind]
        form = {"username": self.username, "loaiHoSo": LOAI_HO_SO[kind], "maTinh": ma_cskcb[:2],
                "maCSKCB": ma_cskcb, "fileHSBase64": base64.b64encode(payload).decode("ascii")}

        def call(tok: Token) -> UploadResult:
            resp = self._post(self.base_url + path, data=form, headers=self._headers(tok))
            result = replies.upload_result(resp)
            if result is None:
                raise _Reauth()
            return result

        try:
            with self._deadline():
                result = self._with_token(call)
        except _Reauth:
            result = UploadResult(UploadOutcome.AUTH, code="401", message="401 after a fresh login")
        except GatewayAuthError as exc:
            result = UploadResult(UploadOutcome.AUTH, code="401", message=str(exc))
        except GatewayUnavailable as exc:   # the login failed: nothing was sent
            result = UploadResult(UploadOutcome.RETRY, code=NETWORK_CODE, message=str(exc))
        except requests.RequestException as exc:
            outcome = UploadOutcome.AMBIGUOUS if _sent_before_failure(exc) else UploadOutcome.RETRY
            result = UploadResult(outcome, code=NETWORK_CODE, message=f"{kind} upload: {type(exc).__name__}")
        log.info("%s upload: %s (%s)", kind, result.outcome.value, result.code)
        return result

    # ---- reconcile look-up (UNCONFIRMED live endpoint; the simulator implements it)
    def lookup_received(self, ma_lk: str, day: date | str, *, kind: str, ma_cskcb: str | None = None,
                        payload_sha256: str = "") -> ReceivedInfo | None:
        if not self.lookup_endpoint:
            raise NotConfigured("received-dossier look-up: gateway_lookup_endpoint is not set")
        ma_cskcb = ma_cskcb or self.facility_code
        day_s = (day.isoformat() if isinstance(day, date) else str(day)).replace("-", "")
        form = {"username": self.username, "maCSKCB": ma_cskcb, "ngay": day_s, "maLK": ma_lk,
                "loaiHoSo": LOAI_HO_SO[kind]}

        reply = self._json_call("lookup", lambda tok: self._post(
            self.base_url + self.lookup_endpoint, data=form, headers=self._headers(tok)))
        return replies.received_info(reply, ma_lk, LOAI_HO_SO[kind], payload_sha256)

    # ---- VNeID token resolver (UNCONFIRMED)
    def resolve_vneid(self, vneid_token: str) -> VneidIdentity | None:
        if not self.vneid_endpoint:
            raise NotConfigured("VNeID resolver: vneid_resolver_endpoint is not set")

        reply = self._json_call("vneid", lambda tok: self._post(
            self.base_url + self.vneid_endpoint, json={"token": vneid_token, "username": self.username},
            headers=self._headers(tok)))
        return replies.vneid_identity(reply)
