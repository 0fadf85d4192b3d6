"""The demo's chip card: a demo citizen's virtual CCCD laid on a real pcscd + vpcd reader, read by
the real ICAO reader (BAC, secure messaging, passive authentication against the test CSCA), with
each step and the result posted to the check-in machine as the card stack would.

DEMO ONLY for the BAC key: the demo knows whose card it lays down, so it derives the key from that
citizen's number and birth date. A real kiosk has no such source for a chip-only read (it needs
the card's QR, or PACE with the CAN); that design question is open — see the report.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from kiosk.core import checkin as c

log = logging.getLogger(__name__)

PORT = 35964                      # vpcd's second reader ("Virtual PCD 00 01"): tests use the first
STEPS = ("bac", "EF.COM", "DG1", "DG13", "DG2", "SOD", "passive-auth", "done")   # as the reader reports them
FORGED = "forged"                 # the panel's forged card: a demo citizen with an altered DG13


class DemoChip:
    def __init__(self, service: Any, rule: str = "last9", port: int = PORT, *, direct: bool = False):
        """`direct`: the virtual chip answers in-process (no pcscd), for tests; else pcscd + vpcd."""
        from kiosk.commands.card_cmd import chip_people
        self.service = service
        self.rule = rule
        self.port = port
        self.direct = direct
        self.people = {p.key: p for p in chip_people()}
        self._lock = threading.Lock()
        self._session = None
        self.reads: list[str] = []            # outcome per presentation (tests, the demo log)

    @classmethod
    def probe(cls):
        """Start pcscd if needed and return it; raise (with the reason) when pcscd + vpcd cannot be
        used on this machine. The caller stops it at exit (a daemon we did not start is left alone)."""
        from drivers.card.sim.pcscd import Pcscd
        return Pcscd().start()

    def keys(self) -> list[str]:
        return [*self.people, FORGED]

    def present(self, key: str) -> None:
        """Lay the card down (returns at once; the read runs on its own thread)."""
        threading.Thread(target=self._present, args=(key,), name="demo-chip", daemon=True).start()

    def close(self) -> None:
        """Lift the card and stop the pcscd this demo started (if it started one)."""
        self.remove()
        daemon = getattr(self, "daemon", None)
        if daemon is not None:
            daemon.stop()

    def remove(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.stop()

    # ------------------------------------------------------------ on the chip thread

    def _present(self, key: str) -> None:
        from drivers.card.errors import CardError, CardRemovedError
        from drivers.card.sim.citizen import Forgery
        from drivers.card.sim.session import VirtualCardSession
        from kiosk.commands.card_cmd import citizen_of
        self.remove()
        forged = key == FORGED
        person = next(iter(self.people.values())) if forged else self.people[key]
        forgery = Forgery.DG13_ALTERED if forged else None
        if self.direct:
            session = _DirectSession(citizen_of(person, self.rule), forgery)
        else:
            session = VirtualCardSession(citizen_of(person, self.rule), port=self.port, forgery=forgery)
        try:
            session.start()
        except Exception as exc:  # pcscd gone, port busy: the reader never saw a card
            log.warning("demo chip could not be laid down: %s", exc)
            self.reads.append("no-card")
            return
        with self._lock:
            self._session = session
        self.service.post(c.ChipPresented())
        try:
            chip = self._read(person, session)
        except CardRemovedError:
            self.reads.append("removed")
            self.service.post(c.ChipRemoved())
            return
        except CardError as exc:
            log.warning("demo chip read failed: %s", exc.code)
            self.reads.append("failed")
            self.service.post(c.ChipReadFailed(rejected=False))
            return
        self.reads.append("read")
        self.service.post(c.ChipReadDone(chip))     # the resolver checks passive authentication

    def _read(self, person, session):
        from drivers.card.icao.csca import load_store
        from drivers.card.icao.reader import IcaoReader
        from drivers.card.transport import PcscService
        from kiosk.identity.bac import bac_candidates
        from kiosk.identity.chip import driver_keys
        keys = driver_keys(bac_candidates(person.identity, self.rule))
        store = load_store(session.pki.csca_dir)
        seen: list[str] = []

        def progress(p) -> None:
            if p.step in seen:
                return
            seen.append(p.step)
            index = STEPS.index(p.step) if p.step in STEPS else len(seen) - 1
            self.service.post(c.ChipProgress(p.step, index, len(STEPS)))

        if self.direct:
            return IcaoReader(session.transport, progress=progress).read(keys, csca=store)
        pcsc = PcscService()
        try:
            reader = pcsc.wait_for_card(session.reader_name, timeout=10)
            card = pcsc.connect(reader)
            try:
                return card.run(lambda t: IcaoReader(t, progress=progress).read(keys, csca=store))
            finally:
                try:
                    card.disconnect()
                except Exception:
                    pass
        finally:
            pcsc.close()


class _DirectSession:
    """The same virtual card without pcscd: `transport` talks to the chip in-process."""

    def __init__(self, citizen, forgery):
        from drivers.card.sim.chip import DirectTransport, VirtualChip
        from drivers.card.sim.citizen import build_files
        from drivers.card.sim.pki import load_pki
        self.pki = load_pki()
        self.transport = DirectTransport(VirtualChip(build_files(citizen, self.pki, forgery=forgery),
                                                     citizen.bac_key()))

    def start(self) -> "_DirectSession":
        return self

    def stop(self) -> None:
        self.transport.present = False


def start_demo_chip(kiosk) -> DemoChip:
    daemon = DemoChip.probe()
    chip = DemoChip(kiosk.parts.service, kiosk.cfg.cccd_docnum_rule)
    chip.daemon = daemon
    return chip
