"""Camera QR scanner: OpenCV capture (device index, video file, URL, or a directory of images) on
its own thread, decoded by the QR pipeline; a code seen in consecutive frames is reported once."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from drivers.scanner.base import DeviceGone, Sink, ThreadedScanner
from drivers.scanner.decoders import QrPipeline
from drivers.scanner.dedupe import Deduper

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm"}


class ImageDirCapture:
    """`cv2.VideoCapture`-like reader over the images of a directory, in name order."""

    def __init__(self, path: str | Path):
        self._files = sorted(p for p in Path(path).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        self._i = 0

    def isOpened(self) -> bool:  # noqa: N802 - mirrors OpenCV
        return True

    def read(self):
        while self._i < len(self._files):
            img = cv2.imread(str(self._files[self._i]), cv2.IMREAD_UNCHANGED)
            self._i += 1
            if img is not None:
                return True, img
        return False, None

    def release(self) -> None:
        self._i = len(self._files)


def open_capture(target: int | str, width: int = 1280, height: int = 720):
    """(capture, finite): a camera index, a video file/URL, or a directory of images."""
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        cap = cv2.VideoCapture(int(target))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)       # the newest frame, not a backlog
        return cap, False
    if Path(target).is_dir():
        return ImageDirCapture(target), True
    is_url = "://" in target
    return cv2.VideoCapture(target), not is_url


class CameraScanner(ThreadedScanner):
    """Reads frames, decodes them, emits each code once per `hold_off` window.

    `preview(frame)` (optional) receives at most `preview_fps` frames a second, from this thread:
    the UI must hand them over to its own thread (a Qt signal), never paint here.
    """

    def __init__(self, target: int | str, decoder: str = "zxing", sink: Sink | None = None,
                 source: str | None = None, roi=None, hold_off: float = 2.0, retries: int = 1,
                 preview: Callable[[np.ndarray], None] | None = None, preview_fps: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, **kw):
        super().__init__(source or f"camera:{target}", sink, **kw)
        self.target = target
        self.decoder_name = decoder
        # Live video: one retry per missed frame, in turn, so consecutive frames try them all
        # while each frame stays cheap. Stills (retries > 1): every retry on every image.
        self.pipeline = QrPipeline(decoder, preprocess=True, roi=roi, retries=retries,
                                   rotate_retries=retries == 1)
        self.dedupe = Deduper(hold_off, clock)
        self._preview = preview
        self._preview_every = 1.0 / preview_fps if preview_fps > 0 else None
        self._clock = clock
        self.frames = 0
        self._cap = None

    def _session(self, stop: threading.Event) -> None:
        cap, finite = open_capture(self.target)
        if cap is None or not cap.isOpened():
            raise DeviceGone(f"{self.source}: cannot open")
        self._cap = cap
        last_preview = -1e9
        try:
            self._connected()
            while not stop.is_set():
                ok, frame = cap.read()
                if not ok or frame is None:
                    if finite:
                        self.finished.set()
                        return
                    raise DeviceGone(f"{self.source}: no frame (camera lost)")
                self.frames += 1
                for d in self.pipeline.decode(frame):
                    if self.dedupe.accept(d.data):
                        self._emit(d.data, d.decoder)
                now = self._clock()
                if self._preview and self._preview_every is not None \
                        and now - last_preview >= self._preview_every:
                    last_preview = now
                    self._preview(frame)
        finally:
            self._cap = None
            cap.release()
