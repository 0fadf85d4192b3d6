"""Wedge assembler: scanner bursts vs human typing, prefixes/suffixes, key repeat, interruptions."""
from drivers.scanner.wedge import WedgeAssembler, WedgeConfig, WedgeKind

PAYLOAD = "079095001234|Nguyen Van An|01011995"


def run(asm, keys, tail=1.0):
    """keys: (text, t[, auto_repeat]) or ("<special>", t). Returns all events incl. the final tick."""
    out, last = [], 0.0
    for k in keys:
        text, t = k[0], k[1]
        if text == "<special>":
            out += asm.special(t, "special")
        else:
            out += asm.key(text, t, auto_repeat=k[2] if len(k) > 2 else False)
        last = t
    out += asm.tick(last + tail)
    return out


def burst(text, t0=0.0, gap=0.004, enter=True):
    keys = [(c, t0 + i * gap) for i, c in enumerate(text)]
    if enter:
        keys.append(("\r", t0 + len(text) * gap))
    return keys


def released_text(events):
    return "".join(k for e in events if e.kind is WedgeKind.RELEASE for k in e.keys)


def test_scanner_burst_is_one_scan_and_nothing_leaks():
    events = run(WedgeAssembler(), burst(PAYLOAD))
    assert [(e.kind, e.text) for e in events] == [(WedgeKind.SCAN, PAYLOAD)]


def test_human_typing_is_released_in_order():
    keys = [(c, i * 0.15) for i, c in enumerate("0912345678")] + [("\r", 1.6)]
    events = run(WedgeAssembler(), keys)
    assert all(e.kind is WedgeKind.RELEASE for e in events)
    assert released_text(events) == "0912345678\r"


def test_short_fast_run_is_typing_not_a_scan():
    # two keys rolled over quickly plus Enter: people do that; scanners send more
    events = run(WedgeAssembler(), burst("ab", gap=0.01))
    assert released_text(events) == "ab\r"
    assert not [e for e in events if e.kind is WedgeKind.SCAN]


def test_burst_split_by_a_long_pause_is_dropped_not_typed():
    asm = WedgeAssembler()
    first = burst(PAYLOAD[:20], enter=False)
    rest = burst(PAYLOAD[20:], t0=0.5)
    events = run(asm, first + rest)
    kinds = [e.kind for e in events]
    assert kinds == [WedgeKind.DROPPED, WedgeKind.SCAN]
    assert events[0].text == PAYLOAD[:20]
    assert events[1].text == PAYLOAD[20:]     # a scan of what followed; the parser will reject it
    assert released_text(events) == ""


def test_burst_interrupted_by_a_human_special_key():
    asm = WedgeAssembler()
    keys = burst(PAYLOAD[:15], enter=False) + [("<special>", 15 * 0.004)]
    events = run(asm, keys)
    assert [e.kind for e in events] == [WedgeKind.DROPPED, WedgeKind.RELEASE]
    assert events[1].keys == ("special",)


def test_human_key_then_scan_right_after():
    asm = WedgeAssembler()
    keys = [("x", 0.0)] + burst(PAYLOAD, t0=0.2)
    events = run(asm, keys)
    assert [e.kind for e in events] == [WedgeKind.RELEASE, WedgeKind.SCAN]
    assert events[0].keys == ("x",) and events[1].text == PAYLOAD


def test_prefix_and_suffix_are_stripped_and_required():
    cfg = WedgeConfig(prefix="]Q1", suffix="#")
    events = run(WedgeAssembler(cfg), burst("]Q1" + PAYLOAD + "#"))
    assert [(e.kind, e.text) for e in events] == [(WedgeKind.SCAN, PAYLOAD)]
    events = run(WedgeAssembler(cfg), burst(PAYLOAD + "#"))
    assert [e.kind for e in events] == [WedgeKind.DROPPED]


def test_key_repeat_is_human():
    # a held key: first press, then auto-repeats 30 ms apart, flagged by the OS
    keys = [("1", 0.0)] + [("1", 0.5 + i * 0.03, True) for i in range(10)]
    events = run(WedgeAssembler(), keys)
    assert released_text(events) == "1" * 11
    assert not [e for e in events if e.kind is not WedgeKind.RELEASE]


def test_without_terminator_silence_ends_the_scan():
    cfg = WedgeConfig(terminators=())
    asm = WedgeAssembler(cfg)
    events = run(asm, burst(PAYLOAD, enter=False))
    assert [(e.kind, e.text) for e in events] == [(WedgeKind.SCAN, PAYLOAD)]


def test_deadline_tracks_the_last_key():
    asm = WedgeAssembler(WedgeConfig(max_gap=0.03))
    assert asm.deadline() is None
    asm.key("a", 1.0)
    assert asm.deadline() == 1.03
    assert asm.tick(1.02) == []
    assert [e.kind for e in asm.tick(1.05)] == [WedgeKind.RELEASE]
    assert asm.deadline() is None
