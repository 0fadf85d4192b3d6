"""The composition root wires ops, logging, the systemd watchdog, sync wake-ups, VNeID and the
staff mode's last scan into the real kiosk: real store, in-process gateway simulator, real window."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from kiosk.core import checkin as c
from kiosk.demo.people import DEMO_PEOPLE, by_key

pytestmark = [pytest.mark.ui, pytest.mark.integration]


def _env(**settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "NOTIFY_SOCKET", "WATCHDOG_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update({f"KIOSK_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def personal_strings() -> list[str]:
    """Every demo citizen's name and document number (what a log must never carry)."""
    out = []
    for p in DEMO_PEOPLE:
        i = p.identity
        out.append(i.person.full_name)
        if i.cccd:
            out.append(i.cccd.number)
        if i.bhyt:
            out += [x for x in (i.bhyt.code15, i.bhyt.bhxh_number10) if x]
    return out


@pytest.fixture
def make_kiosk(tmp_path, qapp, qtbot, ui_config):
    """make_kiosk(**cfg_overrides, start_sync=False, staff_mode=False) -> (kiosk, env): the real
    app, ops started, attached to a real window and started."""
    from kiosk.app import KioskApp
    from kiosk.store.keys import FileKeyProvider
    from kiosk.demo.environment import prepare
    made = []

    def make(start_sync=False, staff_mode=False, **overrides):
        env = prepare(ui_config.replace(eligibility_deadline=2.0), root=tmp_path / f"demo{len(made)}")
        cfg = env.config.replace(**overrides) if overrides else env.config
        kiosk = KioskApp(cfg, FileKeyProvider(env.key_file, env.data_dir).load(), create_db=True,
                         start_sync=start_sync)
        made.append((kiosk, env))
        kiosk.build()
        kiosk.attach_ui(qapp, dpi=96.0, staff_mode=staff_mode)
        kiosk.ui.show(size=(1080, 1920))
        qtbot.addWidget(kiosk.ui.window)
        kiosk.start()
        return kiosk, env
    yield make
    for kiosk, env in reversed(made):
        kiosk.close()
        env.close()


def wait_state(qtbot, kiosk, kind, timeout=10000):
    qtbot.waitUntil(lambda: isinstance(kiosk.ui.window.state, kind), timeout=timeout)
    return kiosk.ui.window.state


def scan(kiosk, payload: str):
    kiosk.parts.sim_scanner.inject(payload.encode("utf-8"))


def check_in(qtbot, kiosk, key="valid_bhyt", code="K01"):
    """Scan a demo citizen, confirm, choose a service; returns the state after the choice."""
    p = by_key(key)
    scan(kiosk, p.cccd_qr or p.bhyt_qr)
    wait_state(qtbot, kiosk, c.Confirm)
    qtbot.waitUntil(lambda: kiosk.ui.window.state.eligibility.status.value != "checking", timeout=10000)
    qtbot.mouseClick(kiosk.ui.window.screens["confirm"].yes, c_left())
    wait_state(qtbot, kiosk, c.ChooseService)
    qtbot.mouseClick(kiosk.ui.window.screens["service"].service_buttons[code], c_left())
    qtbot.waitUntil(lambda: isinstance(kiosk.ui.window.state, (c.TicketShown, c.Problem, c.PrinterFailed)),
                    timeout=10000)
    return kiosk.ui.window.state


def c_left():
    from kiosk.ui.qt import Qt
    return Qt.MouseButton.LeftButton


# ---------------------------------------------------------------- ops: disk guard and health

