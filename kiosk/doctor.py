"""`kiosk doctor`: what the kiosk needs, whether it is there, and the fix when it is not.

Each check is a small function returning a Check; nothing here imports Qt in-process (the Qt
check runs in a subprocess so a broken platform plugin cannot take the doctor down with it).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from kiosk.config import Config

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""
    required: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def check_qt_platform(cfg: Config) -> Check:
    platform = os.environ.get("QT_QPA_PLATFORM", "xcb")
    code = ("import sys; from PySide6.QtGui import QGuiApplication; "
            "app = QGuiApplication(sys.argv); print(app.platformName())")
    # a PyInstaller build has no `python -c`: its own hidden `kiosk _qt-probe` command does the same
    cmd = [sys.executable, "_qt-probe"] if getattr(sys, "frozen", False) else [sys.executable, "-c", code]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return Check("Qt platform plugin", FAIL, f"'{platform}' hung on start", "check the display server")
    if out.returncode == 0:
        return Check("Qt platform plugin", OK, f"'{out.stdout.strip()}' starts")
    lines = out.stderr.strip().splitlines() or ["no output"]
    last = next((ln for ln in lines if "could not" in ln.lower()), lines[-1])
    if platform == "xcb" and not os.environ.get("DISPLAY"):
        last = "no X display (DISPLAY is not set)"
    fix = ("run ./dev.sh setup as root (installs libxcb-cursor0 and the other xcb libraries), "
           "set DISPLAY, or use QT_QPA_PLATFORM=offscreen for headless runs")
    return Check("Qt platform plugin", FAIL, f"'{platform}' does not start: {last[:160]}", fix)


def check_fonts(cfg: Config) -> Check:
    if not shutil.which("fc-list"):
        return Check("Vietnamese fonts", FAIL, "fontconfig (fc-list) missing", "apt-get install fontconfig")
    out = subprocess.run(["fc-list", ":lang=vi", "family"], capture_output=True, text=True, timeout=20)
    families = sorted({line.split(",")[0].strip() for line in out.stdout.splitlines() if line.strip()})
    if families:
        return Check("Vietnamese fonts", OK, ", ".join(families[:4]) + (" …" if len(families) > 4 else ""))
    return Check("Vietnamese fonts", FAIL, "no font covers Vietnamese", "apt-get install fonts-noto-core")


def check_pcscd(cfg: Config) -> Check:
    try:
        from smartcard.System import readers
        names = [str(r) for r in readers()]
    except Exception as exc:  # pyscard raises several kinds when the daemon is absent
        return Check("PC/SC (pcscd)", FAIL, f"not reachable: {type(exc).__name__}",
                     "apt-get install pcscd; systemctl start pcscd (or pcscd --foreground)", required=False)
    detail = ", ".join(names) if names else "running, no reader attached"
    return Check("PC/SC (pcscd)", OK if names else WARN, detail,
                 "" if names else "plug in the contactless reader", required=False)


def check_usb(cfg: Config) -> Check:
    try:
        import usb.core
        devices = list(usb.core.find(find_all=True))
    except Exception as exc:
        return Check("USB access", FAIL, f"libusb unusable: {type(exc).__name__}: {exc}",
                     "apt-get install libusb-1.0-0", required=False)
    nodes = glob.glob("/dev/bus/usb/*/*")
    unreadable = [n for n in nodes if not os.access(n, os.R_OK | os.W_OK)]
    if unreadable:
        return Check("USB access", WARN, f"{len(devices)} devices, {len(unreadable)} not writable by this user",
                     "install the project's udev rules (resources/udev) and re-plug", required=False)
    return Check("USB access", OK, f"{len(devices)} devices visible", required=False)


def check_camera(cfg: Config) -> Check:
    wanted = [s for s in cfg.scanners if str(s).startswith("camera:")]
    nodes = sorted(glob.glob("/dev/video*"))
    if not wanted:
        return Check("camera", OK, f"not configured ({len(nodes)} video devices present)", required=False)
    if nodes:
        return Check("camera", OK, ", ".join(nodes), required=False)
    return Check("camera", FAIL, "configured but no /dev/video* device", "plug in the camera", required=False)


def check_printer(cfg: Config) -> Check:
    spec = str(cfg.printer)
    if spec in ("sim", "png", "pdf"):
        return Check("printer", WARN, f"'{spec}': tickets are written as images, not printed",
                     "set printer = usb:VID:PID, serial:PORT, network:HOST or file:/dev/usb/lp0",
                     required=False)
    if spec == "file" or spec.startswith("file:"):
        device = spec[5:] or "/dev/usb/lp0"
        ok = Path(device).exists()
        return Check("printer", OK if ok else FAIL, f"{device} {'present' if ok else 'missing'}",
                     "" if ok else "connect the USB printer (usblp) or set the printer setting")
    if spec.startswith("usb:"):
        try:
            import usb.core
            vid, pid = (int(x, 16) for x in spec[4:].split(":")[:2])
            found = usb.core.find(idVendor=vid, idProduct=pid) is not None
        except Exception as exc:
            return Check("printer", FAIL, f"{spec}: {type(exc).__name__}", "check the printer setting")
        return Check("printer", OK if found else FAIL, f"{spec} {'present' if found else 'not found'}",
                     "" if found else "connect and power the printer")
    if spec.startswith("serial:"):
        port = spec[7:]
        ok = Path(port).exists()
        return Check("printer", OK if ok else FAIL, f"{port} {'present' if ok else 'missing'}",
                     "" if ok else "connect the printer or fix the port")
    if spec.startswith("network:"):
        host, _, port = spec[8:].partition(":")
        return _tcp_check("printer", host, int(port or 9100), "power the printer and check its address")
    return Check("printer", FAIL, f"unknown printer setting '{spec}'", "see `kiosk config schema`")


def _tcp_check(name: str, host: str, port: int, fix: str, required: bool = True) -> Check:
    try:
        with socket.create_connection((host, port), timeout=3):
            return Check(name, OK, f"{host}:{port} answers", required=required)
    except OSError as exc:
        return Check(name, FAIL, f"{host}:{port}: {exc.strerror or exc}", fix, required=required)


def check_database(cfg: Config) -> list[Check]:
    from kiosk.store.db import DamagedDatabaseError, StoreError, connect, db_path, wal_missing_note
    from kiosk.store.keys import key_provider_from_config
    from kiosk.store.migrate import latest_version, schema_version

    path = db_path(cfg.data_dir)
    if not path.exists():
        return [Check("database", FAIL, f"no database at {path}", "kiosk db init --key-file PATH")]
    try:
        key = key_provider_from_config(cfg).load()
        conn = connect(path, key, cache_mib=4)
    except DamagedDatabaseError as exc:
        return [Check("database", FAIL, str(exc), "kiosk db restore --latest (the damaged file is kept aside)")]
    except (StoreError, OSError, ValueError) as exc:
        return [Check("database", FAIL, str(exc), "provide the right key file (--config / KIOSK_KEY_FILE)")]
    try:
        version = schema_version(conn)
    finally:
        conn.close()
    newest = latest_version()
    schema = Check("schema version", OK if version == newest else FAIL, f"{version} (this kiosk knows {newest})",
                   "" if version == newest else "kiosk db migrate")
    checks = [Check("database", OK, f"{path} opens with the key"), schema]
    lost = wal_missing_note(cfg.data_dir)
    if lost:   # red-team L5: the -wal was deleted after an unclean stop
        checks.append(Check("write-ahead log", FAIL, lost,
                            "put the missing kiosk.db-wal back if it was moved; otherwise compare the outbox "
                            "with the gateway (`kiosk sync export-receipts`) and restore a backup if needed"))
    return checks


def check_gateway(cfg: Config) -> Check:
    url = urlparse(cfg.gateway_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    check = _tcp_check("gateway", url.hostname or "", port,
                       "check the network or gateway_url; the kiosk keeps working offline", required=False)
    if check.status == FAIL:
        check.status = WARN  # offline-first: the kiosk queues and issues tickets anyway
    return check


def check_gateway_url(cfg: Config) -> Check:
    """H2: credentials and dossiers never travel in clear outside the demo/simulator."""
    scheme = urlparse(cfg.gateway_url).scheme
    if scheme == "https":
        return Check("gateway TLS", OK, "gateway_url is https://")
    if scheme == "http" and cfg.gateway_allow_http:
        return Check("gateway TLS", WARN, "gateway_url is http:// (cleartext, allowed by gateway_allow_http: "
                     "demo/simulator only)", "use the https:// gateway and remove gateway_allow_http", required=False)
    return Check("gateway TLS", FAIL, f"gateway_url is {scheme or 'not a'}:// URL: credentials and patient "
                 "dossiers would travel in clear; the kiosk refuses it",
                 "use https:// (gateway_allow_http = true only for a demo or simulator)")


def check_kiosk_id(cfg: Config) -> Check:
    from kiosk.security.kiosk_ids import kiosk_id_problems
    problems = kiosk_id_problems(cfg.kiosk_id, cfg.facility_kiosk_ids)
    if problems:
        return Check("kiosk ID", FAIL, "; ".join(problems),
                     "give every kiosk its own kiosk_id and list all of them in facility_kiosk_ids")
    return Check("kiosk ID", OK, f"kiosk_id {cfg.kiosk_id!r} (facility kiosks: "
                 f"{', '.join(cfg.facility_kiosk_ids) or 'not listed'})")


def check_hub(cfg: Config) -> list[Check]:
    """With hub_dsn: the technician's hub check (connect, role, TLS, schema) and a hub enrolment
    that provisioning left pending (confirmed at the next start) or that the hub refused."""
    if not cfg.hub_dsn:
        return []
    from kiosk.facility.hub_check import check_hub as hub_items
    pw = cfg.hub_password_file
    out = []
    for i in hub_items(cfg.hub_dsn, pw if str(pw) not in ("", ".") else None, tls_required=cfg.hub_tls_required):
        status = OK if i.ok else WARN if i.unreachable else FAIL
        out.append(Check(f"hub {i.name}", status, i.message, "" if i.ok else
                         "the kiosk works alone meanwhile; check the network" if i.unreachable else
                         "fix hub_dsn / hub_password_file, or run `kiosk hub init` on the hub", required=not i.unreachable))
    out.append(_hub_enrolment(cfg))
    return out


def _hub_enrolment(cfg: Config) -> Check:
    import json

    from kiosk.facility.enrol import PENDING_KEY
    from kiosk.store.db import connect, db_path
    from kiosk.store.keys import key_provider_from_config
    from kiosk.store.settings_repo import SettingsRepo
    try:
        conn = connect(db_path(cfg.data_dir), key_provider_from_config(cfg).load(), cache_mib=4)
        try:
            raw = SettingsRepo(conn).get(PENDING_KEY)
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - the database check says why
        return Check("hub enrolment", WARN, f"not checked: the database does not open ({type(exc).__name__})",
                     "see the database check", required=False)
    if raw is None:
        return Check("hub enrolment", OK, f"kiosk_id {cfg.kiosk_id!r}: nothing pending")
    row = json.loads(raw)
    if row.get("refused"):
        return Check("hub enrolment", FAIL, row["refused"], "provision the kiosk again with another kiosk.id "
                     "(or none: the hub assigns one); its facility link stays off until then")
    return Check("hub enrolment", WARN, f"kiosk_id {row['kiosk_id']!r} awaits the hub's confirmation (made at the "
                 "kiosk's next start with the hub up)", "start the kiosk with the hub reachable", required=False)


def check_disk(cfg: Config) -> Check:
    from kiosk.ops.disk import DiskGuard
    path = Path(cfg.data_dir)
    while not path.exists() and path != path.parent:   # before `db init` the data dir may not exist yet
        path = path.parent
    state = DiskGuard(path, cfg.min_free_disk_mib).state()
    detail = f"{state.free_mib:.0f} MiB free under {path} (check-ins stop below {state.min_free_mib:.0f} MiB)"
    if state.ok:
        return Check("disk space", OK, detail)
    return Check("disk space", FAIL, detail, "free space on the data disk (old logs, tickets/*.png); "
                 "backups beyond backup_retention_days are pruned nightly")


def check_clock(cfg: Config) -> Check:
    now = datetime.now(timezone.utc)
    if now.year < 2025 or now.year > 2100:
        return Check("clock", FAIL, f"system time {now:%Y-%m-%d} is implausible",
                     "enable NTP (timedatectl set-ntp true) or set the time")
    return Check("clock", OK, f"{now:%Y-%m-%d %H:%M} UTC")


CHECKS: tuple[Callable[[Config], Check | list[Check]], ...] = (
    check_qt_platform, check_fonts, check_pcscd, check_usb, check_camera, check_printer,
    check_database, check_disk, check_gateway, check_gateway_url, check_kiosk_id, check_hub, check_clock,
)


def run_checks(cfg: Config) -> list[Check]:
    results: list[Check] = []
    for fn in CHECKS:
        try:
            out = fn(cfg)
        except Exception as exc:  # a doctor that crashes helps nobody: report and go on
            out = Check(fn.__name__.removeprefix("check_"), FAIL, f"check crashed: {type(exc).__name__}: {exc}")
        results.extend(out if isinstance(out, list) else [out])
    return results


def healthy(results: list[Check]) -> bool:
    return not any(c.status == FAIL and c.required for c in results)
