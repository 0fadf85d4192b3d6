"""The Announcer: one thread, one queue, so two calls never overlap; volume and quiet hours.

`play` is how audio leaves the machine (aplay by default); tests pass a function that collects
the WAV bytes instead.
"""
from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, time
from typing import Callable

from kiosk.core.clock import VN_TZ, Clock, SystemClock
from kiosk.calling.voice import wav
from kiosk.calling.voice.engines import VoiceEngine

log = logging.getLogger(__name__)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """'21:00-06:00' -> (21:00, 06:00); '' -> None. Raises ValueError with the fix."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        a, b = text.split("-")
        return time.fromisoformat(a.strip()), time.fromisoformat(b.strip())
    except ValueError:
        raise ValueError(f"voice_quiet_hours {text!r}: write HH:MM-HH:MM, e.g. 21:00-06:00") from None


def is_quiet(moment: datetime, hours: tuple[time, time] | None) -> bool:
    if hours is None:
        return False
    t = moment.astimezone(VN_TZ).time()
    start, end = hours
    return start <= t < end if start <= end else (t >= start or t < end)


def aplay(data: bytes) -> None:
    exe = shutil.which("aplay")
    if exe is None:
        log.warning("no aplay: announcement not played")
        return
    subprocess.run([exe, "-q", "-"], input=data, timeout=60, check=False, capture_output=True)


@dataclass
class Announcement:
    number: str
    place: str
    counter: bool = False


class Announcer:
    def __init__(self, engine: VoiceEngine, *, volume: int = 80, quiet_hours: str = "",
                 play: Callable[[bytes], None] = aplay, clock: Clock | None = None):
        self.engine, self.volume, self.play = engine, volume, play
        self.quiet = parse_quiet_hours(quiet_hours)
        self.clock = clock or SystemClock()
        self._q: queue.Queue[Announcement | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()
        self.spoken = 0
        self.skipped = 0
        self.history: deque[tuple[str, tuple[str, ...]]] = deque(maxlen=50)   # (number, clips) spoken

    def announce(self, number: str, place: str, *, counter: bool = False) -> None:
        self._q.put(Announcement(number, place, counter))

    def _run(self) -> None:
        while True:
            item = self._q.get()
            try:
                if item is None:
                    return
                if is_quiet(self.clock.now(), self.quiet):
                    self.skipped += 1
                    continue
                r = self.engine.render(item.number, item.place, counter=item.counter)
                self.play(wav.write(wav.scale(r.pcm, self.volume)))     # blocks: the next waits
                self.history.append((item.number, r.segments))
                self.spoken += 1
            except Exception as exc:   # a broken clip must not stop later announcements
                log.error("announcement failed: %s", exc)
            finally:
                self._q.task_done()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """For tests and the demo: until everything queued was spoken."""
        import time as _t
        end = _t.monotonic() + timeout
        while self._q.unfinished_tasks and _t.monotonic() < end:
            _t.sleep(0.01)

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=5)