def test_low_disk_refuses_checkins_and_the_idle_screen_says_so(qtbot, make_kiosk):
    from kiosk.ops.disk import DiskGuard
    from kiosk.ops.health import maintenance_text
    kiosk, env = make_kiosk()
    assert kiosk.ops is not None and kiosk.ops.gates, "ops started and the issuer gated"
    idle = kiosk.ui.window.screens["idle"]
    assert not idle.notice.isVisible() and idle.qr_way.isVisible()
    free = [10_000.0]
    guard = DiskGuard(env.data_dir, kiosk.cfg.min_free_disk_mib, usage=lambda p: free[0])
    kiosk.ops.guard = guard
    for gate in kiosk.ops.gates:
        gate.guard = guard

    free[0] = 1.0                                   # 1 MiB free, under min_free_disk_mib
    kiosk.poll_health()                             # what the 3 s timer does
    vi, en = maintenance_text("disk_low")
    assert idle.notice.isVisible() and idle.notice.text() == vi
    assert not idle.qr_way.isVisible() and not idle.keypad_way.isVisible()
    qtbot.mouseClick(kiosk.ui.window.language_button, c_left())
    qtbot.waitUntil(lambda: idle.notice.text() == en)
    qtbot.mouseClick(kiosk.ui.window.language_button, c_left())

    state = check_in(qtbot, kiosk)                  # a scan still reads, the gate refuses the ticket
    assert isinstance(state, c.Problem) and state.kind.value == "issue_failed"
    assert kiosk.outbox_stats()["pending"] == 0 and kiosk.ops.gates[0].refused == 1
    qtbot.mouseClick(kiosk.ui.window.screens["error"].primary, c_left())
    wait_state(qtbot, kiosk, c.Idle)

    free[0] = 10_000.0                              # staff freed space: back to normal, no restart
    kiosk.poll_health()
    assert not idle.notice.isVisible() and idle.qr_way.isVisible()
    assert isinstance(check_in(qtbot, kiosk), c.TicketShown)
    assert kiosk.outbox_stats()["pending"] == 1


def test_maintenance_found_later_shows_on_the_idle_screen(qtbot, make_kiosk):
    from kiosk.ops.health import Health, HealthState, maintenance_text
    kiosk, env = make_kiosk()
    kiosk.ops.integrity_checked.wait(10)
    assert kiosk.checkins_health().accepts_checkins        # the real database is sound
    vi, en = maintenance_text("database_corrupt")
    kiosk.ops.set_health(Health(HealthState.MAINTENANCE, "database_corrupt", vi, en, "test"))
    kiosk.HEALTH_POLL_MS = 50
    kiosk._health_timer.start(50)                           # the timer, not a direct call
    idle = kiosk.ui.window.screens["idle"]
    qtbot.waitUntil(lambda: idle.notice.isVisible() and idle.notice.text() == vi, timeout=3000)
    state = check_in(qtbot, kiosk, "elderly", "K02")
    assert isinstance(state, c.Problem) and kiosk.outbox_stats()["pending"] == 0


# ---------------------------------------------------------------- sync wake-up, cache, VNeID, last scan

def test_a_checkin_reaches_the_gateway_at_once(qtbot, make_kiosk):
    kiosk, env = make_kiosk(start_sync=True)
    assert kiosk.parts.sync.settings.idle_poll >= 30          # without the wake-up: up to 30 s
    time.sleep(0.5)                                           # the worker's first (empty) pass is done
    state = check_in(qtbot, kiosk)
    assert isinstance(state, c.TicketShown)
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: len(env.gateway.received(with_xml=False)) == 1, timeout=2000)
    assert time.monotonic() - t0 < 2.0
    qtbot.waitUntil(lambda: kiosk.outbox_stats()["pending"] == 0, timeout=2000)


def test_patient_cache_warmed_on_the_lookup_connection(qtbot, make_kiosk, caplog):
    import logging
    caplog.set_level(logging.INFO, logger="kiosk.app")
    kiosk, env = make_kiosk()
    qtbot.waitUntil(lambda: "patient cache warmed" in caplog.text, timeout=5000)
    warm = [r for r in caplog.records if "patient cache warmed" in r.getMessage()]
    assert warm[0].threadName.startswith("checkin-db")        # the service's own db thread


def test_vneid_qr_is_resolved_by_the_gateway(qtbot, make_kiosk):
    from kiosk.gateway.sim.server import vneid_token_for
    kiosk, env = make_kiosk()
    assert kiosk.cfg.vneid_resolver_endpoint                  # the demo config points at the simulator
    scan(kiosk, vneid_token_for(by_key("elderly").identity.cccd.number))
    state = wait_state(qtbot, kiosk, c.Confirm)
    assert state.patient.masked_name == "PHẠM V** M"


