"""The kiosk's chip watcher on a real pcscd + vsmartcard-vpcd with the virtual chip, driving the real
CheckinService (real identity resolver on a real SQLCipher store; eligibility, issuing and printing
are stubs: the flow under test ends at the Confirm screen). Synthetic demo citizens only."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from drivers.card.sim.chip import Faults, VirtualChip
from drivers.card.sim.citizen import Forgery, build_files
from drivers.card.sim.pcscd import running_pid
from drivers.card.sim.vpcd import VpcdLink
from kiosk.demo.people import citizen_of
from kiosk.config import load
from kiosk.core import checkin as c
from kiosk.core.clock import FakeClock
from kiosk.core.ports import CheckOutcome
from kiosk.checkin.service import CheckinService
from kiosk.core.views import EligibilityView, InsuranceStatus, Message, ProblemKind, ReadSource
from kiosk.demo.people import by_key
from kiosk.identity.model import Source
from kiosk.devices.chip_watch import KEY_MISMATCH, STEPS, ChipWatcher, DeviceState
from kiosk.checkin.resolver import StoreIdentityResolver
from kiosk.settings_map import machine_config

ROOT = Path(__file__).resolve().parents[2]
READER = "Virtual PCD 00 00"
PERSON = by_key("valid_bhyt")
OTHER = by_key("cccd_only")


# ------------------------------------------------------------------ running_pid (no daemon needed)


@pytest.mark.parametrize("text", ["{pid}\n\x00", "{pid}", " {pid} \n", "\x00{pid}\x00\n\x00"])
def test_running_pid_strips_nul_and_whitespace(tmp_path, text):
    f = tmp_path / "pcscd.pid"
    f.write_text(text.format(pid=os.getpid()))
    assert running_pid(f) == os.getpid()


@pytest.mark.parametrize("text", ["", "\x00", "abc\n", "0\n\x00", "-1"])
def test_running_pid_rejects_garbage(tmp_path, text):
    f = tmp_path / "pcscd.pid"
    f.write_text(text)
    assert running_pid(f) is None


def test_running_pid_dead_or_missing(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    f = tmp_path / "pcscd.pid"
    f.write_text(f"{proc.pid}\n\x00")
    assert running_pid(f) is None
    assert running_pid(tmp_path / "absent.pid") is None


# ------------------------------------------------------------------ the kiosk flow


class _Checker:
    def check(self, resolution, deadline_s):
        return CheckOutcome(EligibilityView(InsuranceStatus.PROVISIONAL, Message("p", "Tạm.", "Provisional.")))


class _Unused:
    def __getattr__(self, name):
        raise AssertionError(f"not part of this flow: {name}")


class Recording:
    """Every event the service receives (from the watcher, its chip lane, or the test)."""

    def __init__(self, service: CheckinService):
        self.events: list = []
        self._post = service.post
        service.post = self.post           # the chip lane's answers go through service.post too

    def post(self, event):
        self.events.append(event)
        return self._post(event)

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


def wait_no_card(timeout: float = 10.0) -> None:
    from drivers.card.transport import PcscService
    pcsc = PcscService()
    try:
        deadline = time.monotonic() + timeout
        while pcsc.present(READER, wait_ms=100).get(READER):
            assert time.monotonic() < deadline, "a card is still reported on the reader"
    finally:
        pcsc.close()


@pytest.fixture
def kiosk(tmp_path, daemon, pki):
    from kiosk.store.migrate import open_store
    clock = FakeClock()
    store = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock, check_same_thread=False)
    cfg = load(path=None, env={}, overrides={"data_dir": str(tmp_path / "data")})
    svc = CheckinService(machine_config(cfg), resolver=StoreIdentityResolver(store, clock),
                         checker=_Checker(), issuer=_Unused(), printer=_Unused(), clock=clock)
    seen: list = []
    changed = threading.Condition()

    def listen(state):
        with changed:
            seen.append(state)
            changed.notify_all()
    svc.add_listener(listen)

    def wait(pred, timeout=15.0):
        end = time.monotonic() + timeout
        with changed:
            while not pred(svc.state):
                left = end - time.monotonic()
                assert left > 0, f"still {svc.state!r} after {rec.kinds()}"
                changed.wait(min(left, 0.05))
        return svc.state

    wait_no_card()                     # a card of the previous test may still be reported
    rec = Recording(svc)
    watcher = ChipWatcher(svc, reader=READER, csca_dir=pki.csca_dir, poll_ms=100).start()
    svc.attach_chip(watcher)
    links: list[VpcdLink] = []

    def card(person=PERSON, forgery=None, faults=None) -> VpcdLink:
        cit = citizen_of(person)
        link = VpcdLink(VirtualChip(build_files(cit, pki, forgery=forgery), cit.bac_key(), faults))
        links.append(link)
        return link

    deadline = time.monotonic() + 10
    while watcher.status().state is not DeviceState.UP:
        assert time.monotonic() < deadline, watcher.status()
        time.sleep(0.05)
    yield svc, rec, wait, card, seen, watcher
    for link in links:
        link.remove()
    watcher.stop()
    svc.close()
    store.close()


def chip_confirm(s) -> bool:
    return isinstance(s, c.Confirm) and s.patient.source is ReadSource.CHIP


def qr(person=PERSON) -> c.QrScanned:
    return c.QrScanned(person.cccd_qr.encode("utf-8"))


def assert_chip_verified(svc, person=PERSON):
    ident = svc.current_identity()
    assert ident.source is Source.CHIP_VERIFIED, ident.source_detail
    assert ident.cccd.number == person.identity.cccd.number
    assert ident.person.full_name == person.identity.full_name


def test_qr_first_then_card_reads_the_chip(kiosk):
    svc, rec, wait, card, seen, watcher = kiosk
    svc.post(qr())
    st = wait(lambda s: isinstance(s, c.Confirm))
    assert st.patient.source is ReadSource.QR
    with card():
        st = wait(chip_confirm)
    assert st.patient.masked_number == "*** *** 0101"
    assert_chip_verified(svc)
    done = [e for e in rec.events if isinstance(e, c.ChipReadDone)]
    assert len(done) == 1 and done[0].identity.source is Source.CHIP_VERIFIED
    steps = [e.step for e in rec.events if isinstance(e, c.ChipProgress)]
    assert [s for s in steps if s in STEPS] == list(STEPS)     # every real step, once, in order
    reading = [s for s in seen if isinstance(s, c.Reading) and s.source is ReadSource.CHIP]
    assert reading[0].session == st.session and {s.step for s in reading} >= {"bac", "DG13", "SOD"}
    assert watcher.status().read_ok == 1


def test_card_first_asks_for_the_qr_then_reads(kiosk):
    svc, rec, wait, card, seen, watcher = kiosk
    with card():
        st = wait(lambda s: isinstance(s, c.Reading) and s.needs_qr)
        assert st.source is ReadSource.CHIP and rec.kinds()[:2] == ["ChipPresented", "ChipNeedsQr"]
        svc.post(qr())                                     # the QR on the front of the same card
        st = wait(chip_confirm)
    assert st.session == 1
    assert_chip_verified(svc)
    # the QR's own resolution never reached the Confirm screen: one confirmation, from the chip
    assert {s.patient.source for s in seen if isinstance(s, c.Confirm)} == {ReadSource.CHIP}


def test_card_removed_mid_read_then_laid_again(kiosk):
    svc, rec, wait, card, seen, watcher = kiosk
    svc.post(qr())
    wait(lambda s: isinstance(s, c.Confirm))
    link = card(faults=Faults(remove_after_apdus=20))
    link.insert()
    wait(lambda s: isinstance(s, c.Reading) and s.card_removed)
    assert link.pulled.is_set() and "ChipRemoved" in rec.kinds() and "ChipReadDone" not in rec.kinds()
    assert svc.state.step                                   # the read had got somewhere before
    link.wait_removed(5)
    link.insert()                                           # laid down again (the fault fired once)
    wait(chip_confirm)
    assert_chip_verified(svc)
    kinds = rec.kinds()
    assert kinds.index("ChipRemoved") < kinds.index("ChipReadDone")
    assert watcher.status().removed == 1 and watcher.status().read_ok == 1


def test_forged_card_is_rejected(kiosk):
    svc, rec, wait, card, seen, watcher = kiosk
    svc.post(qr())
    wait(lambda s: isinstance(s, c.Confirm))
    with card(forgery=Forgery.DG13_ALTERED):
        st = wait(lambda s: isinstance(s, c.Problem))
    assert st.kind is ProblemKind.REJECTED and not st.retry
    assert [e for e in rec.events if isinstance(e, c.ChipReadFailed)] == [c.ChipReadFailed(rejected=True)]
    assert "ChipReadDone" not in rec.kinds() and watcher.status().rejected == 1


def test_qr_of_someone_else_does_not_open_the_card(kiosk):
    svc, rec, wait, card, seen, watcher = kiosk
    svc.post(qr(OTHER))
    wait(lambda s: isinstance(s, c.Confirm))
    with card(PERSON):
        st = wait(lambda s: isinstance(s, c.Problem))
        time.sleep(0.5)                                     # lying there, it is not tried again
    assert st.message == KEY_MISMATCH and st.retry
    assert rec.kinds().count("ChipReadFailed") == 1 and watcher.status().failed == 1


def test_card_left_on_the_reader_is_not_read_for_the_next_patient(kiosk):
    svc, rec, wait, card, seen, watcher = kiosk
    with card():
        wait(lambda s: isinstance(s, c.Reading) and s.needs_qr)
        svc.post(c.Cancel())                                # the patient walks away, card left
        wait(lambda s: isinstance(s, c.Idle))
        svc.post(qr(OTHER))                                 # the next patient
        wait(lambda s: isinstance(s, c.Confirm))
        time.sleep(0.6)
        assert isinstance(svc.state, c.Confirm) and svc.state.patient.source is ReadSource.QR
    assert [k for k in rec.kinds() if k.startswith("Chip")] == ["ChipPresented", "ChipNeedsQr"]


# ------------------------------------------------------------------ pcscd down


PROBE = textwrap.dedent("""
    import json, sys, time
    from kiosk.devices.chip_watch import ChipWatcher
    class Rec:
        events = []
        state = None
        def post(self, e): self.events.append(type(e).__name__)
    rec = Rec()
    w = ChipWatcher(rec, poll_ms=100, backoff=(0.2, 0.4)).start()
    time.sleep(1.5)
    s = w.status()
    t0 = time.monotonic(); w.stop(timeout=5); stopped = time.monotonic() - t0
    print(json.dumps({"state": s.state.value, "detail": s.detail, "retry": s.retry_in_s, "events": rec.events,
                      "stopped_s": stopped, "after": w.status().state.value,
                      "alive": w._thread is not None}))
