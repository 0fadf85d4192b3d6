"""The demo printer: writes each ticket as a PNG (and optionally a PDF) under a directory, with
fault injection (paper out, cover open, offline) like OctoPrint's virtual printer."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from drivers.printer import render
from drivers.printer.layout import CoverOpen, PaperOut, PrinterError, PrinterOffline, TicketLayout

FAULTS = {"paper_out": PaperOut, "cover_open": CoverOpen, "offline": PrinterOffline, "error": PrinterError}


class SimPrinter:
    def __init__(self, out_dir: Path, *, pdf: bool = False, width: int = render.WIDTH):
        self.out_dir = Path(out_dir)
        self.pdf = pdf
        self.width = width
        self._lock = threading.Lock()
        self._fault: str | None = None       # stays until cleared (paper out stays out)
        self._once: list[str] = []           # faults for the next tickets only
        self.printed: list[Path] = []

    def set_fault(self, kind: str | None) -> None:
        """A lasting fault ('paper_out', 'cover_open', 'offline', 'error'), or None to repair."""
        if kind is not None and kind not in FAULTS:
            raise ValueError(f"unknown printer fault {kind!r}; one of {sorted(FAULTS)}")
        with self._lock:
            self._fault = kind

    def fail_next(self, kind: str, times: int = 1) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown printer fault {kind!r}; one of {sorted(FAULTS)}")
        with self._lock:
            self._once.extend([kind] * times)

    @property
    def fault(self) -> str | None:
        return self._fault

    def print_ticket(self, t: TicketLayout) -> Path:
        with self._lock:
            kind = self._once.pop(0) if self._once else self._fault
            if kind is not None:
                raise FAULTS[kind]("simulated")
            self.out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)     # tickets are personal: 0700
            os.chmod(self.out_dir, 0o700)
            stem = re.sub(r"[^0-9A-Za-z_.-]", "_", t.name or t.number) or "ticket"
            path = self.out_dir / f"{stem}.png"
            n = 1
            while path.exists():             # a reprint keeps the earlier picture
                n += 1
                path = self.out_dir / f"{stem}-{n}.png"
            render.save_png(t, path, self.width)
            if self.pdf:
                render.save_pdf(t, path.with_suffix(".pdf"), self.width)
            self.printed.append(path)
            return path
