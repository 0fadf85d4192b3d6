"""The technician's hub check (first-run wizard, `kiosk provision --check`): can this kiosk reach
its facility hub the way it will in service?

Four items, each with a Vietnamese-first message: the connection (with the key-store password),
the role (never a superuser or a role that can create roles/databases: kiosks log in as
`hub_kiosk`), TLS (when hub_dsn says sslmode=verify-full the session must be encrypted; libpq has
then verified the certificate and the host name), and the schema version (every hub migration this
software ships must be applied: `kiosk hub init`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from kiosk.facility.dsn import HubConfigError, full_dsn


@dataclass(frozen=True)
class HubCheckItem:
    name: str          # connect, role, tls, schema
    ok: bool
    message: str       # Vietnamese / English
    unreachable: bool = False   # nobody answered (offline-first: a warning), not "it answered no"


# libpq's words for "nobody answered" (as opposed to "it answered no": wrong password, no such role)
UNREACHABLE = ("connection refused", "timeout expired", "could not translate host name", "no route to host",
               "network is unreachable", "server closed the connection", "no such file or directory",
               "the database system is starting up", "the database system is shutting down",
               "connection timed out", "could not connect to server")


def unreachable(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, psycopg.OperationalError) and any(w in text for w in UNREACHABLE)


def check_hub(dsn: str, password_file: Path | None = None, *, tls_required: bool = True,
              timeout: float = 5.0) -> list[HubCheckItem]:
    """Every item that could be checked; after a failed connection, only that one."""
    try:
        full = full_dsn(dsn, password_file, production=tls_required, connect_timeout=timeout,
                        application_name="kiosk-check")
    except (HubConfigError, OSError) as exc:
        return [HubCheckItem("connect", False, f"Cài đặt máy chủ cơ sở chưa đúng / hub settings: {exc}")]
    try:
        conn = psycopg.connect(full, autocommit=True)
    except psycopg.Error as exc:
        away = unreachable(exc)
        why = "không kết nối được / unreachable" if away else "máy chủ từ chối / refused"
        first = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else type(exc).__name__
        return [HubCheckItem("connect", False, f"Máy chủ cơ sở {why}: {first}", unreachable=away)]
    with conn:
        items = [HubCheckItem("connect", True, f"Đã kết nối / connected as {conn.info.user}")]
        items.append(_role(conn))
        items.append(_tls(conn, dsn))
        items.append(_schema(conn))
    return items


def _role(conn) -> HubCheckItem:
    row = conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
                       "WHERE rolname = current_user").fetchone()
    powers = [name for name, has in zip(("SUPERUSER", "CREATEROLE", "CREATEDB", "BYPASSRLS"), row or ()) if has]
    if powers:
        return HubCheckItem("role", False, f"Tài khoản {conn.info.user} có quyền quản trị ({', '.join(powers)}): "
                            "ki-ốt phải dùng tài khoản hub_kiosk. / The kiosk must not log in with an "
                            "administrator role: use hub_kiosk (kiosk hub init made it).")
    return HubCheckItem("role", True, f"Tài khoản hạn chế / least-privilege role {conn.info.user}")


def _tls(conn, dsn: str) -> HubCheckItem:
    mode = conninfo_to_dict(dsn).get("sslmode", "")
    encrypted = bool(conn.pgconn.ssl_in_use)
    if mode == "verify-full":
        if encrypted:
            return HubCheckItem("tls", True, "TLS: chứng thư máy chủ đã được xác minh / the hub's certificate "
                                "and host name are verified (verify-full)")
        return HubCheckItem("tls", False, "TLS: phiên không được mã hóa dù hub_dsn yêu cầu verify-full / the "
                            "session is not encrypted although hub_dsn asks for verify-full")
    if encrypted:
        return HubCheckItem("tls", True, f"TLS: mã hóa nhưng không xác minh chứng thư (sslmode={mode or 'prefer'}) / "
                            "encrypted, certificate not verified: use sslmode=verify-full for a remote hub")
    return HubCheckItem("tls", True, "TLS: không dùng (máy chủ trên cùng máy) / not used: local socket or loopback")


def _schema(conn) -> HubCheckItem:
    from kiosk.facility.schema import discover
    shipped = {n for n, _ in discover()}
    try:
        applied = {int(r[0]) for r in conn.execute("SELECT version FROM hub_schema_migrations")}
    except psycopg.errors.UndefinedTable:
        applied = set()
    except psycopg.errors.InsufficientPrivilege:
        return HubCheckItem("schema", False, "Không đọc được phiên bản lược đồ: máy chủ cũ hơn phần mềm, hãy chạy "
                            "`kiosk hub init`. / Cannot read the hub schema version: the hub is older than this "
                            "software; run `kiosk hub init`.")
    missing = sorted(shipped - applied)
    if missing:
        names = ", ".join(f"{n:04d}" for n in missing)
        return HubCheckItem("schema", False, f"Lược đồ máy chủ thiếu {names}: hãy chạy `kiosk hub init`. / The hub "
                            f"schema lacks migrations {names}: run `kiosk hub init`.")
    newest = max(applied, default=0)
    extra = f" (máy chủ mới hơn / hub newer: {newest:04d})" if applied - shipped else ""
    return HubCheckItem("schema", True, f"Lược đồ / schema {max(shipped, default=0):04d}{extra}")
