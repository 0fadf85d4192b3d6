"""Integration: a real pcscd with vsmartcard-vpcd, the virtual chip on the vpcd socket, pyscard.

The daemon is started here when none runs; if it cannot start the tests FAIL with the reason.
"""
from __future__ import annotations

import threading
import time

import pytest

from drivers.card.errors import CardError, CardRemovedError, CardTimeoutError, ReaderGoneError
from drivers.card.icao.csca import load_store
from drivers.card.icao.pa import PaCheck
from drivers.card.icao.reader import IcaoReader
from drivers.card.sim.chip import Faults, VirtualChip
from drivers.card.sim.citizen import DEFAULT_CITIZENS, Forgery, build_files
from drivers.card.sim.vpcd import VpcdLink
from drivers.card.transport import PcscService

pytestmark = pytest.mark.integration
READER = "Virtual PCD 00 00"
C = DEFAULT_CITIZENS[1]


@pytest.fixture(scope="module")
def pcsc(daemon):
    service = PcscService()
    yield service
    service.close()


def wait_absent(service: PcscService, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.present(READER, wait_ms=200).get(READER):
            return
    raise AssertionError("the virtual card was not reported removed")


def read_once(service: PcscService, pki, **kw):
    reader = service.wait_for_card(READER, timeout=10)
    card = service.connect(reader)
    try:
        return card.run(lambda cd: IcaoReader(cd, **kw).read([C.bac_key()], csca=load_store(pki.csca_dir)))
    finally:
        try:
            card.disconnect()
        except CardError:
            pass


def test_reads_a_citizen_end_to_end(pcsc, pki):
    assert READER in pcsc.list_readers()
    link = VpcdLink(VirtualChip(build_files(C, pki), C.bac_key()))
    with link:
        out = read_once(pcsc, pki)
        assert out.pa.ok, out.pa.detail
        assert out.dg13.fields[1] == C.cccd and out.mrz.birth_yymmdd == C.birth_date.strftime("%y%m%d")
        assert link.apdus == out.apdus
        # extended-length chunks go through pcscd and vpcd too
        big = read_once(pcsc, pki, chunk_size=4000)
        assert big.files == out.files and big.apdus < out.apdus
    wait_absent(pcsc)


def test_card_removed_mid_read_then_read_again(pcsc, pki):
    v = VirtualChip(build_files(C, pki), C.bac_key(), Faults(remove_after_apdus=25))
    link = VpcdLink(v)
    link.insert()
    try:
        with pytest.raises(CardRemovedError) as err:
            read_once(pcsc, pki)
        assert err.value.retryable and link.pulled.is_set()
        wait_absent(pcsc)
        link.insert()  # the patient lays the card down again (each fault fires once)
        out = read_once(pcsc, pki)
        assert out.pa.ok
    finally:
        link.remove()
    wait_absent(pcsc)


def test_insert_and_remove_events_and_timeout(pcsc, pki):
    events, stop = [], threading.Event()
    watcher = threading.Thread(target=pcsc.events, args=(READER, stop, events.append))
    watcher.start()
    try:
        time.sleep(0.5)
        link = VpcdLink(VirtualChip(build_files(C, pki), C.bac_key()))
        link.insert()
        deadline = time.monotonic() + 10
        while not any(e.kind == "inserted" for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        link.remove()
        while not any(e.kind == "removed" for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        watcher.join(5)
    assert [e.kind for e in events][:2] == ["inserted", "removed"] and events[0].reader == READER
    with pytest.raises(CardTimeoutError):
        pcsc.wait_for_card(READER, timeout=0.5)


def test_forged_chip_over_pcsc_and_t0_style_answers(pcsc, pki):
    v = VirtualChip(build_files(C, pki, forgery=Forgery.UNTRUSTED_SIGNER), C.bac_key(), Faults(t0_style=True))
    with VpcdLink(v):
        out = read_once(pcsc, pki)
    assert not out.pa.ok and out.pa.failed is PaCheck.DS_CHAIN
    wait_absent(pcsc)


def test_reader_gone_mid_read_then_service_recovers(daemon, pcsc, pki):
    """pcscd (and with it the reader) disappears mid-read: a typed, retryable error; once the
    daemon is back the same service re-establishes its context and the read succeeds."""
    if not daemon.started:
        pytest.skip("pcscd was already running (not ours to stop)")

    class Unplugging(VirtualChip):
        def process(self, raw):
            if self.count == 19 and self.power_ons == 1:
                threading.Thread(target=daemon.stop).start()
                time.sleep(0.3)
            return super().process(raw)

    link = VpcdLink(Unplugging(build_files(C, pki), C.bac_key()))
    link.insert()
    try:
        with pytest.raises(ReaderGoneError) as err:
            read_once(pcsc, pki)
        assert err.value.retryable
        daemon.start()
        link.remove()
        link.insert()
        assert read_once(pcsc, pki).pa.ok
    finally:
        link.remove()
