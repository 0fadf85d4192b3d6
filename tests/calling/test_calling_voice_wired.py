"""The voice in the real display and the kiosk: a call seen by `kiosk display`'s feed queues
exactly one announcement, rendered to WAV with the right clips, not silent; `kiosk run` with
voice_kiosk_announces speaks calls without a screen."""
from __future__ import annotations

import pytest

from calling_helpers import issue
from kiosk.calling.compose import announcer, call_speaker, display_source, kiosk_call_speaker, speak_calls
from kiosk.calling.service import counters_from_config
from kiosk.calling.voice import wav
from kiosk.store.migrate import open_store
from test_calling_voice import tone_clips  # noqa: F401  (fixture: every clip a known tone)

CLIPS_A1_001_Q1 = ("chime", "invite", "letter_a", "digit_1", "digit_0", "digit_0", "digit_1",
                   "to_counter", "letter_q", "digit_1")


@pytest.fixture
def voiced(cfg, tone_clips):   # noqa: F811
    return cfg.replace(voice_engine="recorded", voice_clips_dir=tone_clips, voice_volume=100)


def check_one_announcement(played: list[bytes], voice) -> None:
    assert len(played) == 1
    assert list(voice.history) == [("A1-001", CLIPS_A1_001_Q1)]
    pcm = wav.read(played[0])
    # chime 0.3 + pause 0.2 + 9 clips x 0.1 + 10 gaps x 0.04: the clips, nothing else
    assert pcm.seconds == pytest.approx(0.3 + 0.2 + 0.9 + 10 * 0.04, abs=0.002)
    assert wav.rms(pcm) > 3000


def test_a_call_on_the_display_queues_exactly_one_announcement(qtbot, store, calling, staff, voiced,
                                                                data_dir, key, clock):
    from kiosk.ui.display.window import DisplayWindow
    from kiosk.ui.qt import QLabel
    issue(store, 2, clock=clock)
    played: list[bytes] = []
    voice = announcer(voiced, play=played.append)
    feed = display_source(voiced, lambda: open_store(data_dir, key, clock=clock), clock=clock)
    win = DisplayWindow(feed.poll, on_calls=speak_calls(voiced, voice, counters_from_config(voiced)), poll_ms=20)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: not win.stale, timeout=5000)
    assert voice.history == type(voice.history)()        # the queue as it was: nothing announced
    calling.call_next(staff, "Q1")
    qtbot.waitUntil(lambda: any(lab.text() == "A1-001" for lab in win.findChildren(QLabel)), timeout=5000)
    calling.start(staff, "Q1")                            # later board changes: no new announcement
    calling.finish(staff, "Q1")
    updates = win.updates
    qtbot.waitUntil(lambda: win.updates > updates, timeout=5000)
    voice.wait_idle()
    check_one_announcement(played, voice)
    win.stop()
    feed.close()
    voice.close()


def test_kiosk_run_speaks_calls_when_configured(store, calling, staff, voiced, data_dir, key, clock):
    import time
    assert call_speaker(voiced, lambda: None) is None          # off by default: the display speaks
    kiosk_call_speaker(voiced, key, clock)()                   # and the app's closer is a no-op
    issue(store, 2, clock=clock)
    played: list[bytes] = []
    speaker = call_speaker(voiced.replace(voice_kiosk_announces=True),
                           lambda: open_store(data_dir, key, clock=clock), clock=clock, play=played.append)
    assert speaker is not None
    deadline = time.monotonic() + 5
    while speaker.reads < 2 and time.monotonic() < deadline:   # it has read the queue as it was
        time.sleep(0.01)
    calling.call_next(staff, "Q1")
    while not played and time.monotonic() < deadline + 5:
        time.sleep(0.01)
    voice = speaker.also_close[0].__self__              # the speaker's Announcer
    voice.wait_idle()
    speaker.close()
    check_one_announcement(played, voice)
