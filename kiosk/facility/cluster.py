"""A private PostgreSQL cluster in a directory: initdb + pg_ctl as an unprivileged user.

Used by the test suite (one cluster per session) and by `kiosk demo --facility`. No system service
is touched: the cluster lives in `base`, listens on its own unix socket directory (and loopback on
a free port), and is stopped with `pg_ctl stop`. When run as root, the server runs as the system
user `kioskpg` (created with `useradd --system` if missing); PostgreSQL refuses to run as root.
"""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

PG_USER = "kioskpg"
SUPERUSER = "hubadmin"


class ClusterError(RuntimeError):
    """The private cluster could not be created, started or stopped; the message says why."""


def pg_bindir() -> Path:
    env = os.environ.get("KIOSK_PG_BINDIR")
    if env:
        return Path(env)
    roots = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    if roots:
        return roots[0]
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise ClusterError("PostgreSQL server binaries not found: install the 'postgresql' package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(PG_USER)


@dataclass
class PrivateCluster:
    base: Path
    port: int = 0
    password: str = ""

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "sock"

    @property
    def log_file(self) -> Path:
        return self.base / "postgres.log"

    def _run(self, argv: list[str], timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", PG_USER, "--"] + argv
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              env=None if env is None else {**os.environ, **env})
        if proc.returncode != 0:
            name = Path(argv[3] if argv[0] == "runuser" else argv[0]).name
            raise ClusterError(f"{name} failed: {(proc.stderr or proc.stdout).strip()[-800:]}")
        return proc

    def init(self) -> "PrivateCluster":
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        self.port = self.port or _free_port()
        self.password = self.password or secrets.token_urlsafe(18)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            user = _ensure_user()
            for p in (self.base, self.socket_dir, pwfile):
                os.chown(p, user.pw_uid, user.pw_gid)
            # the unprivileged user must be able to reach the directory
            p = self.base
            while p != p.parent:
                p = p.parent
                mode = p.stat().st_mode
                if not mode & 0o001:
                    os.chmod(p, mode | 0o001)
        os.chmod(pwfile, 0o600)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run([str(pg_bindir() / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                       "--pwfile", str(pwfile), "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
            with open(self.data_dir / "postgresql.conf", "a") as conf:
                conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                           f"unix_socket_directories = '{self.socket_dir}'\nfsync = on\n"
                           "wal_level = replica\nmax_wal_senders = 5\nmax_connections = 200\n"
                           "shared_buffers = 64MB\n")
            with open(self.data_dir / "pg_hba.conf", "a") as hba:
                hba.write("host replication all 127.0.0.1/32 scram-sha-256\n")
        pwfile.unlink()
        return self

    def start(self) -> "PrivateCluster":
        self._run([str(pg_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                   "-w", "-t", "60", "start"])
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run([str(pg_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop"])

    def restart(self) -> None:
        self.stop()
        self.start()

    def dsn(self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres") -> str:
        pw = self.password if password is None else password
        return f"host={self.socket_dir} port={self.port} user={user} password={pw} dbname={dbname}"


    def make_standby(self, base: Path, *, synchronous: bool = True) -> "PrivateCluster":
        """A streaming hot standby of this cluster in `base` (pg_basebackup -R), started. With
        `synchronous`, the primary waits for it on every commit, so a promoted standby has every
        ticket number the primary handed out."""
        standby = PrivateCluster(Path(base), password=self.password)
        standby.base.mkdir(parents=True, exist_ok=True)
        standby.socket_dir.mkdir(exist_ok=True)
        standby.port = _free_port()
        if os.geteuid() == 0:
            user = _ensure_user()
            for p in (standby.base, standby.socket_dir):
                os.chown(p, user.pw_uid, user.pw_gid)
        self._run([str(pg_bindir() / "pg_basebackup"), "-D", str(standby.data_dir), "-h", "127.0.0.1",
                   "-p", str(self.port), "-U", SUPERUSER, "-R", "-X", "stream", "-c", "fast",
                   "-d", "application_name=standby1"], env={"PGPASSWORD": self.password})
        auto = standby.data_dir / "postgresql.auto.conf"
        with open(auto, "a") as conf:
            conf.write(f"\nport = {standby.port}\nunix_socket_directories = '{standby.socket_dir}'\n"
                       "hot_standby = on\n")
        standby.start()
        if synchronous:
            import psycopg
            with psycopg.connect(self.dsn(), autocommit=True) as conn:
                conn.execute("ALTER SYSTEM SET synchronous_standby_names = 'standby1'")
                conn.execute("SELECT pg_reload_conf()")
        return standby

    def promote(self) -> None:
        self._run([str(pg_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-w", "promote"])


def start_private_cluster(base: Path) -> PrivateCluster:
    return PrivateCluster(Path(base)).init().start()
