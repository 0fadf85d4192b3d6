"""16-bit mono PCM WAV helpers: read, write, join, scale, resample, chime, and loudness figures."""
from __future__ import annotations

import array
import io
import math
import wave
from dataclasses import dataclass

RATE = 22050


@dataclass(frozen=True)
class Pcm:
    samples: array.array        # signed 16-bit
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def read(data: bytes) -> Pcm:
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError("clips must be 16-bit PCM WAV")
        frames = w.readframes(w.getnframes())
        channels, rate = w.getnchannels(), w.getframerate()
    samples = array.array("h", frames)
    if channels > 1:
        samples = array.array("h", samples[::channels])
    return resample(Pcm(samples, rate), RATE)


def write(pcm: Pcm) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(pcm.rate)
        w.writeframes(pcm.samples.tobytes())
    return out.getvalue()


def resample(pcm: Pcm, rate: int) -> Pcm:
    if pcm.rate == rate:
        return pcm
    n = int(len(pcm.samples) * rate / pcm.rate)
    step = pcm.rate / rate
    src = pcm.samples
    return Pcm(array.array("h", (src[min(len(src) - 1, int(i * step))] for i in range(n))), rate)


def silence(seconds: float) -> Pcm:
    return Pcm(array.array("h", bytes(2 * int(seconds * RATE))))


def join(parts: list[Pcm], gap: float = 0.05) -> Pcm:
    out = array.array("h")
    pause = silence(gap).samples
    for i, p in enumerate(parts):
        if i:
            out.extend(pause)
        out.extend(p.samples)
    return Pcm(out)


def scale(pcm: Pcm, volume_percent: int) -> Pcm:
    f = max(0, min(100, volume_percent)) / 100.0
    return Pcm(array.array("h", (int(max(-32768, min(32767, s * f))) for s in pcm.samples)), pcm.rate)


def chime() -> Pcm:
    """Two soft bell tones (E5 then C5), 0.9 s, with a decaying envelope."""
    out = array.array("h")
    for freq, dur in ((659.25, 0.45), (523.25, 0.45)):
        n = int(dur * RATE)
        for i in range(n):
            t = i / RATE
            env = math.exp(-4.0 * t) * min(1.0, i / 200)
            out.append(int(12000 * env * (math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t))))
    return Pcm(out)


def rms(pcm: Pcm) -> float:
    if not pcm.samples:
        return 0.0
    return math.sqrt(sum(s * s for s in pcm.samples) / len(pcm.samples))


def trim(pcm: Pcm, threshold: int = 300) -> Pcm:
    """Cut leading and trailing near-silence (espeak-ng pads its clips)."""
    s = pcm.samples
    lo = next((i for i, v in enumerate(s) if abs(v) > threshold), len(s))
    hi = next((i for i in range(len(s) - 1, -1, -1) if abs(s[i]) > threshold), -1)
    if hi < lo:
        return Pcm(array.array("h"), pcm.rate)
    return Pcm(s[max(0, lo - 200):min(len(s), hi + 200)], pcm.rate)
