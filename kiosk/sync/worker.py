"""The outbox worker: leases due items, uploads them with bounded concurrency, records the answer.

Runs on its own thread with its own database connection (the connection is opened inside that
thread). HTTP happens on a small pool; every database write happens on the worker's thread in
short `BEGIN IMMEDIATE` transactions. One worker per data dir (WorkerLock), so at start every
`sending` lease is an orphan of a dead worker: it goes back to `pending`, marked for
reconciliation, because nobody knows whether its request reached the gateway.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from drivers.backoff import RetryBackoff
from kiosk.core.clock import Clock, SystemClock
from kiosk.store.db import immediate_transaction
from kiosk.store.outbox import OutboxItem, OutboxRepo
from kiosk.sync import policy
from kiosk.sync.connectivity import Connectivity, Link
from kiosk.sync.lock import WorkerLock
from kiosk.sync.policy import Action, Decision
from kiosk.sync.ports import UploadClient
from kiosk.sync.attempt import attempt_upload
from kiosk.sync.worker_status import write_status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncSettings:
    batch_size: int = 32
    concurrency: int = 4
    lease_seconds: float = 180.0
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    reconcile_grace: float = 5.0    # wait after an ambiguous failure before the look-up
    lookup_days: int = 7
    idle_poll: float = 30.0         # longest sleep without a wake-up
    probe_cap: float = 60.0         # longest wait between link probes while offline
    recheck_interval: float = 60.0  # provisional card checks are re-run at most this often


@dataclass
class DrainReport:
    leased: int = 0
    acked: int = 0
    duplicates: int = 0       # acked after a "duplicate" answer, once the look-up confirmed our copy
    reconciled: int = 0       # acked because the look-up found it: no resend
    retried: int = 0
    dead: int = 0
    released: int = 0
    codes: dict[str, int] = field(default_factory=dict)

    def add(self, d: Decision) -> None:
        if d.action is Action.ACK:
            self.acked += 1
            self.duplicates += d.via == "duplicate"
            self.reconciled += d.via == "reconcile"
        elif d.action is Action.RETRY:
            self.retried += 1
        elif d.action is Action.DEAD:
            self.dead += 1
        else:
            self.released += 1
        if d.code and d.action is not Action.ACK:
            self.codes[d.code] = self.codes.get(d.code, 0) + 1

    def merge(self, other: "DrainReport") -> None:
        for name in ("leased", "acked", "duplicates", "reconciled", "retried", "dead", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.codes.items():
            self.codes[code] = self.codes.get(code, 0) + n


class SyncWorker:
    def __init__(self, connect: Callable[[], Any], client: UploadClient, *, facility_code: str = "",
                 clock: Clock | None = None, rng: random.Random | None = None,
                 settings: SyncSettings | None = None, lock: WorkerLock | None = None,
                 connectivity: Connectivity | None = None, rechecker=None, owner: str | None = None):
        self._connect = connect
        self.client = client
        self.facility_code = facility_code
        self.clock = clock or SystemClock()
        self.settings = settings or SyncSettings()
        self._backoff = RetryBackoff(self.settings.backoff_base, self.settings.backoff_cap, rng or random.Random())
        self._probe_backoff = RetryBackoff(min(self.settings.backoff_base, self.settings.probe_cap),
                                      self.settings.probe_cap, rng or random.Random())
        self._lock = lock
        self.connectivity = connectivity or Connectivity(self.clock)
        self.connectivity.subscribe(self._on_link)
        self.rechecker = rechecker
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._came_online = threading.Event()
        self._thread: threading.Thread | None = None
        self.totals = DrainReport()
        self._next_recheck = 0.0
        self.last_start_error: str | None = None   # why the last start attempt failed (None: it did not)
        self.status_path: Path | None = None       # <data_dir>/sync.status (worker_status), set by build_worker

    # ---- control

    def notify(self) -> None:
        """New items were committed (services call this after their transaction)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("sync worker already started")
        if self._lock:
            self._lock.acquire()   # WorkerBusy surfaces to the caller, not inside the thread
        self._stop.clear()
        self._thread = threading.Thread(target=self._thread_main, name="sync-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        abort = getattr(self.client, "abort", None)
        if abort is not None:   # calls in flight end now (ambiguous: reconciled before any resend)
            abort()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def down(self) -> str | None:
        """Why the started worker is not uploading (its start keeps failing, or its thread ended); None if fine."""
        if self.last_start_error:
            return self.last_start_error
        if self._thread is not None and not self._thread.is_alive():
            return "the worker thread has stopped"
        return None

    def _thread_main(self) -> None:
        from kiosk.ops.nice import lower_this_thread
        lower_this_thread()                        # uploads can wait a few ms; the patient cannot
        write_status(self.status_path, "starting")
        try:
            failures = 0
            while not self._stop.is_set():
                try:
                    self.run_forever()
                    return
                except Exception as exc:   # busy database, full disk... at start: never die quietly
                    failures += 1
                    self.last_start_error = f"{type(exc).__name__}: {str(exc)[:200]}"
                    log.warning("sync worker could not start (%s); retrying", self.last_start_error)
                    write_status(self.status_path, "down", self.last_start_error)
                    self._stop.wait(min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** min(failures, 10)))
        finally:
            write_status(self.status_path, "stopped")
            if self._lock:
                self._lock.release()

    def _on_link(self, state: Link) -> None:
        if state is Link.ONLINE:
            self._came_online.set()
            self._wake.set()

    # ---- entry points

    def run_once(self) -> DrainReport:
        """In the caller's thread: recover orphaned leases, drain everything due now, return."""
        with self._session() as (conn, repo, pool):
            self._recover(conn, repo)
            return self._drain(conn, repo, pool)

    def run_forever(self, until_drained: bool = False) -> DrainReport:
        """The worker loop (the thread's body). `until_drained` returns once nothing is pending
        or sending (dead letters stay for staff)."""
        with self._session() as (conn, repo, pool):
            self._recover(conn, repo)
            self.last_start_error = None
            write_status(self.status_path, "running")
            probes, next_probe = 0, 0.0
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    if self._came_online.is_set():
                        self._came_online.clear()
                        self._back_online(conn, repo)
                    if self.connectivity.online:
                        probes = 0
                        self.totals.merge(self._drain(conn, repo, pool))
                        wait_s = self._next_recheck - self._now()   # > interval: the wall clock went back
                        if self.connectivity.online and not 0 < wait_s <= self.settings.recheck_interval:
                            self._recheck(conn)
                    elif not 0 < next_probe - self._now() <= self.settings.probe_cap:   # due, or clock went back
                        self.totals.merge(self._drain(conn, repo, pool, probe=True))
                        if not self.connectivity.online:
                            probes += 1
                            next_probe = self._now() + self._probe_backoff.delay(probes)
                    # nothing is in flight between drains: any expired lease, ours included, is orphaned
                    self._tx(conn, lambda: repo.reclaim_leases(expired_only=True,
                                                               retry_after=self.settings.reconcile_grace))
                    if until_drained:
                        s = repo.stats()
                        if s.pending == 0 and s.sending == 0:
                            break
                    delay = self._sleep_for(repo, None if self.connectivity.online else next_probe)
                except Exception:   # a database hiccup must not kill the worker
                    log.exception("sync worker pass failed; retrying")
                    delay = self.settings.backoff_base
                self._wake.wait(delay)
            write_status(self.status_path, "stopped")
            return self.totals

    # ---- internals

    @contextmanager
    def _session(self):
        took_lock = False
        lock = self._lock
        if lock and not lock.held:
            lock.acquire()
            took_lock = True
        conn = self._connect()
        from kiosk.ops.nice import lower_this_thread
        pool = ThreadPoolExecutor(max_workers=max(1, self.settings.concurrency), thread_name_prefix="sync-up",
                                  initializer=lower_this_thread)
        try:
            yield conn, OutboxRepo(conn, self.clock), pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            conn.close()
            if took_lock:
                assert lock is not None
                lock.release()

    def _now(self) -> float:
        return self.clock.now().timestamp()

    @staticmethod
    def _tx(conn, fn):
        with immediate_transaction(conn):
            return fn()

    def _recover(self, conn, repo: OutboxRepo) -> None:
        # with the lock held (or a lock-less embedded worker), every lease is an orphan
        n = self._tx(conn, lambda: repo.reclaim_leases(expired_only=self._lock is None,
                                                       retry_after=self.settings.reconcile_grace))
        if n:
            log.warning("reclaimed %d orphaned outbox lease(s); they will be reconciled first", n)

    def _back_online(self, conn, repo: OutboxRepo) -> None:
        n = self._tx(conn, lambda: repo.make_due_now(self.settings.reconcile_grace))
        log.info("gateway back online: %d waiting outbox item(s) due now", n)
        self._recheck(conn)

    def _recheck(self, conn) -> None:
        if self.rechecker is None:
            return
        self._next_recheck = self._now() + self.settings.recheck_interval
        try:
            self.rechecker.run(conn)
        except Exception:
            log.exception("eligibility re-check failed")

    def _sleep_for(self, repo: OutboxRepo, next_probe: float | None) -> float:
        now = self._now()
        wake = now + self.settings.idle_poll
        due = repo.next_due_ts()
        if due is not None and next_probe is None:
            wake = min(wake, due)
        if next_probe is not None:
            wake = min(wake, next_probe)
        lease = repo.earliest_lease_expiry()
        if lease is not None:
            wake = min(wake, lease)
        return max(0.0, wake - now)

    def _drain(self, conn, repo: OutboxRepo, pool: ThreadPoolExecutor, probe: bool = False) -> DrainReport:
        """Lease, upload and record until nothing is due (or the link drops, or stop).

        Answers are written in groups, and the next batch is leased in the same transaction, so
        the database sees one short write transaction per group instead of one per item. A crash
        before that commit loses nothing: the items stay `sending` and are reconciled at restart.
        """
        report = DrainReport()
        in_flight: dict[Future, OutboxItem] = {}
        try:
            self._drain_loop(conn, repo, pool, probe, report, in_flight)
        except BaseException:
            # never leave an upload running behind a failed pass: its lease would look orphaned
            wait(list(in_flight))
            raise
        return report

    def _drain_loop(self, conn, repo: OutboxRepo, pool: ThreadPoolExecutor, probe: bool, report: DrainReport,
                    in_flight: dict) -> None:
        s = self.settings
        leasing = True
        low_water = max(1, s.concurrency * 2)
        while leasing or in_flight:
            results = self._collect(in_flight) if in_flight else []
            reachable = _reachable(d for _, d in results)
            if reachable is False:
                leasing = False   # the link is down: the rest wait for a probe
            want = 0
            if leasing and len(in_flight) < low_water and not self._stop.is_set():
                want = 1 if probe else s.batch_size
            if not results and not want:
                if not in_flight:
                    break
                continue

            def write():
                self._write(repo, results, report)
                return repo.lease_due(self.owner, want, s.lease_seconds, max_delay=2 * max(s.backoff_cap, s.reconcile_grace),
                                      probe=probe) if want else []

            items = self._tx(conn, write)
            if reachable is not None:
                self.connectivity.report(reachable)
            if want and (not items or probe):
                leasing = False
            report.leased += len(items)
            for item in items:
                in_flight[pool.submit(self._attempt, item)] = item

    def _collect(self, in_flight: dict) -> list[tuple[OutboxItem, Decision]]:
        """Wait for answers; gather what else finishes within a few milliseconds (one commit)."""
        done, rest = wait(in_flight, timeout=1.0, return_when=FIRST_COMPLETED)
        if done and rest and len(done) < self.settings.concurrency:
            more, _ = wait(rest, timeout=0.02)
            done |= more
        if self._stop.is_set():
            done |= {f for f in in_flight if f.cancel()}
        return [(in_flight.pop(f), Decision(Action.RELEASE) if f.cancelled() else f.result()) for f in done]

    def _attempt(self, item: OutboxItem) -> Decision:
        """One item on a pool thread: reconcile if needed, then upload. No database here."""
        grace = self.settings.reconcile_grace
        if self._stop.is_set():   # queued behind calls that stop() aborted: never start it
            return Decision(Action.RELEASE)
        try:
            return attempt_upload(self.client, item, self.facility_code, now=self.clock.now,
                                  lookup_days=self.settings.lookup_days, grace=grace, stopped=self._stop.is_set)
        except Exception as exc:
            log.warning("outbox item %d: attempt failed unexpectedly (%s)", item.id, type(exc).__name__)
            return policy.crashed(exc, grace)

    def _write(self, repo: OutboxRepo, results, report: DrainReport) -> None:
        """Record answers (inside the caller's transaction)."""
        for item, d in results:
            if d.action is Action.ACK:
                repo.ack(item.id, d.receipt)
            elif d.action is Action.DEAD:
                repo.mark_dead(item.id, self.owner, code=d.code, message=d.error)
                log.warning("outbox item %d (%s) is a dead letter: gateway code %s", item.id,
                            item.kind.value, d.code)
            elif d.action is Action.RETRY:
                delay = max(self._backoff.delay(item.attempts), d.min_delay)
                repo.schedule_retry(item.id, self.owner, delay=delay, code=d.code, error=d.error,
                                    needs_reconcile=d.needs_reconcile)
            else:
                repo.schedule_retry(item.id, self.owner, delay=0.0, code=item.last_code,
                                    error=item.last_error, needs_reconcile=item.needs_reconcile)
            report.add(d)


def _reachable(decisions) -> bool | None:
    """What a group of answers says about the link: any answer from the gateway means online."""
    seen = None
    for d in decisions:
        if d.reachable is not None:
            seen = d.reachable or bool(seen)
    return seen
