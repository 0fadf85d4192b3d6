"""The BHYT gateway simulator: a real HTTP server on loopback for the demo and the tests.

    handle = start_simulator(data_dir, port=0, facility_cert_pem=cert_pem)   # runs in a thread
    client = GatewayClient(handle.url, SIM_USERNAME, SIM_PASSWORD, SIM_OFFICER_NAME, SIM_OFFICER_CCCD,
                           lookup_endpoint=LOOKUP_PATH, facility_code=SIM_FACILITY)
    handle.set_faults(drop_after_rate=0.3); handle.clear_faults(); handle.received(); handle.stop()

Modules of kiosk.gateway.sim: auth (accounts, tokens), cards (card registry, card-check logic), validate
(XML and signature checks), store (its own SQLite), faults (fault injection), http (the handler),
devcert (a demo signing identity). The kiosk never needs anything beyond the real gateway's API from it.
"""
from __future__ import annotations

import json
import ssl
import sys
import threading
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path

from cryptography import x509

from kiosk.core.clock import VN_TZ, Clock, SystemClock
from kiosk.gateway.sim.auth import SimAccount, TokenBook
from kiosk.gateway.sim.cards import CardRegistry, SimCard
from kiosk.gateway.sim.faults import Faults, FaultSwitch
from kiosk.gateway.sim.http import LOOKUP_PATH, VNEID_PATH, SimHandler
from kiosk.gateway.sim.store import SimStore

__all__ = ["start_simulator", "SimHandle", "SimState", "Faults", "LOOKUP_PATH", "VNEID_PATH", "SIM_FACILITY",
           "SIM_USERNAME", "SIM_PASSWORD", "SIM_OFFICER_NAME", "SIM_OFFICER_CCCD", "vneid_token_for"]

SIM_FACILITY = "79001"
SIM_USERNAME = "79001_kiosk"
SIM_PASSWORD = "mat-khau-demo"          # demo only
SIM_OFFICER_NAME = "NGUYỄN THỊ TRA CỨU"
SIM_OFFICER_CCCD = "079190000999"
CardSource = Callable[[date], "list[SimCard]"]
DB_NAME = "gateway-sim.db"


def vneid_token_for(cccd: str) -> str:
    """The simulator's VNeID token for a synthetic citizen (the real QR format is UNCONFIRMED)."""
    return f"VNEIDDEMO{cccd}"


class SimState:
    """Everything the handler threads share."""

    def __init__(self, data_dir: Path, *, clock: Clock, accounts: list[SimAccount], officers: dict[str, str],
                 facilities: dict[str, bytes], faults: Faults | None, token_ttl: float, expiry_format: str,
                 cards: CardSource | None = None, vneid_identities: Sequence[dict] = ()):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.store = SimStore(data_dir / DB_NAME)
        self.tokens = TokenBook(accounts, clock, token_ttl, expiry_format)
        self.cards = CardRegistry()
        for card in (cards(clock.now().astimezone(VN_TZ).date()) if cards else ()):
            self.cards.add(card)
        self.officers = dict(officers)
        self.faults = FaultSwitch(faults)
        self.stop_event = threading.Event()
        self.rejections = 0
        self._certs: dict[str, x509.Certificate] = {}
        self._lock = threading.Lock()
        for code, pem in facilities.items():
            self.register_facility(code, pem)
        self.vneid = {vneid_token_for(c.cccd): {"soCCCD": c.cccd, "hoTen": c.full_name, "ngaySinh": c.birth,
                                                "gioiTinh": "1" if c.gender == "Nam" else "2", "diaChi": c.address,
                                                "maTheBHYT": c.card} for c in self.cards.all() if c.cccd}
        self.vneid.update({vneid_token_for(i["soCCCD"]): i for i in vneid_identities})

    def register_facility(self, ma_cskcb: str, cert_pem: bytes) -> None:
        cert = x509.load_pem_x509_certificate(cert_pem)
        with self._lock:
            self._certs[ma_cskcb] = cert

    def facility_cert(self, ma_cskcb: str) -> x509.Certificate | None:
        with self._lock:
            return self._certs.get(ma_cskcb)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):   # a client that vanished mid-request: routine here
            return
        super().handle_error(request, client_address)


@dataclass
class SimHandle:
    url: str
    port: int
    state: SimState
    _server: _Server
    _thread: threading.Thread

    def stop(self) -> None:
        self.state.stop_event.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.state.store.close()

    def __enter__(self) -> "SimHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # admin helpers (the same as the /admin endpoints, without HTTP)
    def set_faults(self, **changes) -> Faults:
        return self.state.faults.update(**changes)

    def clear_faults(self) -> None:
        self.state.faults.set(Faults())

    def expire_tokens(self) -> int:
        return self.state.tokens.expire()

    def received(self, ma_lk: str = "", with_xml: bool = True) -> list[dict]:
        return self.state.store.received(ma_lk, with_xml=with_xml)

    def stats(self) -> dict:
        return self.state.store.stats()

    def register_facility(self, ma_cskcb: str, cert_pem: bytes) -> None:
        self.state.register_facility(ma_cskcb, cert_pem)

    def add_account(self, username: str, password: str, ma_cskcb: str) -> None:
        self.state.tokens.add_account(SimAccount.with_password(username, password, ma_cskcb))


def start_simulator(data_dir: Path, port: int = 0, *, host: str = "127.0.0.1", clock: Clock | None = None,
                    facility_code: str = SIM_FACILITY, facility_cert_pem: bytes | None = None,
                    username: str = SIM_USERNAME, password: str = SIM_PASSWORD,
                    officers: dict[str, str] | None = None, faults: Faults | None = None,
                    token_ttl: float = 3600.0, expiry_format: str = "iso",
                    tls: tuple[Path, Path] | None = None, cards: CardSource | None = None,
                    vneid_identities: Sequence[dict] = ()) -> SimHandle:
    """Start the simulator on a thread; port 0 picks a free port (see handle.url).

    Without `facility_cert_pem`, the demo identity of kiosk.gateway.sim.devcert cached under
    `data_dir/devcert` is registered for `facility_code`. `tls=(cert_pem_path, key_pem_path)` serves
    HTTPS (tests of the client's certificate checks and pinned CA bundle). The simulator knows
    only the cards it is handed: `cards(today)` returns them (the demo's are in kiosk.demo.sim_cards).
    """
    data_dir = Path(data_dir)
    if facility_cert_pem is None:
        from kiosk.gateway.sim.devcert import ensure_dev_identity
        facility_cert_pem = ensure_dev_identity(data_dir / "devcert", facility_code).cert_pem
    state = SimState(data_dir, clock=clock or SystemClock(),
                     accounts=[SimAccount.with_password(username, password, facility_code)],
                     officers=officers if officers is not None else {SIM_OFFICER_CCCD: SIM_OFFICER_NAME},
                     facilities={facility_code: facility_cert_pem}, faults=faults, token_ttl=token_ttl,
                     expiry_format=expiry_format, cards=cards, vneid_identities=vneid_identities)
    handler = type("BoundSimHandler", (SimHandler,), {"state": state})
    server = _Server((host, port), handler)
    scheme = "http"
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    real_port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=f"gateway-sim:{real_port}", daemon=True)
    thread.start()
    return SimHandle(f"{scheme}://{host}:{real_port}", real_port, state, server, thread)


def admin_call(base_url: str, path: str, body: dict | None = None, method: str | None = None, timeout: float = 10):
    """Call a simulator admin endpoint from another process (tests, the CLI)."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    req = urllib.request.Request(base_url.rstrip("/") + path, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))
