"""The embedded default behind `kiosk demo`: a data dir with its own key file, the demo signing
identity, the gateway simulator (in-process, or an external one given by URL), and the settings
that point the real application at them. Synthetic people only."""
from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config import Config

log = logging.getLogger(__name__)

DEMO_FACILITY_NAME = "Bệnh viện Đa khoa Mẫu (demo)"
KEY_NAME = "demo.key"


@dataclass
class DemoEnvironment:
    root: Path                       # holds data/ and the key file (the key is never inside data/)
    data_dir: Path
    key_file: Path
    config: Config
    gateway_url: str
    gateway: Any = None              # SimHandle when in-process
    temporary: bool = False
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)


def prepare(base: Config, *, data_dir: Path | None = None, gateway_url: str | None = None,
            root: Path | None = None) -> DemoEnvironment:
    """Create (or reuse) the demo's directories, key, signing identity and gateway.

    `root` holds the key file and, unless `data_dir` is given, `root/data`. Without either, a
    temporary directory is used and removed by close().
    """
    from kiosk.demo.sim_cards import start_demo_simulator
    from kiosk.gateway.sim import server as sim
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.store.keys import FileKeyProvider

    temporary = root is None and data_dir is None
    if root is None:
        root = Path(data_dir).parent if data_dir is not None else Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    root = Path(root)
    data = Path(data_dir) if data_dir is not None else root / "data"
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file = root / KEY_NAME
    if data.resolve() in key_file.resolve().parents:     # --data-dir . : keep the key outside
        key_file = data.parent / KEY_NAME
    provider = FileKeyProvider(key_file, data)
    if not provider.exists():
        provider.create()
    ident = ensure_dev_identity(root / "devcert", sim.SIM_FACILITY)
    notes: list[str] = []
    handle = None
    if gateway_url:
        url = gateway_url.rstrip("/")
        try:
            sim.admin_call(url, "/admin/facility", {"ma_cskcb": sim.SIM_FACILITY,
                                                    "cert_pem": ident.cert_pem.decode("ascii")})
            notes.append(f"external gateway {url}: demo signing certificate registered")
        except OSError as exc:
            notes.append(f"external gateway {url}: could not register the demo certificate ({exc}); "
                         "uploads may be rejected")
    else:
        handle = start_demo_simulator(root / "gateway-sim", 0, facility_cert_pem=ident.cert_pem)
        url = handle.url
        notes.append(f"gateway simulator on {url}")
    cfg = base.replace(
        data_dir=data, key_file=key_file, key_provider="file",
        facility_code=sim.SIM_FACILITY, facility_name=DEMO_FACILITY_NAME,
        gateway_url=url, gateway_allow_http=True,   # the demo talks to its simulator in clear, on purpose
        gateway_username=sim.SIM_USERNAME, gateway_password=sim.SIM_PASSWORD,
        gateway_officer_name=sim.SIM_OFFICER_NAME, gateway_officer_cccd=sim.SIM_OFFICER_CCCD,
        gateway_lookup_endpoint=sim.LOOKUP_PATH, vneid_resolver_endpoint=sim.VNEID_PATH,
        signing_source="pkcs12", signing_pkcs12=ident.p12_path,
        signing_pkcs12_password_file=ident.password_file,
        printer="sim", scanners=["sim", "wedge"], metrics_bind="",
        card_watch=False,  # with a chip, kiosk.demo.chip watches the demo reader (its CSCA) instead
    )
    # The simulated scanner reads once per press of the device panel (no camera frames to repeat a
    # code), so the cross-scanner hold-off would only swallow a deliberate second scan of a person.
    cfg = cfg.replace(scanner_hold_off=0.0)
    return DemoEnvironment(root, data, key_file, cfg, url, handle, temporary, notes)

