"""Gateway simulator: the HTTP handler (gateway API, look-up, VNeID resolver, admin, health).

Speaks what reference/gateway-api.md describes: same paths, parameter names and answer shapes.
Admin endpoints (/admin/...) exist for tests and the demo's set-up only.
"""
from __future__ import annotations

import json
import logging
import socket
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from kiosk.gateway.sim import validate as sim_validate
from kiosk.gateway.sim.cards import card_check_reply

log = logging.getLogger(__name__)

UPLOADS = {
    "/api/qd130/checkInKcbQd4750": "0", "/api/qd130/checkInKcbQd3176": "0",
    "/api/qd130/guiHoSoXmlQD4750": "130", "/api/qd130/guiHoSoXmlQD3176": "130",
}
LOOKUP_PATH = "/api/qd130/nhanChiTietHSNgay"
VNEID_PATH = "/api/vneid/resolve"
GROUP = {"/api/token/take": "token", "/api/egw/KQNhanLichSuKCB2024": "card", "/api/egw/Lskcb2025": "history",
         LOOKUP_PATH: "lookup", VNEID_PATH: "vneid", **{p: "upload" for p in UPLOADS}}


class _Drop(Exception):
    """Close the connection without any reply."""


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, like a real gateway behind a proxy
    disable_nagle_algorithm = True    # headers and body go out as separate writes: no 40 ms delayed-ACK stall
    server_version = "GatewaySim/1"
    state = None                      # set by the server factory (a sim.SimState)

    def log_message(self, fmt, *args):   # no request lines with query strings (tokens) in logs
        pass

    # ---- plumbing
    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status: int, payload, content_type: str = "application/json; charset=utf-8") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _form(self, raw: bytes) -> dict[str, str]:
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return {}
            return {k: "" if v is None else str(v) for k, v in body.items()} if isinstance(body, dict) else {}
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def _is_form(self) -> bool:
        """Token and uploads are documented as form bodies (application/x-www-form-urlencoded)."""
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return ctype == "application/x-www-form-urlencoded"

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        st = self.state
        try:
            raw = self._body()
            if url.path == "/health":
                return self._send(200, {"status": "ok", "received": st.store.stats()["total"]})
            if url.path.startswith("/admin/"):
                if not _loopback(self.client_address[0]):   # test/demo set-up only: never from the network
                    return self._send(403, {"error": "admin endpoints answer loopback clients only"})
                return self._admin(method, url.path, parse_qs(url.query), raw)
            group = GROUP.get(url.path)
            if group is None or method != "POST":
                return self._send(404, {"maKetQua": "404", "thongDiep": "Không tìm thấy (not found)"})
            self._api(group, url, raw)
        except _Drop:
            self._drop()
        except OSError:     # the client went away (killed, timed out): nothing to answer
            self.close_connection = True
        except Exception:   # the simulator must answer like a server, not die
            log.exception("gateway simulator: handler error")
            try:
                self._send(500, {"maKetQua": "500", "thongDiep": "Lỗi máy chủ (server error)"})
            except OSError:
                self.close_connection = True

    # ---- the gateway API
    def _api(self, group: str, url, raw: bytes) -> None:
        st = self.state
        delay = st.faults.latency(group)
        if delay:
            st.stop_event.wait(delay)
        fault = st.faults.roll(group, st.faults.PRE)
        if fault == "error503":
            return self._send(503, b"Service Unavailable", "text/plain")
        if fault == "error500":
            return self._send(500, {"maKetQua": "500", "thongDiep": "Lỗi máy chủ (server error)"})
        if fault == "malformed":
            return self._send(200, b"<html><body>Gateway Timeout</body>", "text/html")
        if fault == "drop_before":
            raise _Drop()
        form = self._form(raw)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if fault == "unauthorized":
            st.tokens.expire(query.get("token") or self.headers.get("accessToken") or "")
        handler = {"token": self._token, "card": self._card, "history": self._history, "upload": self._upload,
                   "lookup": self._lookup, "vneid": self._vneid}[group]
        status, reply = handler(url.path, form, query)
        post = st.faults.roll(group, st.faults.POST)
        if post == "drop_after":
            raise _Drop()
        if post == "timeout":
            st.stop_event.wait(st.faults.faults.hang_seconds)
        try:
            self._send(status, reply)
        except OSError:
            pass   # the client gave up (its read timeout): nothing to do

    def _auth_query(self, query: dict):
        return self.state.tokens.check(query.get("token", ""), query.get("id_token", ""), query.get("username", ""),
                                       query.get("password", ""))

    def _auth_headers(self, form: dict):
        return self.state.tokens.check(self.headers.get("accessToken", ""), self.headers.get("tokenId", ""),
                                       form.get("username", ""), self.headers.get("passwordHash", ""))

    def _token(self, path, form, query):
        tokens = self.state.tokens
        if not self._is_form():
            return 200, {"maKetQua": "400", "APIKey": None,
                         "thongDiep": "Sai định dạng tham số (form body expected)"}
        tok = tokens.login(form.get("username", ""), form.get("password", ""))
        if tok is None:
            return 200, {"maKetQua": "401", "APIKey": None, "thongDiep": "Sai tài khoản hoặc mật khẩu"}
        return 200, {"maKetQua": "200", "APIKey": {"access_token": tok.access_token, "id_token": tok.id_token,
                                                   "token_type": "Bearer", "username": tok.username,
                                                   "expires_in": tokens.expires_in(tok)}}

    def _card(self, path, form, query):
        if self._auth_query(query) is None:
            return 200, {"maKetQua": "401", "ghiChu": "Lỗi xác thực"}
        return 200, card_check_reply(self.state.cards, self.state.officers, form)

    def _history(self, path, form, query):
        if self._auth_query(query) is None:
            return 200, {"maKetQua": "401", "ghiChu": "Lỗi xác thực"}
        if "json" in self.headers.get("Content-Type", ""):
            return 200, {"maKetQua": "205", "ghiChu": "Sai định dạng tham số", "dsLichSuKCB2025": None}
        reply = card_check_reply(self.state.cards, self.state.officers, form)
        card = self.state.cards.find((form.get("maThe") or "").strip().upper())
        rows = []
        if card is not None and reply["maKetQua"] in ("000", "001", "002", "003", "004"):
            rows = list(card.history) + self.state.store.history(card.card, card.cccd)
        return 200, {"maKetQua": reply["maKetQua"], "ghiChu": reply["ghiChu"], "dsLichSuKCB2025": rows}

    def _upload(self, path, form, query):
        st = self.state
        account = self._auth_headers(form)
        if account is None:
            return 200, {"maKetQua": "401", "thongDiep": "Lỗi xác thực (token không hợp lệ hoặc hết hạn)"}
        if not self._is_form():
            return 200, {"maKetQua": "400", "thongDiep": "Sai định dạng tham số (form body expected)"}
        loai, ma_cskcb = form.get("loaiHoSo", ""), form.get("maCSKCB", "")
        if ma_cskcb != account.ma_cskcb:
            return 200, {"maKetQua": "403", "thongDiep": "Tài khoản không được gửi hồ sơ cho cơ sở này"}
        if loai != UPLOADS[path]:
            return 200, {"maKetQua": "400", "thongDiep": f"loaiHoSo phải là {UPLOADS[path]} (wrong loaiHoSo)"}
        if form.get("maTinh", "") != ma_cskcb[:2]:
            return 200, {"maKetQua": "400", "thongDiep": "maTinh không khớp maCSKCB (maTinh differs)"}
        try:
            if loai == "0":
                xml, dossiers = sim_validate.check_checkin(form.get("fileHSBase64", ""), ma_cskcb,
                                                           st.facility_cert(ma_cskcb))
            else:   # the endpoint names the revision (…QD4750 / …QD3176) whose layouts apply
                xml, dossiers = sim_validate.check_envelope(form.get("fileHSBase64", ""), ma_cskcb,
                                                            st.facility_cert(ma_cskcb),
                                                            "4750" if path.endswith("4750") else "3176")
        except sim_validate.UploadInvalid as exc:
            st.rejections += 1
            return 200, {"maKetQua": "400", "maGiaoDich": "", "thongDiep": str(exc)}
        stored = st.store.store([(d.ma_lk, ",".join(d.tables)) for d in dossiers], loai, ma_cskcb, xml,
                                st.clock.now())
        for dossier, copy in zip(dossiers, stored):
            v = dossier.summary
            if v is not None and not copy.duplicate:
                st.store.add_history(v["MA_THE_BHYT"], v["SO_CCCD"], {
                    "maHoSo": dossier.ma_lk, "maCSKCB": ma_cskcb, "ngayVao": v["NGAY_VAO"], "ngayRa": v["NGAY_RA"],
                    "tenBenh": v["CHAN_DOAN_RV"], "tinhTrang": v["MA_LOAI_RV"], "kqDieuTri": v["KET_QUA_DTRI"],
                    "lyDoVV": v["LY_DO_VV"]})
        first = stored[0]
        if all(s.duplicate for s in stored):
            return 200, {"maKetQua": "200", "maGiaoDich": first.original_ma_giao_dich,
                         "maGiaoDichTrung": first.ma_giao_dich, "thoiGianTiepNhan": first.received_at,
                         "thongDiep": "Hồ sơ trùng MA_LK đã tồn tại; bản gửi lại được đánh dấu lỗi "
                                      "(duplicate MA_LK: already received)"}
        return 200, {"maKetQua": "200", "maGiaoDich": first.ma_giao_dich, "thoiGianTiepNhan": first.received_at,
                     "thongDiep": "Tiếp nhận hồ sơ thành công"}

    def _lookup(self, path, form, query):
        account = self._auth_headers(form)
        if account is None:
            return 200, {"maKetQua": "401", "thongDiep": "Lỗi xác thực"}
        ma_cskcb = form.get("maCSKCB", "")
        if ma_cskcb != account.ma_cskcb:
            return 200, {"maKetQua": "403", "thongDiep": "Tài khoản không được tra cứu cơ sở này"}
        rows = self.state.store.listing(ma_cskcb, form.get("ngay", ""), form.get("maLK", ""),
                                        form.get("loaiHoSo", ""))
        return 200, {"maKetQua": "200", "dsHoSo": rows}

    def _vneid(self, path, form, query):
        if self._auth_headers(form) is None:
            return 200, {"maKetQua": "401", "thongDiep": "Lỗi xác thực"}
        ident = self.state.vneid.get(form.get("token", ""))
        if ident is None:
            return 200, {"maKetQua": "404", "thongDiep": "Không tìm thấy định danh"}
        return 200, {"maKetQua": "200", **ident}

    # ---- admin (tests and demo set-up only)
    def _admin(self, method: str, path: str, params: dict, raw: bytes) -> None:
        st = self.state
        body = {}
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self._send(400, {"error": "body must be JSON"})
        if path == "/admin/received" and method == "GET":
            ma_lk = (params.get("ma_lk") or [""])[0]
            with_xml = (params.get("xml") or ["1"])[0] != "0"
            return self._send(200, st.store.received(ma_lk, with_xml=with_xml))
        if path == "/admin/stats" and method == "GET":
            return self._send(200, {**st.store.stats(), "logins": st.tokens.logins, "rejections": st.rejections})
        if path == "/admin/faults":
            try:
                if method == "DELETE":
                    st.faults.set(type(st.faults.faults)())
                elif method == "POST":
                    st.faults.update(**body)
            except (ValueError, TypeError) as exc:
                return self._send(400, {"error": str(exc)})
            return self._send(200, st.faults.faults.to_dict())
        if path == "/admin/expire-tokens" and method == "POST":
            return self._send(200, {"expired": st.tokens.expire(body.get("access_token"))})
        if path == "/admin/facility" and method == "POST":
            try:
                st.register_facility(body["ma_cskcb"], body["cert_pem"].encode("ascii"))
            except (KeyError, ValueError) as exc:
                return self._send(400, {"error": f"need ma_cskcb and a PEM cert_pem ({type(exc).__name__})"})
            return self._send(200, {"registered": body["ma_cskcb"]})
        if path == "/admin/reset" and method == "POST":
            st.store.reset()
            return self._send(200, {"reset": True})
        return self._send(404, {"error": "unknown admin endpoint"})


def _loopback(host: str) -> bool:
    import ipaddress
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback or \
            (host.startswith("::ffff:") and ipaddress.ip_address(host[7:]).is_loopback)
    except ValueError:
        return False
