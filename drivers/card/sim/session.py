"""One virtual card on a vpcd reader, ready for the demo: pcscd if needed, the chip, re-insertion.

    with VirtualCardSession(citizen, forgery=None) as s:   # s.info: what a reader needs
        ...                                                # the card lies on 'Virtual PCD 00 00'
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from drivers.card.sim.chip import Faults, VirtualChip
from drivers.card.sim.citizen import Citizen, Forgery, build_files
from drivers.card.sim.pcscd import Pcscd
from drivers.card.sim.pki import TestPki, load_pki
from drivers.card.sim.vpcd import DEFAULT_PORT, VpcdLink


class VirtualCardSession:
    def __init__(self, citizen: Citizen, *, forgery: Forgery | None = None, port: int = DEFAULT_PORT,
                 pki_dir: Path | None = None, start_pcscd: bool = True, pace: bool = True,
                 pace_only: bool = False,
                 faults: Faults | None = None, reinsert_after: float = 1.0):
        self.citizen = citizen
        self.pki: TestPki = load_pki(pki_dir)
        self.chip = VirtualChip(build_files(citizen, self.pki, forgery=forgery, pace=pace or pace_only),
                                citizen.bac_key(), faults, can=citizen.can, pace_only=pace_only)
        self.pace, self.pace_only = pace or pace_only, pace_only
        self.link = VpcdLink(self.chip, port=port)
        self.port, self.forgery = port, forgery
        self._daemon = Pcscd() if start_pcscd else None
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        self._reinsert_after = reinsert_after

    @property
    def reader_name(self) -> str:
        return f"Virtual PCD 00 {self.port - DEFAULT_PORT:02d}"

    @property
    def info(self) -> dict:
        key = self.citizen.bac_key()
        c = self.citizen
        return {"document_number": key.document_number, "birth_date": c.birth_date.isoformat(),
                "expiry_date": c.expiry_date.isoformat() if c.expiry_date else None, "cccd": c.cccd,
                "forged": self.forgery.value if self.forgery else None, "csca_dir": str(self.pki.csca_dir),
                "port": self.port, "reader": self.reader_name,
                "can": c.can, "pace": self.pace, "pace_only": self.pace_only}

    def start(self, timeout: float = 10.0) -> "VirtualCardSession":
        if self._daemon is not None:
            self._daemon.start()   # raises PcscdError with the reason
        self.link.insert(timeout=timeout)
        self._keeper = threading.Thread(target=self._keep, name="virtual-card", daemon=True)
        self._keeper.start()
        return self

    def _keep(self) -> None:
        """A card pulled by a fault (or dropped by a vpcd restart) is laid down again."""
        while not self._stop.wait(0.2):
            if not self.link.connected.is_set():
                if self._stop.wait(self._reinsert_after):
                    return
                try:
                    self.link.insert(timeout=30)
                except OSError:
                    time.sleep(1.0)

    def stop(self) -> None:
        self._stop.set()
        if self._keeper is not None:
            self._keeper.join(timeout=5)
        self.link.remove()
        if self._daemon is not None:
            self._daemon.stop()

    def __enter__(self) -> "VirtualCardSession":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
