"""A hostile gateway for the tests: a real HTTP server on loopback with one mode per attack.

It speaks just enough of the gateway API (token, card check, uploads, look-up) to be believed,
then misbehaves the way the red-team report found real networks and servers can:

    ok                    honest: 200 + maGiaoDich + "Tiếp nhận thành công"; look-up lists sha256
    redirect307 / redirect302 / redirect308   uploads (and card checks) redirected to another host
    token-redirect307     the login redirected to another host
    https-to-http         307 to an http:// URL (with the same path)
    status-302-login      a captive portal: 302 to /login, which answers a JSON 200
    trickle               every reply sent one byte per `trickle_s` (headers included)
    trickle-token         only the login trickles
    silent                accept the request, never answer
    huge                  a 300 MB reply (generated, never held in memory)
    gzip-bomb             a small gzip body that inflates to gigabytes
    refusal:<text>        maKetQua 400 with thongDiep <text> (e.g. wording like a duplicate)
    code:<c>:<text>       maKetQua <c> with thongDiep <text>
    receiptless-200       {"maKetQua": "200"} and nothing else
    html-200              a perfect JSON 200, labelled text/html
    dup-not-ours          200 "Hồ sơ trùng MA_LK đã tồn tại" and a look-up listing another file's hash
    dup-ours              the same answer, the look-up lists our own hash (an earlier copy was stored)
    bad-code-type         maKetQua is an object
    expiry:<raw>          the token's expires_in is <raw> (raw JSON text, e.g. 1e400)

`requests_seen` records (host header, path, headers, body) of every request, so a test can prove
that nothing reached the other host.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DUP_TEXT = "Hồ sơ trùng MA_LK đã tồn tại; bản gửi lại được đánh dấu lỗi"
TOKEN_PATH = "/api/token/take"
LOOKUP_PATH = "/api/qd130/nhanDanhSachHoSo"


@dataclass
class Seen:
    server: str
    path: str
    headers: dict
    body: bytes


@dataclass
class HostileState:
    mode: str = "ok"
    trickle_s: float = 1.0
    stored: dict = field(default_factory=dict)     # ma_lk-less: sha256 -> maGiaoDich
    requests_seen: list = field(default_factory=list)
    other_url: str = ""
    seq: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def seen_by(self, server: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.requests_seen if s.server == server]


def _handler(state: HostileState, name: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            self._serve()

        def do_POST(self):
            self._serve()

        # ---- plumbing
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                state.requests_seen.append(Seen(name, self.path, dict(self.headers), body))
            if name == "other":
                return self._json(200, {"maKetQua": "200", "maGiaoDich": "OTHER-HOST-RECEIPT",
                                        "thongDiep": "Tiếp nhận thành công",
                                        "APIKey": {"access_token": "stolen", "id_token": "x"}})
            try:
                self._route(urlsplit(self.path).path, body)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass

        def _raw(self, status: int, payload: bytes, ctype="application/json; charset=utf-8", extra=None,
                 trickle=False):
            head = [f"HTTP/1.1 {status} X", f"Content-Type: {ctype}", f"Content-Length: {len(payload)}"]
            head += [f"{k}: {v}" for k, v in (extra or {}).items()]
            data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload
            if not trickle:
                self.wfile.write(data)
                self.wfile.flush()
                return
            for i in range(len(data)):
                if state.stop.is_set():
                    return
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(state.trickle_s)

        def _json(self, status: int, obj, **kw):
            self._raw(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), **kw)

        def _redirect(self, status: int, to: str):
            self._raw(status, b"", extra={"Location": to})

        # ---- the API, hostile by mode
        def _route(self, path: str, body: bytes):
            mode = state.mode
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            if path == TOKEN_PATH:
                if mode == "token-redirect307":
                    return self._redirect(307, state.other_url + path)
                expires = "3600"
                if mode.startswith("expiry:"):
                    expires = mode.split(":", 1)[1]
                raw = ('{"maKetQua": "200", "APIKey": {"access_token": "tok", "id_token": "idt", '
                       f'"token_type": "Bearer", "username": "u", "expires_in": {expires}}}}}').encode()
                return self._raw(200, raw, trickle=mode in ("trickle", "trickle-token"))
            if mode in ("redirect307", "redirect302", "redirect308"):
                return self._redirect(int(mode[-3:]), state.other_url + self.path)
            if mode == "https-to-http":
                return self._redirect(307, state.other_url.replace("https://", "http://") + self.path)
            if mode == "status-302-login":
                if path == "/login":
                    return self._json(200, {"maKetQua": "200", "maGiaoDich": "PORTAL", "thongDiep": ""})
                return self._redirect(302, "/login")
            if mode == "silent":
                state.stop.wait(120)
                return None
            if mode == "huge":
                return self._huge()
            if mode == "gzip-bomb":
                return self._raw(200, _bomb(), extra={"Content-Encoding": "gzip"})
            if path == LOOKUP_PATH:
                return self._lookup(form)
            if "KQNhanLichSuKCB2024" in path:
                return self._json(200, {"maKetQua": "000", "maThe": "DN4797900000001", "hoTen": "X"},
                                  trickle=mode == "trickle")
            return self._upload(mode, form)

        def _upload(self, mode: str, form: dict):
            payload = base64.b64decode(form.get("fileHSBase64", "") or b"")
            digest = hashlib.sha256(payload).hexdigest()
            if mode.startswith("refusal:"):
                return self._json(200, {"maKetQua": "400", "maGiaoDich": "", "thongDiep": mode.split(":", 1)[1]})
            if mode.startswith("code:"):
                _, code, text = mode.split(":", 2)
                return self._json(200, {"maKetQua": code, "thongDiep": text})
            if mode == "receiptless-200":
                return self._json(200, {"maKetQua": "200"})
            if mode == "bad-code-type":
                return self._json(200, {"maKetQua": {"x": 1}, "maGiaoDich": "G"})
            if mode in ("dup-not-ours", "dup-ours"):
                return self._json(200, {"maKetQua": "200", "maGiaoDich": "GD-HELD", "thoiGianTiepNhan": "20261120083005",
                                        "thongDiep": DUP_TEXT})
            with state.lock:
                state.seq += 1
                receipt = f"GD{state.seq:06d}"
                state.stored[digest] = receipt
            reply = {"maKetQua": "200", "maGiaoDich": receipt, "thoiGianTiepNhan": "20261120083005",
                     "thongDiep": "Tiếp nhận thành công"}
            if mode == "html-200":
                return self._json(200, reply, ctype="text/html")
            return self._json(200, reply, trickle=mode == "trickle")

        def _lookup(self, form: dict):
            ma_lk = form.get("maLK", "")
            rows = []
            if state.mode == "dup-not-ours":
                rows = [{"maLK": ma_lk, "loaiHoSo": form.get("loaiHoSo", ""), "maGiaoDich": "GD-OTHER-KIOSK",
                         "thoiGianTiepNhan": "20261120080000", "trangThai": "DA_TIEP_NHAN",
                         "hashHoSo": hashlib.sha256(b"someone else's dossier").hexdigest()}]
            elif state.mode == "dup-ours":
                rows = [{"maLK": ma_lk, "loaiHoSo": form.get("loaiHoSo", ""), "maGiaoDich": "GD-OURS",
                         "thoiGianTiepNhan": "20261120080000", "trangThai": "DA_TIEP_NHAN",
                         "hashHoSo": digest} for digest in list(state.stored)[:1]]
            return self._json(200, {"maKetQua": "200", "dsHoSo": rows})

        def _huge(self):
            total = 300 * 1024 * 1024
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
                    ).encode()
            self.wfile.write(head)
            chunk = b" " * (1 << 20)
            for _ in range(300):
                if state.stop.is_set():
                    return
                self.wfile.write(chunk)

    return Handler


_BOMB: bytes | None = None


def _bomb() -> bytes:
    """~250 KB of gzip that inflates to 256 MiB of spaces (built once)."""
    global _BOMB
    if _BOMB is None:
        import zlib
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        block = b" " * (1 << 20)
        parts = [c.compress(block) for _ in range(256)]
        parts.append(c.flush())
        _BOMB = b"".join(parts)
    return _BOMB


class HostileGateway:
    """The hostile server plus a second listener ("the other host") on `localhost`."""

    def __init__(self, mode: str = "ok", trickle_s: float = 1.0):
        self.state = HostileState(mode=mode, trickle_s=trickle_s)
        _bomb()
        self._servers = []
        other = self._serve("other")
        self.other_url = f"http://localhost:{other.server_address[1]}"
        self.state.other_url = self.other_url
        main = self._serve("main")
        self.url = f"http://127.0.0.1:{main.server_address[1]}"

    def _serve(self, name: str) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state, name))
        server.daemon_threads = True
        server.handle_error = lambda *a: None     # a client that hangs up on a huge reply is the point
        threading.Thread(target=server.serve_forever, name=f"hostile-{name}", daemon=True).start()
        self._servers.append(server)
        return server

    @property
    def mode(self) -> str:
        return self.state.mode

    @mode.setter
    def mode(self, value: str) -> None:
        self.state.mode = value

    def seen(self, server: str = "main") -> list[Seen]:
        return self.state.seen_by(server)

    def close(self) -> None:
        self.state.stop.set()
        for s in self._servers:
            s.shutdown()
            s.server_close()


__all__ = ["HostileGateway", "DUP_TEXT", "LOOKUP_PATH", "gzip"]
