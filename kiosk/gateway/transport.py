"""HTTP for the gateway client: no redirects, a wall-clock deadline per call, bounded replies.

`requests` bounds each socket read, not a whole call: a server that trickles one byte a second
never trips `timeout=(connect, read)`. Here every call runs under a `Deadline`: when it passes, a
timer shuts the call's socket down (whatever phase it is in: connecting, sending, waiting for
headers or reading the body), so the caller gets an exception within the deadline and the thread
is free again. `Deadline.abort()` does the same on demand (SIGTERM, app shutdown).

Replies are read up to `MAX_REPLY_BYTES` after decoding; gzip/deflate is inflated by us with an
output bound, never by urllib3, so a gzip bomb costs at most that much memory. Redirects are never
followed: a 3xx comes back to the caller as it is (credentials and dossiers go only to the
configured host).
"""
from __future__ import annotations

import socket
import threading
import time
import zlib
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REPLY_BYTES = 1 << 20    # the real replies are a few hundred bytes
_CHUNK = 64 * 1024
_local = threading.local()


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole call (connect + send + reply) took longer than its deadline, or was aborted."""


class ReplyTooLarge(requests.exceptions.ContentDecodingError):
    """The reply (after inflation) is larger than MAX_REPLY_BYTES."""


def redirect_note(resp: requests.Response) -> str:
    """What staff read about a 3xx: the status and the host it pointed to (no path or query)."""
    target = urlsplit(resp.headers.get("Location", "") or "")
    where = f"{target.scheme}://{target.hostname}" if target.hostname else "the same host"
    return f"HTTP {resp.status_code} redirect to {where} not followed (check gateway_url)"


class Deadline:
    """One call's wall-clock budget; owns the sockets the call opens or reuses."""

    def __init__(self, seconds: float, registry: "set[Deadline] | None" = None,
                 guard: threading.Lock | None = None):
        self.seconds = max(0.01, float(seconds))
        self.end = time.monotonic() + self.seconds
        self.expired = False
        self._done = False
        self._conns: list = []
        self._mutex = threading.Lock()
        self._registry, self._guard = registry, guard
        self._timer = threading.Timer(self.seconds, self.abort)
        self._timer.daemon = True

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def __enter__(self) -> "Deadline":
        self._previous = getattr(_local, "deadline", None)
        _local.deadline = self
        if self._registry is not None:
            with self._guard:
                self._registry.add(self)
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        with self._mutex:
            self._done = True
        self._timer.cancel()
        _local.deadline = self._previous
        if self._registry is not None:
            with self._guard:
                self._registry.discard(self)

    def attach(self, conn) -> None:
        with self._mutex:
            self._conns.append(conn)
            late = self.expired and not self._done
        if late:
            _shutdown(conn)

    def abort(self) -> None:
        with self._mutex:
            if self._done:
                return
            self.expired = True
            conns = list(self._conns)
        for conn in conns:
            _shutdown(conn)

    def check(self) -> None:
        if self.expired or self.remaining() <= 0:
            self.expired = True
            raise DeadlineExceeded(f"gateway call exceeded its {self.seconds:.1f} s deadline")


def _shutdown(conn) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)   # the plain socket: wakes a blocked TLS read too
    except (OSError, TypeError):
        pass


class _Watched:
    """Mixin for urllib3 connections: the current thread's Deadline may shut this socket."""

    def request(self, *args, **kwargs):
        deadline = getattr(_local, "deadline", None)
        if deadline is not None:
            deadline.attach(self)
        return super().request(*args, **kwargs)

    def connect(self):
        super().connect()
        deadline = getattr(_local, "deadline", None)
        if deadline is not None and deadline.expired:
            _shutdown(self)


class _HTTPConnection(_Watched, HTTPConnection):
    pass


class _HTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections obey the calling thread's Deadline."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager


def harden(session: requests.Session) -> requests.Session:
    """Mount the deadline adapter (post() below never follows redirects)."""
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def post(session: requests.Session, url: str, deadline: Deadline, *, connect_timeout: float,
         limit: int = MAX_REPLY_BYTES, **kwargs) -> requests.Response:
    """POST under `deadline` (entered by the caller); the reply body is read whole, bounded."""
    deadline.check()
    left = max(0.01, deadline.remaining())
    headers = dict(kwargs.pop("headers", None) or {})
    headers.setdefault("Accept-Encoding", "gzip, deflate")
    try:
        resp = session.post(url, timeout=(min(connect_timeout, left), left), allow_redirects=False,
                            stream=True, headers=headers, **kwargs)
    except requests.RequestException:
        if deadline.expired:
            raise DeadlineExceeded(f"gateway call exceeded its {deadline.seconds:.1f} s deadline") from None
        raise
    try:
        resp._content = read_bounded(resp, limit)
        resp._content_consumed = True
    except requests.RequestException:
        resp.close()
        if deadline.expired:
            raise DeadlineExceeded(f"gateway call exceeded its {deadline.seconds:.1f} s deadline") from None
        raise
    except Exception:
        resp.close()
        if deadline.expired:
            raise DeadlineExceeded(f"gateway call exceeded its {deadline.seconds:.1f} s deadline") from None
        raise requests.exceptions.ConnectionError("reply read failed") from None
    return resp


def read_bounded(resp: requests.Response, limit: int = MAX_REPLY_BYTES) -> bytes:
    """The body, inflated by us with an output bound; ReplyTooLarge past `limit` bytes."""
    try:
        declared = int(resp.headers.get("Content-Length", "") or -1)
    except ValueError:
        declared = -1
    encoding = (resp.headers.get("Content-Encoding", "") or "").strip().lower()
    if declared > limit and encoding in ("", "identity"):
        raise ReplyTooLarge(f"reply of {declared} bytes refused (limit {limit})")
    inflate = None
    if encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj(zlib.MAX_WBITS)
    out = bytearray()
    wire = 0
    while True:
        chunk = resp.raw.read(_CHUNK, decode_content=False)
        if not chunk:
            break
        wire += len(chunk)
        if inflate is None:
            out += chunk
        else:
            try:
                out += inflate.decompress(chunk, limit + 1 - len(out))
            except zlib.error:
                raise requests.exceptions.ContentDecodingError("reply could not be inflated") from None
            if inflate.unconsumed_tail:
                raise ReplyTooLarge(f"reply inflates past {limit} bytes")
        if len(out) > limit or wire > 4 * limit:
            raise ReplyTooLarge(f"reply larger than {limit} bytes")
    return bytes(out)
