"""QR decoders behind one call, and the camera's decode pipeline (grayscale, ROI, retry on a miss).

`zxing` (zxing-cpp, restricted to QR codes) is the default: fastest and the best decode rate on
our distorted sets (see tests/bench/bench_scanner_decode.py); `pyzbar` and `opencv` are selectable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import cv2
import numpy as np

DECODERS = ("zxing", "pyzbar", "opencv")


@dataclass(frozen=True)
class Decoded:
    data: bytes
    decoder: str
    center: tuple[float, float] | None = None    # in the coordinates of the image given


class Decoder(Protocol):
    name: str

    def decode(self, image: np.ndarray) -> list[Decoded]: ...


class ZxingDecoder:
    name = "zxing"

    def __init__(self, try_rotate: bool = False, try_downscale: bool = True,
                 try_invert: bool = False, binarizer: str = "LocalAverage"):
        import zxingcpp
        self._read = zxingcpp.read_barcodes
        self._opts = dict(formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=try_rotate,
                          try_downscale=try_downscale, try_invert=try_invert,
                          binarizer=getattr(zxingcpp.Binarizer, binarizer), return_errors=True)
        self.last_candidates: list[tuple[int, int, int, int]] = []
        self._binarizer = binarizer

    def alternate(self) -> "ZxingDecoder":
        """The same reader with a global-histogram binarizer: better on screen moiré and glare
        once the frame is cropped to the code (used for retries)."""
        twin = ZxingDecoder.__new__(ZxingDecoder)
        twin._read = self._read
        twin._opts = dict(self._opts, binarizer=type(self._opts["binarizer"]).GlobalHistogram)
        twin.last_candidates = []
        return twin

    def decode(self, image: np.ndarray) -> list[Decoded]:
        out, self.last_candidates = [], []
        for r in self._read(image, **self._opts):
            p = r.position
            xs = (p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x)
            ys = (p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y)
            if r.valid:
                out.append(Decoded(bytes(r.bytes), self.name, (sum(xs) / 4, sum(ys) / 4)))
            else:   # found but not read: where a closer look (crop, upscale) may succeed
                self.last_candidates.append((min(xs), min(ys), max(xs), max(ys)))
        return out


class PyzbarDecoder:
    name = "pyzbar"

    def __init__(self):
        from pyzbar import pyzbar
        self._decode = pyzbar.decode
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, image: np.ndarray) -> list[Decoded]:
        out = []
        for r in self._decode(image, symbols=self._symbols):
            rect = r.rect
            out.append(Decoded(bytes(r.data), self.name,
                               (rect.left + rect.width / 2, rect.top + rect.height / 2)))
        return out


class OpenCvDecoder:
    name = "opencv"

    def __init__(self):
        self._det = cv2.QRCodeDetector()

    def decode(self, image: np.ndarray) -> list[Decoded]:
        text, points, _ = self._det.detectAndDecode(image)
        if not text:
            return []
        center = None if points is None else tuple(np.asarray(points).reshape(-1, 2).mean(axis=0))
        # OpenCV hands back the payload as str; its bytes were UTF-8 for our codes.
        return [Decoded(text.encode("utf-8", errors="surrogateescape"), self.name, center)]


def make_decoder(name: str = "zxing", **opts) -> Decoder:
    try:
        return {"zxing": ZxingDecoder, "pyzbar": PyzbarDecoder, "opencv": OpenCvDecoder}[name](**opts)
    except KeyError:
        raise ValueError(f"unknown decoder {name!r}; one of {', '.join(DECODERS)}") from None


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    return frame


_CLAHE = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))


def _clahe(g: np.ndarray) -> np.ndarray:
    return _CLAHE.apply(g)


def _sharpen(g: np.ndarray) -> np.ndarray:
    soft = cv2.GaussianBlur(g, (0, 0), 2.0)
    return cv2.addWeighted(g, 2.0, soft, -1.0, 0)


def _upscale(g: np.ndarray) -> np.ndarray:
    return cv2.resize(g, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)


def _median(g: np.ndarray) -> np.ndarray:
    return cv2.medianBlur(g, 3)


def _same(g: np.ndarray) -> np.ndarray:
    return g


# Tried in order on a miss, on the busiest region; each undoes one way frames go wrong.
# The flag: use the decoder's alternate (for zxing: global-histogram binarizer) if it has one.
RETRIES: tuple[tuple[str, Callable[[np.ndarray], np.ndarray], bool], ...] = (
    ("crop", _same, True),         # screen moiré, glare: a global threshold over the crop
    ("sharpen", _sharpen, False),  # focus and motion blur
    ("clahe", _clahe, True),       # low contrast, glare
    ("median", _median, True),     # moiré and sensor noise
    ("upscale", _upscale, False),  # modules of about 2 px that were not even located
)


def busy_region(gray: np.ndarray, scale: int = 4, keep: float = 0.45
                ) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the densest edge texture, with a margin; None if flat."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // scale), max(1, h // scale)), interpolation=cv2.INTER_AREA)
    edges = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    energy = cv2.blur(edges.astype(np.float32), (7, 7))
    _, peak, _, (px, py) = cv2.minMaxLoc(energy)
    if peak < 8:
        return None
    mask = (energy >= keep * peak).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, bw, bh, _ = stats[labels[py, px]]
    m = max(bw, bh) // 3 + 2
    x0, y0 = max(0, (x - m) * scale), max(0, (y - m) * scale)
    x1, y1 = min(w, (x + bw + m) * scale), min(h, (y + bh + m) * scale)
    if (x1 - x0) * (y1 - y0) > 0.6 * w * h:
        return None                      # no clear hot spot: retry on the whole frame
    return x0, y0, x1, y1


class QrPipeline:
    """Decode one frame: grayscale, crop to the ROI, decode; on a miss, retry with preprocessing.

    `roi` is (x, y, w, h) as fractions of the frame. `retries` caps how many RETRIES steps one
    frame may use (a live camera can spread them over frames: `rotate_retries=True` tries one per
    missed frame, in turn). With `preprocess=False` the decoder gets the frame as captured.
    """

    def __init__(self, decoder: Decoder | str = "zxing", preprocess: bool = True,
                 roi: tuple[float, float, float, float] | None = None, retries: int = len(RETRIES),
                 rotate_retries: bool = False):
        self.decoder = make_decoder(decoder) if isinstance(decoder, str) else decoder
        alt = getattr(self.decoder, "alternate", None)
        self._alt = alt() if alt else self.decoder
        self.preprocess = preprocess
        self.roi = roi
        self.retries = retries
        self.rotate_retries = rotate_retries
        self._next_retry = 0
        self.last_method: str | None = None

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        if not self.preprocess:
            self.last_method = "raw"
            return self.decoder.decode(frame)
        gray = to_gray(frame)
        ox = oy = 0
        if self.roi:
            h, w = gray.shape
            x0, y0 = int(self.roi[0] * w), int(self.roi[1] * h)
            gray = gray[y0: y0 + int(self.roi[3] * h), x0: x0 + int(self.roi[2] * w)]
            ox, oy = x0, y0
        found = self.decoder.decode(gray)
        self.last_method = "gray"
        if not found and self.retries:
            found = self._closer_look(gray)
        if not found and self.retries:
            # Retries work on the busiest region only: a QR is the densest texture in a lobby
            # frame, and a crop makes each retry several times cheaper than the whole frame.
            box = busy_region(gray)
            bx0, by0 = (box[0], box[1]) if box else (0, 0)
            area = gray[box[1]: box[3], box[0]: box[2]] if box else gray
            for name, fn, use_alt in self._steps():
                found = (self._alt if use_alt else self.decoder).decode(fn(area))
                if found:
                    self.last_method = name
                    k = 2.0 if name == "upscale" else 1.0
                    found = [Decoded(d.data, d.decoder, d.center and (bx0 + d.center[0] / k, by0 + d.center[1] / k))
                             for d in found]
                    break
        if ox or oy:
            found = [Decoded(d.data, d.decoder, d.center and (d.center[0] + ox, d.center[1] + oy))
                     for d in found]
        return found

    def _closer_look(self, gray: np.ndarray) -> list[Decoded]:
        """A code was located but not read (modules of ~2 px, mostly): crop, upscale, retry."""
        for x0, y0, x1, y1 in getattr(self.decoder, "last_candidates", ())[:2]:
            m = int(0.25 * max(x1 - x0, y1 - y0)) + 8
            h, w = gray.shape
            cx0, cy0 = max(0, x0 - m), max(0, y0 - m)
            crop = gray[cy0: min(h, y1 + m), cx0: min(w, x1 + m)]
            if crop.size == 0:
                continue
            for name, fn in (("upscale", _upscale), ("upscale+sharpen", lambda g: _sharpen(_upscale(g)))):
                found = self.decoder.decode(fn(crop))
                if found:
                    self.last_method = name
                    return [Decoded(d.data, d.decoder, d.center and (cx0 + d.center[0] / 2, cy0 + d.center[1] / 2))
                            for d in found]
        return []

    def _steps(self):
        if not self.rotate_retries:
            return RETRIES[: self.retries]
        i = self._next_retry
        self._next_retry = (i + 1) % len(RETRIES)
        return (RETRIES[i],)