def test_vneid_without_an_endpoint_goes_to_the_desk(qtbot, make_kiosk):
    from kiosk.gateway.sim.server import vneid_token_for
    kiosk, env = make_kiosk(vneid_resolver_endpoint="")
    scan(kiosk, vneid_token_for(by_key("elderly").identity.cccd.number))
    state = wait_state(qtbot, kiosk, c.Problem)
    assert state.kind.value == "unsupported"


def test_staff_mode_sees_the_newest_scan(qtbot, make_kiosk):
    kiosk, env = make_kiosk(staff_mode=True)
    services = kiosk.staff.build_services()          # what the staff worker builds on first use
    try:
        last = services.tech_ctx.last_scan
        assert last() is None
        payload = by_key("valid_bhyt").bhyt_qr
        scan(kiosk, payload)
        qtbot.waitUntil(lambda: last() is not None, timeout=3000)
        assert last().data == payload.encode("utf-8")
    finally:
        services.close()



def test_scanner_settings_reach_the_running_scanners(qtbot, make_kiosk):
    """wedge_max_key_gap_ms, scanner_hold_off and scanner_serial_baud are read by the app's own
    scanner stack (they used to be read only by `kiosk scan test`)."""
    kiosk, env = make_kiosk(wedge_max_key_gap_ms=12.5, scanner_hold_off=0.75, scanner_serial_baud=115200)
    assert kiosk._wedge._asm.config.max_gap == 0.0125
    manager = kiosk.parts.scanners.manager
    assert manager.dedupe.hold_off == 0.75 and manager.options.baud == 115200
    assert [s.source for s in manager.scanners] == ["sim"] and kiosk.parts.sim_scanner is manager.scanners[0]
    payload = by_key("valid_bhyt").bhyt_qr
    scan(kiosk, payload)
    wait_state(qtbot, kiosk, c.Confirm)
    assert kiosk.last_scan.source == "sim"
    from drivers.scanner.base import ScanRead
    kiosk._wedge.scanned.emit(ScanRead("wedge", payload.encode("utf-8"), time.time()))
    qtbot.wait(100)
    assert kiosk.last_scan.source == "sim"                 # the same code on the wedge counted once
    kiosk._wedge.scanned.emit(ScanRead("wedge", b"DN4010123456789", time.time()))
    qtbot.waitUntil(lambda: kiosk.last_scan.source == "wedge", timeout=3000)   # another code passes
    assert kiosk.devices_status() == {"sim": True}

# ---------------------------------------------------------------- processes: logging and systemd

@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """`kiosk demo --headless` with two check-ins: (out dir, completed process)."""
    out = tmp_path_factory.mktemp("wiring") / "demo"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "demo", "--headless", "--checkins", "2",
                           "--no-chip", "--out", str(out)], capture_output=True, text=True, timeout=180,
                          env=_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def test_demo_logs_to_a_file_without_personal_data(demo_run):
    out, proc = demo_run
    log_file = out / "data" / "logs" / "kiosk.log"
    text = log_file.read_text(encoding="utf-8")
    assert "patient cache warmed" in text and "heartbeat" in text     # setup_logging ran: INFO to the file
    leaked = [s for s in personal_strings() if s in text or s in proc.stderr]
    assert not leaked, "personal data in the log"


def test_run_notifies_systemd_ready_and_feeds_the_watchdog(demo_run, tmp_path):
    out, _ = demo_run
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.2)
    env = _env(data_dir=out / "data", key_file=out / "demo.key",
               signing_pkcs12=out / "devcert" / "facility.p12",
               signing_pkcs12_password_file=out / "devcert" / "facility.p12.pass",
               facility_code="79001", scanners="sim", printer="sim", metrics_bind="",
               gateway_url="http://127.0.0.1:9", gateway_allow_http="true")
    env.update(NOTIFY_SOCKET=str(sock_path), WATCHDOG_USEC="400000")      # a beat every 0.2 s
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--windowed"], env=env,
                            stderr=subprocess.PIPE, text=True)
    got: list[str] = []
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end and not ("READY=1" in got and got.count("WATCHDOG=1") >= 5):
            try:
                got.append(sock.recv(256).decode())
            except socket.timeout:
                assert proc.poll() is None, proc.stderr.read()[-3000:]
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
        sock.close()
    assert "READY=1" in got and got.count("WATCHDOG=1") >= 5, got
    assert code == 0, proc.stderr.read()[-3000:]
    assert (out / "data" / "logs" / "kiosk.log").stat().st_size > 0


