"""A private Xvfb for the tests that drive a real X window (xdotool typing like a wedge scanner,
full screen on a bare X server, an input method): started on a free display it reports itself."""
from __future__ import annotations

import os
import subprocess


def start_xvfb(size: str = "1024x768") -> tuple[subprocess.Popen, str]:
    """Start Xvfb; returns the process and its display (":N"). The caller terminates it."""
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        display = ":" + f.readline().strip()
    return proc, display
