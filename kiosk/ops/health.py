"""Start-up health of the box: is the disk roomy enough and is the database sound?

The answer is a `Health` with a state the UI shows (OK, REFUSE_CHECKINS, MAINTENANCE), a stable
reason code, and a patient-facing message in Vietnamese and English. A `CheckinGate` wraps the
real ticket issuer so a nearly full disk refuses a check-in *before* the issuing transaction
could meet SQLITE_FULL halfway; the outbox is never touched by a refused check-in.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from kiosk.core.ports import IssueError, IssuerDecorator, IssueRequest
from kiosk.ops.disk import DiskGuard
from kiosk.store.backup import backup_dir, list_backups
from kiosk.store.db import MissingDatabaseError, StoreError, WrongKeyError, connect, db_path

log = logging.getLogger(__name__)


class HealthState(str, enum.Enum):
    OK = "ok"
    REFUSE_CHECKINS = "refuse_checkins"   # the kiosk runs (staff, sync) but issues no tickets
    MAINTENANCE = "maintenance"           # the database cannot be used: maintenance screen


@dataclass(frozen=True)
class Health:
    state: HealthState
    reason: str = ""          # stable code: disk_low, database_missing, database_corrupt, wrong_key
    message_vi: str = ""
    message_en: str = ""
    detail: str = ""          # for logs and staff; never personal data

    @property
    def ok(self) -> bool:
        return self.state is HealthState.OK

    @property
    def accepts_checkins(self) -> bool:
        return self.state is HealthState.OK


HEALTHY = Health(HealthState.OK)

_MESSAGES = {
    "disk_low": ("Máy tạm ngừng nhận đăng ký: bộ nhớ sắp đầy. Xin mời đến quầy tiếp đón.",
                 "Check-in is paused: the kiosk's storage is nearly full. Please go to the reception desk."),
    "disk_full": ("Máy đang bảo trì: bộ nhớ đã đầy. Xin mời đến quầy tiếp đón.",
                  "The kiosk is under maintenance: its storage is full. Please go to the reception desk."),
    "database_missing": ("Máy đang bảo trì. Xin mời đến quầy tiếp đón.",
                         "The kiosk is under maintenance. Please go to the reception desk."),
    "database_corrupt": ("Máy đang bảo trì. Xin mời đến quầy tiếp đón.",
                         "The kiosk is under maintenance. Please go to the reception desk."),
    "wrong_key": ("Máy đang bảo trì. Xin mời đến quầy tiếp đón.",
                  "The kiosk is under maintenance. Please go to the reception desk."),
}


def maintenance_text(reason: str) -> tuple[str, str]:
    """The patient-facing (Vietnamese, English) text for a reason code."""
    return _MESSAGES[reason]


def _health(state: HealthState, reason: str, detail: str) -> Health:
    vi, en = _MESSAGES[reason]
    return Health(state, reason, vi, en, detail)


def disk_health(guard: DiskGuard) -> Health:
    s = guard.state()
    if s.ok:
        return HEALTHY
    return _health(HealthState.REFUSE_CHECKINS, "disk_low",
                   f"{s.free_mib:.0f} MiB free under {guard.path}, below min_free_disk_mib={s.min_free_mib:.0f}")


INTEGRITY_LEVELS = ("full", "cipher", "none")


def integrity_problems(conn, level: str = "full") -> list[str]:
    """[] when sound. "cipher": SQLCipher's per-page HMAC check (any damaged or altered page;
    ~0.3 s per 55 MiB); "full" adds SQLite's structural quick_check (~5x longer: at a million
    patients, seconds — a job for the night or a background thread, not the cold start)."""
    if level not in INTEGRITY_LEVELS:
        raise ValueError(f"integrity level must be one of {INTEGRITY_LEVELS}")
    if level == "none":
        return []
    problems: list[str] = []
    try:
        problems += [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
        if level == "full":
            quick = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
            if quick != ["ok"]:
                problems += quick
    except sqlcipher3.DatabaseError as exc:   # a page so damaged that the check itself fails
        problems.append(f"{type(exc).__name__}: {exc}")
    return problems


def _backup_opens(data_dir: Path, key: bytes) -> bool:
    """Whether the newest backup opens with `key`: tells a corrupt database from a wrong key
    (SQLCipher cannot: a damaged first page and a wrong key both read as 'not a database')."""
    backups = list_backups(backup_dir(data_dir))
    if not backups:
        return False
    try:
        connect(backups[-1].path, key, cache_mib=2).close()
        return True
    except StoreError:
        return False


def database_health(data_dir: Path, key: bytes, *, integrity: str | bool = "full") -> Health:
    """Open the database and check it at `integrity` level ("full", "cipher", "none"; True = "full")."""
    level = ("full" if integrity else "none") if isinstance(integrity, bool) else integrity
    path = db_path(data_dir)
    try:
        conn = connect(path, key, cache_mib=4)
    except MissingDatabaseError as exc:
        return _health(HealthState.MAINTENANCE, "database_missing", str(exc))
    except WrongKeyError as exc:
        if _backup_opens(data_dir, key):
            return _health(HealthState.MAINTENANCE, "database_corrupt",
                           f"{path.name} does not open but the newest backup opens with the same key: "
                           "the database is damaged; restore with `kiosk db restore --latest`")
        return _health(HealthState.MAINTENANCE, "wrong_key", str(exc))
    except (StoreError, sqlcipher3.DatabaseError, OSError) as exc:
        return _health(HealthState.MAINTENANCE, "database_corrupt", f"{path.name} does not open: {exc}")
    try:
        problems = integrity_problems(conn, level)
    finally:
        conn.close()
    if problems:
        return _health(HealthState.MAINTENANCE, "database_corrupt",
                       f"{path.name} fails the integrity checks: {'; '.join(problems[:3])[:300]}")
    return HEALTHY


def startup_health(data_dir: Path, key: bytes, guard: DiskGuard, *, integrity: str | bool = "full") -> Health:
    """The kiosk's state at start-up. The database's trouble outranks the disk's: a maintenance
    screen needs staff anyway, while a low disk still lets the kiosk sync and serve the desk."""
    db = database_health(data_dir, key, integrity=integrity)
    disk = disk_health(guard)
    if not db.ok and not disk.ok and db.reason in ("wrong_key", "database_corrupt"):
        # SQLite cannot create its -shm/-wal on a full disk and the first read fails ("disk I/O
        # error"), which reads like a wrong key: the disk is the cause to report and to fix
        db = _health(HealthState.MAINTENANCE, "disk_full",
                     f"the database does not open while {disk.detail}; free space first ({db.reason}: {db.detail})")
    if not db.ok:
        log.error("start-up health: %s (%s)", db.reason, db.detail)
        return db
    if not disk.ok:
        log.warning("start-up health: %s (%s)", disk.reason, disk.detail)
    return disk


class CheckinsRefused(IssueError):
    """The gate refused a check-in before any write; `health` says why (and what to show)."""

    def __init__(self, health: Health):
        super().__init__(f"check-ins refused: {health.reason}")
        self.health = health


class CheckinGate(IssuerDecorator):
    """A TicketIssuer around the real one: each issue() first asks the disk guard (a statvfs,
    microseconds) and the sticky start-up state; a refusal raises CheckinsRefused (an IssueError,
    so the check-in machine shows its 'go to the desk' screen) and writes nothing."""

    def __init__(self, issuer, guard: DiskGuard, startup: Health = HEALTHY):
        super().__init__(issuer)
        self.guard = guard
        self.sticky = HEALTHY
        self.refused = 0
        self.set_health(startup)

    def health(self) -> Health:
        if self.sticky.state is HealthState.MAINTENANCE:
            return self.sticky
        return disk_health(self.guard)   # re-read each time: freeing space resumes check-ins

    def set_health(self, health: Health) -> None:
        """A later finding (the background integrity check, the nightly job) changes the state;
        only maintenance sticks, the disk is asked afresh on every check-in."""
        self.sticky = health if health.state is HealthState.MAINTENANCE else HEALTHY

    def issue(self, request: IssueRequest):
        h = self.health()
        if not h.accepts_checkins:
            self.refused += 1
            log.warning("check-in refused: %s (%s)", h.reason, h.detail)
            raise CheckinsRefused(h)
        return self.inner.issue(request)


# the recovery half of "database corrupt": kept in its own module, named here for discoverability
from kiosk.ops.recovery import recover_outbox_from_backup  # noqa: E402,F401
