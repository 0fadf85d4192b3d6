"""The windowed demo scales the tested layouts to the desktop and refuses clearly without a display."""
import subprocess
import sys

import pytest

from kiosk.demo.run import demo_geometry


@pytest.mark.parametrize("avail, expected_size", [
    ((1280, 1024), (553, 984)),      # small desktop: portrait layout beside the panel
    ((3840, 2160), (1920, 1080)),    # big desktop: the landscape layout at full size
    ((1920, 1080), (1450, 816)),     # full-HD desktop: landscape, scaled to leave room for the panel
])
def test_window_keeps_a_tested_aspect_ratio_and_fits(avail, expected_size):
    (w, h), dpi = demo_geometry(*avail)
    assert abs(w - expected_size[0]) <= 1 and abs(h - expected_size[1]) <= 1
    assert w + 440 <= avail[0] or (w, h) == (1920, 1080)
    assert 0 < dpi <= 96.0
    assert abs(w / h - (16 / 9 if w > h else 9 / 16)) < 0.01


def test_requested_size_sets_the_scale():
    assert demo_geometry(800, 600, (960, 540)) == ((960, 540), 48.0)


def test_no_display_is_a_clear_message_not_a_crash(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_DATA_HOME": str(tmp_path / "d")}
    out = subprocess.run([sys.executable, "-m", "kiosk", "demo"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert "no display" in out.stderr and "--headless" in out.stderr
