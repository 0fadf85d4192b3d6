"""The evdev wedge's key-code decoding (the device part needs `evdev` and a real scanner)."""
from drivers.scanner.evdev_reader import KeyDecoder, keycode_to_text
from drivers.scanner.wedge import WedgeAssembler, WedgeKind

# linux/input-event-codes.h
KEY = {"0": 11, "1": 2, "9": 10, "|": 43, "a": 30, "n": 49, "ENTER": 28, "LSHIFT": 42, "LEFT": 105}


def test_keycodes_us_layout():
    assert keycode_to_text(KEY["a"], False) == "a" and keycode_to_text(KEY["a"], True) == "A"
    assert keycode_to_text(KEY["|"], True) == "|" and keycode_to_text(KEY["ENTER"], False) == "\r"
    assert keycode_to_text(KEY["LEFT"], False) is None


def test_scanner_events_become_one_scan():
    dec = KeyDecoder(WedgeAssembler())
    t, events = 0.0, []

    def press(code, shift=False):
        nonlocal t, events
        if shift:
            events += dec.event(KEY["LSHIFT"], 1, t)
        events += dec.event(code, 1, t)
        events += dec.event(code, 0, t + 0.001)
        if shift:
            events += dec.event(KEY["LSHIFT"], 0, t + 0.001)
        t += 0.003

    for ch in "0911":
        press(KEY[ch] if ch in KEY else KEY["1"])
    press(KEY["|"], shift=True)
    press(KEY["a"], shift=True)
    press(KEY["n"])
    press(KEY["ENTER"])
    scans = [e for e in events if e.kind is WedgeKind.SCAN]
    assert [e.text for e in scans] == ["0911|An"]
