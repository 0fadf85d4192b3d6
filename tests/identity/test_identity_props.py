"""Property tests: parse raises only IdentityError; format → parse round trips; noise never crashes."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.identity import IdentityError, format_bhyt_qr, format_cccd_qr, parse
from kiosk.demo.people import DEMO_PEOPLE
from kiosk.identity.mask import mask_name

from identity_strategies import TODAY, VN_UPPER, bhyt_identity, cccd_identity

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [q for p in DEMO_PEOPLE for q in (p.cccd_qr, p.bhyt_qr, p.mrz()) if q] + ["001085000101", "DN4010100000101"]


def parses_or_identity_error(payload):
    try:
        return parse(payload, today=TODAY)
    except IdentityError as exc:
        assert exc.code != "parser_bug", exc.__cause__
        return None


@FAST
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_identity_error(text):
    parses_or_identity_error(text)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(raw):
    parses_or_identity_error(raw)


@FAST
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
    ["delete", "insert", "replace", "swap"]), st.characters()), max_size=6))
def test_mutated_real_payloads_never_crash(seed, edits):
    s = list(seed)
    for pos, op, ch in edits:
        i = pos % (len(s) + 1)
        if op == "insert" or not s:
            s.insert(i, ch)
        elif op == "delete":
            del s[i % len(s)]
        elif op == "replace":
            s[i % len(s)] = ch
        else:
            j = random.Random(pos).randrange(len(s))
            s[i % len(s)], s[j] = s[j], s[i % len(s)]
    parses_or_identity_error("".join(s))


@FAST
@given(cccd_identity(), st.integers(7, 11))
def test_cccd_qr_round_trip(ident, nfields):
    got = parse(format_cccd_qr(ident, fields=nfields), today=TODAY)
    assert got.person == ident.person
    assert got.cccd == ident.cccd
    assert (got.kind, got.source) == (ident.kind, ident.source)
    assert {w.code for w in got.warnings} <= {"cccd_expired"}


@FAST
@given(bhyt_identity(), st.sampled_from(["$", "#"]))
def test_bhyt_qr_round_trip(ident, terminator):
    got = parse(format_bhyt_qr(ident, terminator), today=TODAY)
    assert got.person == ident.person
    assert got.bhyt == ident.bhyt
    assert (got.kind, got.source) == (ident.kind, ident.source)
    allowed = {"bhyt_expired", "bhyt_not_yet_valid", "bhyt_gender_unknown", "bhyt_province_unknown"}
    assert {w.code for w in got.warnings} <= allowed


@FAST
@given(bhyt_identity(), st.text(VN_UPPER + VN_UPPER.lower() + " .'-", min_size=1, max_size=40),
       st.sampled_from(["utf-16-le", "utf-16"]))
def test_bhyt_qr_utf16_fallback_upper_case_hex(ident, name, codec):
    name = " ".join(name.split()) or "A"
    fields = format_bhyt_qr(ident).split("|")
    fields[1] = name.encode(codec).hex().upper()
    got = parse("|".join(fields), today=TODAY)
    assert got.person.full_name == name


@FAST
@given(cccd_identity())
def test_masked_name_never_reveals_more_than_initials(ident):
    words = ident.person.full_name.split()
    masked = mask_name(ident.person.full_name)
    assert masked.split()[0] == words[0]
    assert all(len(w.rstrip("*")) == 1 for w in masked.split()[1:])
