"""Outbox recovery from a backup: unsent uploads must survive a damaged database.

When the live database had to be replaced (restored from an older backup, or re-created), the
pending, sending and dead outbox items of a good backup that the live database lacks are copied
over with their exact signed bytes and MA_LK, so every check-in still reaches the gateway once.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.clock import iso
from kiosk.core.status import OutboxState
from kiosk.store.backup import verify_backup
from kiosk.store.db import StoreError, connect

log = logging.getLogger(__name__)

# a handed-over item stays handed over: the hub owns it, this kiosk must never upload it again
RECOVERED_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.DEAD, OutboxState.HANDED_OVER)
_COLS = ("kind, ma_lk, payload, payload_sha256, state, attempts, needs_reconcile, last_code, last_error, "
         "created_at")


@dataclass
class RecoveryReport:
    copied: int = 0
    already_present: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    ma_lks: list[str] = field(default_factory=list)   # for the caller's checks; never logged


def recover_outbox_from_backup(backup_path: Path, key: bytes, live_store) -> RecoveryReport:
    """Copy unsent outbox items of `backup_path` missing from `live_store` (one transaction).

    A `sending` item comes back as `pending` with needs_reconcile=1: nobody knows whether its
    lost attempt reached the gateway, so the worker asks before resending. Dead letters stay
    dead (staff decide). The item is linked to the live visit with the same MA_LK when there is
    one. Raises WrongKeyError / StoreError when the backup cannot be used; nothing is written then.
    """
    verify_backup(Path(backup_path), key)
    src = connect(Path(backup_path), key, cache_mib=4)
    try:
        marks = ",".join("?" * len(RECOVERED_STATES))
        rows = src.execute(f"SELECT {_COLS} FROM outbox WHERE state IN ({marks}) ORDER BY id",
                           RECOVERED_STATES).fetchall()
    finally:
        src.close()
    report = RecoveryReport()
    now = iso(live_store.clock.now())
    conn = live_store.conn
    with live_store.transaction():
        for r in rows:
            payload = bytes(r["payload"])
            if hashlib.sha256(payload).hexdigest() != r["payload_sha256"]:
                raise StoreError(f"backup outbox item for kind {r['kind']} has bytes that do not match "
                                 "their digest; not recovering from this backup")
            if conn.execute("SELECT 1 FROM outbox WHERE kind = ? AND ma_lk = ?",
                            (r["kind"], r["ma_lk"])).fetchone():
                report.already_present += 1
                continue
            state = r["state"] if r["state"] in (OutboxState.DEAD, OutboxState.HANDED_OVER) else OutboxState.PENDING
            reconcile = 1 if r["state"] == OutboxState.SENDING else int(r["needs_reconcile"])
            visit = conn.execute("SELECT id FROM visits WHERE ma_lk = ?", (r["ma_lk"],)).fetchone()
            conn.execute(
                "INSERT INTO outbox (kind, ma_lk, visit_id, payload, payload_sha256, state, attempts, "
                "next_attempt_ts, needs_reconcile, last_code, last_error, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                (r["kind"], r["ma_lk"], visit[0] if visit else None, payload, r["payload_sha256"], state,
                 r["attempts"], reconcile, r["last_code"] or ("recovered" if r["state"] == OutboxState.SENDING else None),
                 r["last_error"], r["created_at"], now))
            report.copied += 1
            report.by_state[r["state"]] = report.by_state.get(r["state"], 0) + 1
            report.ma_lks.append(r["ma_lk"])
    log.info("outbox recovery from %s: %d copied (%s), %d already present", Path(backup_path).name,
             report.copied, ", ".join(f"{k}={v}" for k, v in sorted(report.by_state.items())) or "-",
             report.already_present)
    return report