# ---------------------------------------------------------------- cold start: the idle screen first

def test_idle_screen_first_then_the_service_binds(qtbot, qapp, tmp_path, ui_config):
    """`kiosk run`'s order: the idle screen over the empty slot, the rest built off the Qt thread,
    then every screen built and the real state rendered."""
    from kiosk.app import KioskApp
    from kiosk.store.keys import FileKeyProvider
    from kiosk.demo.environment import prepare
    env = prepare(ui_config, root=tmp_path / "demo")
    key = FileKeyProvider(env.key_file, env.data_dir).load()
    KioskApp(env.config, key, create_db=True, start_sync=False, start_ops=False).build().close()
    kiosk = KioskApp(env.config, key, start_sync=False)
    try:
        kiosk.attach_ui(qapp, dpi=96.0)
        qtbot.addWidget(kiosk.ui.window)
        window = kiosk.ui.window
        assert window.state is None and list(window.screens) == ["idle"]
        assert window.current_screen() is window.screens["idle"]
        ready, errors = [], []
        kiosk.build_in_background(on_ready=lambda: ready.append(1), on_error=errors.append)
        qtbot.waitUntil(lambda: bool(ready or errors), timeout=20000)
        assert not errors, errors
        assert isinstance(window.state, c.Idle) and len(window.screens) == 7
        assert kiosk.ops is not None
        state = check_in(qtbot, kiosk, "elderly", "K02")
        assert isinstance(state, c.TicketShown)
    finally:
        kiosk.close()
        env.close()


def test_state_machine_not_imported_before_the_first_paint(tmp_path):
    code = (
        "import os, sys\n"
        "from kiosk.app import KioskApp\n"
        "from kiosk.config import load\n"
        "from kiosk.ui.qt import QApplication\n"
        f"cfg = load(path=None, env={{}}).replace(data_dir={str(tmp_path)!r})\n"
        "app = QApplication([])\n"
        "kiosk = KioskApp(cfg, b'k' * 32)\n"
        "kiosk.attach_ui(app, dpi=96.0)\n"
        "kiosk.ui.show(size=(1080, 1920)); app.processEvents(); kiosk.ui.window.grab()\n"
        "late = [m for m in ('kiosk.core.checkin', 'kiosk.ui.patient.confirm', 'subprocess', 'socket',\n"
        "                    'importlib.metadata') if m in sys.modules]\n"
        "print('LATE', late, flush=True)\n"
        "os._exit(0)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=_env())
    assert "LATE []" in proc.stdout, proc.stdout + proc.stderr[-2000:]


def test_the_idle_screen_says_when_the_upload_worker_is_down(qtbot, make_kiosk):
    """M4: the embedded worker that cannot start (database busy) is a staff line on the idle screen;
    check-ins go on meanwhile, and the line goes once the worker is up."""
    from kiosk.store.migrate import open_connection
    from kiosk.store.keys import FileKeyProvider
    kiosk, env = make_kiosk(start_sync=True, db_busy_timeout_ms=300)
    worker, idle = kiosk.parts.sync, kiosk.ui.window.screens["idle"]
    kiosk.poll_health()
    assert not idle.sync_notice.isVisible()
    worker.stop(timeout=10)
    blocker = open_connection(env.data_dir, FileKeyProvider(env.key_file, env.data_dir).load(), check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")                  # another process holds the write lock
    try:
        worker.start()
        qtbot.waitUntil(lambda: worker.last_start_error is not None, timeout=10000)
        kiosk.poll_health()                              # what the 3 s timer does
        assert idle.sync_notice.isVisible()
        text = idle.sync_notice.text()
        assert "Bộ gửi hồ sơ lên cổng BHXH đang dừng" in text and "locked" in text and "call the technician" in text
        assert idle.qr_way.isVisible()                   # patients still check in
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    qtbot.waitUntil(lambda: worker.running and worker.last_start_error is None, timeout=15000)
    kiosk.poll_health()
    assert not idle.sync_notice.isVisible()
