"""Optional spoken prompts through espeak-ng (or espeak) run as a QProcess; off when none is installed."""
from __future__ import annotations

import logging
import shutil

from kiosk.ui.qt import QObject, QProcess

log = logging.getLogger(__name__)

VOICES = {"vi": "vi", "en": "en"}


def find_engine() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


class Speaker(QObject):
    """Says one prompt at a time; a new prompt cuts the previous one. Never blocks the UI."""

    def __init__(self, enabled: bool, parent: QObject | None = None, engine: str | None = None):
        super().__init__(parent)
        self._engine = engine or (find_engine() if enabled else None)
        self._enabled = bool(enabled and self._engine)
        self._proc: QProcess | None = None
        self.spoken: list[tuple[str, str]] = []   # (language, text) — for tests and the demo log
        if enabled and not self._engine:
            log.info("speech requested but no espeak-ng/espeak found: spoken prompts off")

    @property
    def available(self) -> bool:
        return self._engine is not None

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        self._enabled = bool(on and self._engine)
        if not self._enabled:
            self.stop()

    def say(self, text: str, language: str) -> None:
        if not self._enabled or not text:
            return
        self.stop()
        self.spoken.append((language, text))
        proc = QProcess(self)
        assert self._engine is not None  # enabled only with an engine
        proc.setProgram(self._engine)
        proc.setArguments(["-v", VOICES.get(language, "vi"), "-s", "150", text])
        proc.finished.connect(proc.deleteLater)
        proc.start()
        self._proc = proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.state() != QProcess.ProcessState.NotRunning:
                    proc.kill()
            except RuntimeError:  # already deleted by Qt
                pass