""")


def test_pcscd_absent_reports_down_and_stops_cleanly(tmp_path):
    """No pcscd behind the client socket (PCSCLITE_CSOCK_NAME points at nothing): the watcher says
    the device is down, backs off, posts nothing, and stops at once."""
    env = dict(os.environ, PCSCLITE_CSOCK_NAME=str(tmp_path / "no-pcscd.comm"))
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["state"] == "down" and got["detail"] == "pcsc_unavailable", got
    assert got["retry"] == 0.4 and got["events"] == [] and got["stopped_s"] < 2 and got["after"] == "stopped"


def test_pcscd_restart_down_then_up_again(daemon, kiosk):
    """The daemon this module started goes away and comes back: down, then up, then a card reads."""
    if not daemon.started:
        pytest.skip("pcscd was already running (not ours to stop)")
    svc, rec, wait, card, seen, watcher = kiosk
    daemon.stop()
    try:
        deadline = time.monotonic() + 10
        while watcher.status().state is DeviceState.UP:
            assert time.monotonic() < deadline, "still up without pcscd"
            time.sleep(0.05)
        assert watcher.status().state is DeviceState.DOWN and watcher._thread.is_alive()
    finally:
        daemon.start()
    deadline = time.monotonic() + 30
    while watcher.status().state is not DeviceState.UP:
        assert time.monotonic() < deadline, watcher.status()
        time.sleep(0.1)
    svc.post(qr())
    wait(lambda s: isinstance(s, c.Confirm))
    with card():
        wait(chip_confirm)
    assert_chip_verified(svc)


def test_ports_free_sees_a_listener():
    from drivers.card.sim.pcscd import ports_free
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert not ports_free((port,))
    assert ports_free((port,))
