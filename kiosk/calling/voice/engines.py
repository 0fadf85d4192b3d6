"""Two engines behind one interface: recorded clips (with espeak-ng for a clip that is missing)
and espeak-ng's Vietnamese voice for the whole sentence. Neither touches the network."""
from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kiosk.core.queue.announce import clip_text, segments, spoken_text
from kiosk.calling.voice import wav

log = logging.getLogger(__name__)
ESPEAK_VOICE = "vi"
ESPEAK_SPEED = 140


class VoiceError(Exception):
    """No way to speak: the message says what is missing."""


@dataclass(frozen=True)
class Rendering:
    pcm: wav.Pcm
    segments: tuple[str, ...]     # what was spoken, in order ("chime", "invite", "letter_a", ...)
    engine: str

    def wav_bytes(self) -> bytes:
        return wav.write(self.pcm)


class VoiceEngine(Protocol):
    name: str
    def render(self, number: str, place: str, *, counter: bool = False) -> Rendering: ...


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_wav(text: str, speed: int = ESPEAK_SPEED) -> wav.Pcm:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise VoiceError("espeak-ng is not installed (apt-get install espeak-ng)")
    out = subprocess.run([exe, "-v", ESPEAK_VOICE, "-s", str(speed), "--stdout", text],
                         capture_output=True, timeout=30, check=False)
    if out.returncode != 0 or not out.stdout:
        raise VoiceError(f"espeak-ng failed ({out.returncode}): {out.stderr.decode(errors='replace')[:200]}")
    return wav.read(_fix_stream_header(out.stdout))


def _fix_stream_header(data: bytes) -> bytes:
    """espeak-ng --stdout writes 0xFFFFFFFF sizes (a stream); put the real ones in."""
    if data[:4] != b"RIFF":
        return data
    fixed = bytearray(data)
    fixed[4:8] = (len(data) - 8).to_bytes(4, "little")
    idx = data.find(b"data", 12)
    if idx > 0:
        fixed[idx + 4:idx + 8] = (len(data) - idx - 8).to_bytes(4, "little")
    return bytes(fixed)


class EspeakEngine:
    name = "espeak"

    def render(self, number: str, place: str, *, counter: bool = False) -> Rendering:
        voice = wav.trim(espeak_wav(spoken_text(number, place, counter=counter)))
        segs = segments(number, place, counter=counter)
        return Rendering(wav.join([wav.chime(), voice], gap=0.25), tuple(["chime", "espeak:" + " ".join(segs[1:])]),
                         self.name)


@dataclass
class RecordedEngine:
    """Clips `<name>.wav` in `folder` (see kiosk.core.queue.announce for the names); a missing clip
    is spoken by espeak-ng (when present) so an incomplete re-recording still announces."""
    folder: Path
    fallback: bool = True
    name: str = "recorded"
    _cache: dict = field(default_factory=dict)

    def clip(self, name: str) -> wav.Pcm:
        if name not in self._cache:
            path = Path(self.folder) / f"{name}.wav"
            if path.exists():
                self._cache[name] = wav.read(path.read_bytes())
            elif name == "chime":
                self._cache[name] = wav.chime()
            elif self.fallback and espeak_available():
                log.warning("voice clip %s missing: espeak-ng speaks it", name)
                self._cache[name] = wav.trim(espeak_wav(clip_text(name)))
            else:
                raise VoiceError(f"voice clip {path} is missing; run `kiosk voice build`")
        return self._cache[name]

    def render(self, number: str, place: str, *, counter: bool = False) -> Rendering:
        segs = segments(number, place, counter=counter)
        parts = [self.clip(s) for s in segs]
        pcm = wav.join(parts[:1] + [wav.silence(0.2)] + parts[1:], gap=0.04)
        return Rendering(pcm, tuple(segs), self.name)


def build_default_clips(folder: Path, *, overwrite: bool = False) -> list[Path]:
    """The default clip set, spoken by espeak-ng (run at install time or on first use)."""
    from kiosk.core.queue.announce import all_clips
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    targets = [("chime", None)] + [(n, clip_text(n)) for n in all_clips()]
    for name, text in targets:
        path = folder / f"{name}.wav"
        if path.exists() and not overwrite:
            continue
        pcm = wav.chime() if text is None else wav.trim(espeak_wav(text))
        path.write_bytes(wav.write(pcm))
        written.append(path)
    return written


def engine_from_config(cfg) -> VoiceEngine | None:
    if cfg.voice_engine == "off":
        return None
    if cfg.voice_engine == "espeak":
        return EspeakEngine()
    folder = Path(cfg.voice_clips_dir) if str(cfg.voice_clips_dir) not in ("", ".") else Path(cfg.data_dir) / "voice"
    return RecordedEngine(folder)
