"""Announcements rendered to WAV: the clip sequence, not silent, the right duration; the
Announcer never overlaps two calls and keeps quiet hours."""
from __future__ import annotations

import array
import math
import threading
import time
from datetime import datetime, timezone

import pytest

from kiosk.calling.voice import wav
from kiosk.calling.voice.announcer import Announcer, is_quiet, parse_quiet_hours
from kiosk.calling.voice.engines import (EspeakEngine, RecordedEngine, VoiceError, build_default_clips,
                                         espeak_available)
from kiosk.core.clock import FakeClock
from kiosk.core.queue.announce import all_clips

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed (dev.sh installs it)")


def tone(seconds: float, freq: float = 440.0) -> bytes:
    n = int(seconds * wav.RATE)
    return wav.write(wav.Pcm(array.array("h", (int(8000 * math.sin(2 * math.pi * freq * i / wav.RATE))
                                               for i in range(n)))))


@pytest.fixture
def tone_clips(tmp_path):
    """A hand-made clip set: every clip a 0.1 s tone, the chime 0.3 s: durations are known."""
    for name in all_clips():
        (tmp_path / f"{name}.wav").write_bytes(tone(0.1))
    (tmp_path / "chime.wav").write_bytes(tone(0.3, 880))
    return tmp_path


def test_recorded_engine_sequence_and_exact_duration(tone_clips):
    r = RecordedEngine(tone_clips, fallback=False).render("A1-023", "101")
    assert r.segments == ("chime", "invite", "letter_a", "digit_1", "digit_0", "digit_2", "digit_3",
                          "to_room", "digit_1", "digit_0", "digit_1")
    # chime 0.3 + pause 0.2 + 10 clips x 0.1 + 11 gaps x 0.04
    assert r.pcm.seconds == pytest.approx(0.3 + 0.2 + 1.0 + 11 * 0.04, abs=0.002)
    assert wav.rms(r.pcm) > 3000
    back = wav.read(r.wav_bytes())
    assert len(back.samples) == len(r.pcm.samples)


def test_a_missing_clip_without_fallback_says_what_to_do(tone_clips):
    (tone_clips / "digit_7.wav").unlink()
    with pytest.raises(VoiceError, match="kiosk voice build"):
        RecordedEngine(tone_clips, fallback=False).render("A1-007", "101")


@needs_espeak
def test_default_clips_from_espeak_are_spoken_and_not_silent(tmp_path):
    written = build_default_clips(tmp_path)
    assert len(written) == len(all_clips()) + 1
    for path in written:
        pcm = wav.read(path.read_bytes())
        assert 0.05 < pcm.seconds < 3.0, path.name
        assert wav.rms(pcm) > 300, path.name
    r = RecordedEngine(tmp_path).render("A1-023", "101")
    assert r.segments[0] == "chime" and r.segments[-3:] == ("digit_1", "digit_0", "digit_1")
    assert 3.0 < r.pcm.seconds < 12.0
    # the speech part (after the chime and pause) is loud, not silence
    speech = wav.Pcm(r.pcm.samples[int(1.2 * wav.RATE):])
    assert wav.rms(speech) > 500


@needs_espeak
def test_espeak_engine_renders_a_chime_then_speech():
    r = EspeakEngine().render("B2-105", "205")
    assert r.engine == "espeak" and r.segments[0] == "chime"
    assert 2.0 < r.pcm.seconds < 12.0
    assert wav.rms(wav.Pcm(r.pcm.samples[int(1.2 * wav.RATE):])) > 500


def test_announcer_never_overlaps_and_scales_volume(tone_clips):
    spans, lock = [], threading.Lock()
    played = []

    def play(data: bytes) -> None:
        start = time.monotonic()
        time.sleep(0.05)
        with lock:
            spans.append((start, time.monotonic()))
            played.append(wav.read(data))

    a = Announcer(RecordedEngine(tone_clips, fallback=False), volume=50, play=play)
    for n in ("A1-001", "A1-002", "A1-003"):
        a.announce(n, "101")
    a.wait_idle()
    a.close()
    assert a.spoken == 3
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        assert s2 >= e1                      # the next starts after the previous ended
    full = RecordedEngine(tone_clips, fallback=False).render("A1-001", "101").pcm
    assert wav.rms(played[0]) == pytest.approx(wav.rms(full) / 2, rel=0.02)


def test_quiet_hours(tone_clips):
    assert parse_quiet_hours("") is None
    hours = parse_quiet_hours("21:00-06:00")
    at = lambda h: datetime(2026, 11, 20, h, 0, tzinfo=timezone.utc)   # VN = UTC+7
    assert is_quiet(at(15), hours) and is_quiet(at(22), hours) and not is_quiet(at(3), hours)
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        parse_quiet_hours("after nine")
    played = []
    a = Announcer(RecordedEngine(tone_clips, fallback=False), quiet_hours="21:00-06:00",
                  play=played.append, clock=FakeClock(at(15)))      # 22:00 in Vietnam
    a.announce("A1-001", "101")
    a.wait_idle()
    a.close()
    assert (played, a.skipped) == ([], 1)
