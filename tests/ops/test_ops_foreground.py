"""kiosk.ops.foreground: background loops step aside while a ticket is issued, never for ever."""
from __future__ import annotations

import threading
import time

from kiosk.ops.foreground import busy, foreground, step_aside


def test_background_steps_aside_until_the_ticket_is_done():
    inside, leave, log = threading.Event(), threading.Event(), []

    def ticket():
        with foreground():
            inside.set()
            leave.wait(10)
            log.append("ticket done")

    t = threading.Thread(target=ticket)
    t.start()
    assert inside.wait(10) and busy()

    def background():
        waited = step_aside(longest=10)
        log.append(f"background on (waited={waited})")
    b = threading.Thread(target=background)
    b.start()
    b.join(0.3)
    assert b.is_alive() and log == []
    leave.set()
    t.join(10)
    b.join(10)
    assert log == ["ticket done", "background on (waited=True)"]
    assert not busy() and step_aside() is False


def test_nested_and_overlapping_tickets_keep_it_busy_and_a_wait_is_bounded():
    with foreground():
        with foreground():
            assert busy()
        assert busy()
        t0 = time.monotonic()
        assert step_aside(longest=0.05) is True         # never starved: it goes on after `longest`
        assert time.monotonic() - t0 < 5
    assert not busy()


def test_an_error_inside_still_lets_the_background_go_on():
    try:
        with foreground():
            raise RuntimeError("printer jam")
    except RuntimeError:
        pass
    assert not busy()


def test_tickets_back_to_back_still_let_the_background_go_on_between_them():
    """It waits for the ticket under way, not for an idle kiosk."""
    first_done = threading.Event()

    def tickets():
        with foreground():
            time.sleep(0.05)
        first_done.set()
        with foreground():
            time.sleep(2.0)

    t = threading.Thread(target=tickets)
    t.start()
    while not busy():
        time.sleep(0.001)
    assert step_aside(longest=30) is True
    assert first_done.wait(1) and t.is_alive()       # back on after the first, the second still going
    t.join(10)
    assert not busy()
