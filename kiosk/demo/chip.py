"""The demo's chip card: a demo citizen's virtual CCCD laid on a vpcd reader behind a real pcscd —
the reader the production `ChipWatcher` watches. The demo has no chip pipeline of its own: the
watcher announces the card, the check-in machine asks for the card's QR (the BAC key), the demo
plays the patient and scans the QR on the card's front, and the watcher reads the chip (BAC, secure
messaging, passive authentication against the demo's test CSCA) as it would in a real kiosk.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from kiosk.core import checkin as c
from kiosk.core.views import ReadSource

log = logging.getLogger(__name__)

PORT = 35964                      # vpcd's second reader ("Virtual PCD 00 01"): tests use the first
READER = "Virtual PCD 00 01"
FORGED = "forged"                 # the panel's forged card: a demo citizen with an altered DG13


class DemoCard:
    """Lays (and lifts) the demo citizens' virtual cards on the watched reader."""

    def __init__(self, watcher: Any, service: Any, scan: Callable[[bytes], None] | None, *,
                 rule: str = "last9", port: int = PORT, ask_timeout: float = 5.0):
        """`scan(payload)`: the demo's QR scanner, used to show the card's front QR when the kiosk
        asks for it (None: the person at the screen scans it)."""
        from kiosk.demo.people import chip_people
        self.watcher, self.service, self.scan = watcher, service, scan
        self.rule, self.port, self.ask_timeout = rule, port, ask_timeout
        self.people = {p.key: p for p in chip_people()}
        self._lock = threading.Lock()
        self._session: Any = None            # the VirtualCardSession lying on the reader
        self.daemon: Any = None               # the pcscd this demo started, stopped by close()

    def keys(self) -> list[str]:
        return [*self.people, FORGED]

    def present(self, key: str) -> None:
        """Lay the card down (returns at once; laying and the patient's QR run on their own thread)."""
        threading.Thread(target=self._present, args=(key,), name="demo-card", daemon=True).start()

    def remove(self) -> None:
        """Lift the card, and wait until the watcher saw the reader empty (a swap is two layings)."""
        with self._lock:
            session, self._session = self._session, None
        if session is None:
            return
        session.stop()
        end = time.monotonic() + 3.0
        while self.watcher.has_card() and time.monotonic() < end:
            time.sleep(0.05)

    def close(self) -> None:
        """Lift the card, stop the watcher and the pcscd this demo started (if it started one)."""
        self.remove()
        self.watcher.stop()
        if self.daemon is not None:
            self.daemon.stop()

    def _present(self, key: str) -> None:
        from drivers.card.sim.citizen import Forgery
        from drivers.card.sim.session import VirtualCardSession
        from kiosk.demo.people import citizen_of
        self.remove()
        forged = key == FORGED
        person = next(iter(self.people.values())) if forged else self.people[key]
        session = VirtualCardSession(citizen_of(person, self.rule), port=self.port,
                                     forgery=Forgery.DG13_ALTERED if forged else None)
        try:
            session.start()
        except Exception as exc:  # pcscd gone, port busy: the reader never saw a card
            log.warning("demo chip could not be laid down: %s", exc)
            return
        with self._lock:
            self._session = session
        if self.scan is not None and person.cccd_qr:
            self._show_qr_when_asked(self.scan, person.cccd_qr.encode("utf-8"))

    def _show_qr_when_asked(self, scan: Callable[[bytes], None], payload: bytes) -> None:
        """The patient's part: when the screen asks for the card's QR, scan the card's front."""
        end = time.monotonic() + self.ask_timeout
        while time.monotonic() < end:
            state = self.service.state
            if isinstance(state, c.Reading) and state.source is ReadSource.CHIP and state.needs_qr:
                scan(payload)
                return
            time.sleep(0.05)
        log.info("demo chip: the kiosk did not ask for the card's QR")


def start_demo_chip(kiosk) -> DemoCard:
    """pcscd (started if needed) + the production ChipWatcher on the demo's vpcd reader, trusting
    the demo's test CSCA, attached to the kiosk's check-in service. Raises with the reason when
    pcscd + vpcd cannot be used on this machine."""
    from drivers.card.sim.pcscd import Pcscd
    from drivers.card.sim.pki import load_pki
    from kiosk.devices.chip_watch import ChipWatcher
    daemon = Pcscd().start()
    try:
        cfg = kiosk.cfg.replace(card_reader=READER, csca_dir=str(load_pki().csca_dir))
        service = kiosk.parts.service
        watcher = ChipWatcher.from_config(cfg, service).start()
        service.attach_chip(watcher)
        kiosk.parts.chip = watcher
    except BaseException:
        daemon.stop()
        raise
    sim = kiosk.parts.sim_scanner
    card = DemoCard(watcher, service, sim.inject if sim is not None else None, rule=cfg.cccd_docnum_rule)
    card.daemon = daemon
    return card
