"""The `hub_dsn` setting: a libpq connection string without its secret.

The password (or client key passphrase) lives in a key-store file (0600), never in the TOML.
Production settings must verify the hub's certificate (sslmode=verify-full) unless the hub is
reached over a local unix socket or loopback.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


class HubConfigError(ValueError):
    """A hub connection setting that cannot be used safely; the message names the fix."""


def check_dsn(dsn: str, *, production: bool = True) -> dict:
    """Parse and check `dsn`; raises HubConfigError with the reason."""
    try:
        parts = conninfo_to_dict(dsn)
    except Exception as exc:
        raise HubConfigError(f"hub_dsn is not a libpq connection string: {exc}") from None
    if "password" in parts:
        raise HubConfigError("hub_dsn must not carry a password: put it in hub_password_file (0600)")
    if production:
        hosts = [h.strip() for h in str(parts.get("host", "")).split(",")]
        remote = [h for h in hosts if not h.startswith("/") and h not in LOCAL_HOSTS]
        if remote and parts.get("sslmode") != "verify-full":
            raise HubConfigError("hub_dsn reaches a remote hub: add sslmode=verify-full and sslrootcert=... "
                                 "(the hub's certificate must be verified)")
    return parts


def read_secret(path: Path) -> str:
    path = Path(path)
    st = path.stat()
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HubConfigError(f"{path}: key-store file must be private (chmod 600)")
    return path.read_text().strip()


def write_secret(path: Path, secret: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")


def full_dsn(dsn: str, password_file: Path | None = None, *, production: bool = True,
             connect_timeout: float | None = None, application_name: str | None = None) -> str:
    """The DSN to hand to psycopg: checked, with the key-store password and our client name."""
    check_dsn(dsn, production=production)
    extra: dict = {}
    if password_file and str(password_file):
        extra["password"] = read_secret(Path(password_file))
    if connect_timeout is not None:
        extra["connect_timeout"] = max(1, int(round(connect_timeout)))
    if application_name:
        extra["application_name"] = application_name
    return make_conninfo(dsn, **extra)


def hub_from_config(cfg, *, role: str) -> str | None:
    """The full DSN from settings (hub_dsn, hub_password_file, hub_tls_required), or None when
    this kiosk has no hub."""
    dsn = getattr(cfg, "hub_dsn", "") if not hasattr(cfg, "get") else cfg.get("hub_dsn", "")
    if not dsn:
        return None
    pw = cfg.get("hub_password_file", Path("")) if hasattr(cfg, "get") else getattr(cfg, "hub_password_file")
    prod = bool(cfg.get("hub_tls_required", True)) if hasattr(cfg, "get") else True
    return full_dsn(dsn, pw if str(pw) not in ("", ".") else None, production=prod,
                    application_name=f"kiosk-{role}")
