"""Mutational fuzz of kiosk.identity.parse: >= 1,000,000 inputs by default.

Seeds are valid payloads of every format; each input applies 1-8 random mutations (byte/char
flips, inserts of format tokens, deletions, splices of two seeds, field shuffles, re-encodings).
A failure is any exception other than IdentityError, the `parser_bug` safety-net code, or a
successful parse that breaks an invariant (numbers well-formed, JSON serialisation works).

    .venv/bin/python tests/bench/bench_identity_fuzz.py [--n 1000000] [--seed 1]
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.identity import IdentityError, Identity, parse  # noqa: E402
from kiosk.demo.people import DEMO_PEOPLE  # noqa: E402
from kiosk.identity.jsonify import identity_to_dict  # noqa: E402
from kiosk.identity.warnings import CATALOGUE  # noqa: E402

TODAY = dt.date(2026, 11, 21)
TOKENS = ["|", "||", "$", "#", "<<", "<", "-", " - ", "/", "\r\n", "\t", "\ufeff", "?", "Nam", "Nữ", "00",
          "99", "29/02/2000", "31022001", "1940", "ff", "FE", "00", "e1bb", "c3", "ẫ", "Đ", "Ã©", "á»",
          "\x00", "\x1b", "IDVNM", "I<UTO", "DN4", "TE1", "001", "VNEID:", "eyJ", "0" * 12, "9" * 15]


def seeds() -> list[str]:
    out = []
    for p in DEMO_PEOPLE:
        out += [q for q in (p.cccd_qr, p.bhyt_qr, p.mrz(), p.mrz("full12")) if q]
        if p.identity.cccd:
            out.append(p.identity.cccd.number)
        if p.identity.bhyt:
            out.append(p.identity.bhyt.card_number)
    out += ["012345678", "DN4010100000101", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2ln",
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
    return out


def mutate(rng: random.Random, s: str, pool: list[str]) -> str | bytes:
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 8))):
        op = rng.randrange(9)
        i = rng.randrange(len(s) + 1)
        if op == 0 and s:                                   # delete a run
            s = s[:i] + s[i + rng.randint(1, 4):]
        elif op == 1:                                       # insert a format token
            s = s[:i] + rng.choice(TOKENS) + s[i:]
        elif op == 2 and s:                                 # replace a char with any code point
            j = rng.randrange(len(s))
            s = s[:j] + chr(rng.choice([rng.randrange(128), rng.randrange(0x2000), rng.randrange(0x110000)]
                                      )).replace("\ud800", "?") + s[j + 1:]
        elif op == 3:                                       # splice with another seed
            o = rng.choice(pool)
            s = s[:i] + o[rng.randrange(len(o) + 1):]
        elif op == 4 and "|" in s:                          # shuffle or drop pipe fields
            f = s.split("|")
            rng.shuffle(f) if rng.random() < 0.5 else f.pop(rng.randrange(len(f)))
            s = "|".join(f)
        elif op == 5 and s:                                 # duplicate a slice
            j = rng.randrange(len(s))
            s = s[:j] + s[j:j + rng.randint(1, 20)] * rng.randint(1, 3) + s[j:]
        elif op == 6:                                       # case flip
            s = s.swapcase() if rng.random() < 0.5 else s.lower()
        elif op == 7 and s:                                 # digit walk
            j = rng.randrange(len(s))
            if s[j] in "0123456789":
                s = s[:j] + str((int(s[j]) + rng.randint(1, 9)) % 10) + s[j + 1:]
        elif op == 8:
            s = s.strip() if rng.random() < 0.5 else " " + s + "\r\n"
    s = s.replace("\ud800", "")
    r = rng.random()
    if r < 0.15:
        return s.encode("utf-8", "surrogatepass")
    if r < 0.18:
        return s.encode("utf-16", "surrogatepass")
    if r < 0.20:
        return s.encode("cp1258", "replace")
    if r < 0.22:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    return s


def check_invariants(ident: Identity) -> None:
    assert isinstance(ident, Identity)
    for kind, number in ident.lookup_keys():
        assert number.isascii() and number.isalnum(), (kind, "number shape")
        assert {"cccd": 12, "bhxh": 10, "bhyt": 15}.get(kind, len(number)) == len(number), kind
    for w in ident.warnings:
        assert w.code in CATALOGUE
    identity_to_dict(ident, masked=True)
    identity_to_dict(ident, masked=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--failures", type=Path, default=Path("/tmp/identity_fuzz_failures.txt"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    pool = seeds()
    outcomes: collections.Counter[str] = collections.Counter()
    failures: dict[str, tuple[object, str]] = {}
    n_fail = 0
    t0 = time.perf_counter()
    for k in range(args.n):
        payload = mutate(rng, rng.choice(pool), pool)
        try:
            ident = parse(payload, today=TODAY)
            check_invariants(ident)
            outcomes["ok:" + ident.kind.value] += 1
        except IdentityError as exc:
            if exc.code == "parser_bug":
                n_fail += 1
                failures.setdefault(repr(exc.__cause__)[:80], (payload, traceback.format_exc()))
            outcomes["err:" + exc.code] += 1
        except Exception as exc:   # noqa: BLE001 - any other exception is a finding
            n_fail += 1
            failures.setdefault(type(exc).__name__ + str(exc)[:60], (payload, traceback.format_exc()))
            outcomes["FAIL"] += 1
        if k and k % 200_000 == 0:
            print(f"  {k:,} inputs, {n_fail} failures, {time.perf_counter() - t0:.1f} s", flush=True)
    elapsed = time.perf_counter() - t0
    print(f"identity fuzz: executions={args.n:,} failures={n_fail} distinct={len(failures)} "
          f"time={elapsed:.1f}s rate={args.n / elapsed:,.0f}/s seed={args.seed}")
    for name, count in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {count:>9,}")
    if failures:
        with args.failures.open("w") as fh:
            for sig, (payload, tb) in failures.items():
                fh.write(f"== {sig}\n{payload!r}\n{tb}\n")
        print(f"failures written to {args.failures}")
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
