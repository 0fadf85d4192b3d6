"""Patient lookup by CCCD / BHYT number at scale: SQLCipher vs plain SQLite, same data, same run.

    .venv/bin/python tests/bench/bench_store_lookup.py --size 1000000
    .venv/bin/python tests/bench/bench_store_lookup.py --size 50000      # while developing

Both databases get schema 1 from the real migrations and the same synthetic patients (one CCCD
and one BHYT document each, keys inserted in random order). Plain SQLite is the same sqlcipher3
library opened without a key, so only the encryption differs. Lookups go through the real
repository (`PatientRepo.find_by_document`) and, separately, the bare SQL statement; both
databases are measured interleaved in blocks so load from other processes hits both alike.

Page cache: SQLCipher decrypts (and HMAC-checks) a page each time it enters SQLite's page cache;
plain SQLite copies it from the OS cache. Lookups with uniformly random keys over all patients
touch every page of four b-trees (the (kind, number) index, the documents table, the
patient_id index, the patients table), so that is the working set: the benchmark measures each
b-tree's pages (DROP in a rolled-back transaction and read the freelist growth) and sizes
`cache_size` to their sum plus 5%, and preloads them with one scan each (what a kiosk does on a
background thread at start, on the connection that will serve lookups).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlcipher3  # noqa: E402

from kiosk.core.clock import SystemClock  # noqa: E402
from kiosk.store.db import connect  # noqa: E402
from kiosk.store.migrate import migrate  # noqa: E402
from kiosk.store.patients import _FIND_BY_DOCUMENT, DocumentInput, PatientInput, PatientRepo  # noqa: E402

SURNAMES = ["NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ", "NGÔ"]
MIDDLE = ["VĂN", "THỊ", "HỮU", "MINH", "THANH", "NGỌC", "ĐỨC", "QUỐC", "THU", "KIM"]
GIVEN = ["AN", "BÌNH", "CHI", "DŨNG", "GIANG", "HÀ", "HẢI", "HOA", "HÙNG", "KHÁNH", "LAN", "LINH", "LONG",
         "MAI", "NAM", "NGA", "PHONG", "PHÚC", "QUÂN", "SƠN", "TÂM", "THẢO", "TRANG", "TUẤN", "VY", "YẾN"]
GROUPS = ["DN", "HC", "GD", "HT", "TE", "CN", "HN", "XN"]
BATCH = 10_000
NOW = "2026-11-20T01:30:00+00:00"
TREES = (("index", "patient_documents_number"), ("index", "patient_documents_patient"),
         ("table", "patient_documents"), ("table", "patients"))


def cccd(i: int) -> str:
    # province (3) + century/gender (1) + birth year (2) + a 6-digit number; permuted so that
    # index inserts land in random places, as real arrivals do
    return f"{(i % 96) + 1:03d}{i % 4}{(i * 37) % 100:02d}{(i * 7919 + 13) % 1_000_000:06d}"


def bhyt(i: int) -> str:
    bhxh = f"{(i * 104729 + 7) % 10_000_000_000:010d}"
    return f"{GROUPS[i % len(GROUPS)]}{(i % 5) + 1}{(i % 96) + 1:02d}{bhxh}"


def rows(start: int, stop: int):
    rnd = random.Random(start)
    pats, docs = [], []
    for i in range(start, stop):
        name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        pats.append((i + 1, name, f"{1940 + i % 80}-{1 + i % 12:02d}-{1 + i % 28:02d}", 1 + i % 2,
                     f"Số {i % 500} đường {rnd.choice(GIVEN).title()}, Quận {1 + i % 12}", NOW, NOW))
        docs.append((i + 1, "cccd", cccd(i), None, None, "typed", NOW))
        docs.append((i + 1, "bhyt", bhyt(i), "2026-01-01", "2026-12-31", "qr", NOW))
    return pats, docs


def open_db(path: Path, key: bytes | None, cache_pages: int):
    if key is not None:
        conn = connect(path, key, create=True, cache_mib=1)
    else:
        conn = sqlcipher3.connect(str(path), isolation_level=None)
        for p in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 5000"):
            conn.execute(f"PRAGMA {p}")
        conn.row_factory = sqlcipher3.Row
    conn.execute(f"PRAGMA cache_size = {int(cache_pages)}")
    return conn


def fill(conn, size: int) -> float:
    migrate(conn)
    t0 = time.perf_counter()
    for start in range(0, size, BATCH):
        pats, docs = rows(start, min(size, start + BATCH))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO patients (id, full_name, birth_date, gender, address, first_seen, last_seen) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", pats)
        conn.executemany("INSERT INTO patient_documents (patient_id, kind, number, valid_from, valid_to, source, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return size / elapsed


def tree_pages(conn) -> dict[str, int]:
    """Pages of each b-tree on the lookup path: DROP it inside a transaction, read how much the
    freelist grew, roll back (no dbstat in this build)."""
    own_indexes = {"patients": ("patients_last_seen",),
                   "patient_documents": ("patient_documents_number", "patient_documents_patient")}
    conn.execute("PRAGMA foreign_keys = OFF")   # else DROP TABLE would cascade-delete rows first
    out = {}
    for kind, name in TREES:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if kind == "table":   # its indexes would be freed with it: drop them first
                for idx in own_indexes[name]:
                    conn.execute(f"DROP INDEX {idx}")
            before = conn.execute("PRAGMA freelist_count").fetchone()[0]
            conn.execute(f"DROP {kind.upper()} {name}")
            out[name] = conn.execute("PRAGMA freelist_count").fetchone()[0] - before
        finally:
            conn.execute("ROLLBACK")
    conn.execute("PRAGMA foreign_keys = ON")
    return out


def preload(conn) -> float:
    t0 = time.perf_counter()
    PatientRepo(conn, SystemClock()).warm_cache()   # the same scans the kiosk runs
    return time.perf_counter() - t0


def measure(conns: dict, keys: list[tuple[str, str]], mode: str, block: int = 1000) -> dict[str, tuple[list, list]]:
    """Time each lookup (wall ns, and this thread's CPU ns, which a preemption does not inflate);
    the databases take turns block by block."""
    repos = {name: PatientRepo(c, SystemClock()) for name, c in conns.items()}
    times: dict[str, tuple[list, list]] = {name: ([], []) for name in conns}
    perf, cpu = time.perf_counter_ns, time.thread_time_ns
    for start in range(0, len(keys), block):
        chunk = keys[start:start + block]
        order = list(conns) if (start // block) % 2 == 0 else list(reversed(conns))
        for name in order:
            wall, used = times[name]
            if mode == "repo":
                find = repos[name].find_by_document
                for kind, number in chunk:
                    c0 = cpu()
                    t0 = perf()
                    p = find(kind, number)
                    t1 = perf()
                    used.append(cpu() - c0)
                    wall.append(t1 - t0)
                    assert p is not None
            else:
                execute = conns[name].execute
                for kind, number in chunk:
                    c0 = cpu()
                    t0 = perf()
                    r = execute(_FIND_BY_DOCUMENT, (kind, number)).fetchall()
                    t1 = perf()
                    used.append(cpu() - c0)
                    wall.append(t1 - t0)
                    assert r
    return times


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] / 1e6   # ms


def upserts(conn, size: int, n: int) -> float:
    """New patients through the repository, one transaction each (what a check-in writes)."""
    repo = PatientRepo(conn, SystemClock())
    t0 = time.perf_counter()
    for i in range(size, size + n):
        conn.execute("BEGIN IMMEDIATE")
        repo.upsert(PatientInput(full_name="BENCH NEW PATIENT"), [DocumentInput("cccd", cccd(i) + "x"),
                                                                  DocumentInput("bhyt", bhyt(i) + "x")])
        conn.execute("COMMIT")
    return n / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000, help="synthetic patients (default 1,000,000)")
    ap.add_argument("--lookups", type=int, default=20_000, help="measured lookups per key kind and database")
    ap.add_argument("--warmup", type=int, default=2_000, help="random lookups after the preload, not measured")
    ap.add_argument("--rounds", type=int, default=3, help="measurement rounds; the best of them is reported")
    ap.add_argument("--upserts", type=int, default=2_000, help="repository upserts, one transaction each")
    ap.add_argument("--dir", type=Path, default=None, help="where to build the databases (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    ap.add_argument("--skip-unsized", action="store_true", help="skip the comparison with an unsized 64 MiB cache")
    args = ap.parse_args()

    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-store-"))
    work.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    paths = {"plain": work / "plain.db", "sqlcipher": work / "cipher.db"}
    for p in paths.values():
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    fill_cache = 262_144   # 1 GiB of 4 KiB pages while filling: a bulk load, not the kiosk setting
    print(f"# bench_store_lookup: {args.size:,} patients ({2 * args.size:,} documents); "
          f"cores={os.cpu_count()} shared with other engineers; loadavg at start {os.getloadavg()[0]:.2f}")
    fill_rate, conns = {}, {}
    for name in ("plain", "sqlcipher"):
        conn = open_db(paths[name], key if name == "sqlcipher" else None, fill_cache)
        fill_rate[name] = fill(conn, args.size)
        print(f"filled {name}: {fill_rate[name]:,.0f} patients/s "
              f"({paths[name].stat().st_size / 2**20:,.1f} MiB)", flush=True)
        conns[name] = conn

    pages = {name: tree_pages(c) for name, c in conns.items()}
    page_size = {name: int(c.execute("PRAGMA page_size").fetchone()[0]) for name, c in conns.items()}
    total = {name: c.execute("PRAGMA page_count").fetchone()[0] for name, c in conns.items()}
    working = {name: sum(pages[name].values()) for name in conns}
    cache_pages = max(int(working[n] * 1.05) + 256 for n in conns)
    print("\nworking set of a lookup (pages of 4 KiB; SQLCipher keeps 80 bytes per page for IV + HMAC):")
    for _, tree in TREES:
        print(f"  {tree:<28} plain {pages['plain'][tree]:>9,}   sqlcipher {pages['sqlcipher'][tree]:>9,}")
    print(f"  {'sum (working set)':<28} plain {working['plain']:>9,}   sqlcipher {working['sqlcipher']:>9,}"
          f"   (whole files: {total['plain']:,} / {total['sqlcipher']:,} pages)")
    print(f"cache chosen: cache_size = {cache_pages:,} pages = {cache_pages * page_size['sqlcipher'] / 2**20:,.0f} MiB "
          f"(the larger working set + 5% + 1 MiB): every page a lookup can touch stays decrypted in the cache, "
          f"so SQLCipher pays decryption once per page, at preload, never per lookup")

    for conn in conns.values():
        conn.close()
    rnd = random.Random(42)
    ids = [rnd.randrange(args.size) for _ in range(args.lookups + args.warmup)]
    by_kind = {"cccd": [("cccd", cccd(i)) for i in ids], "bhyt": [("bhyt", bhyt(i)) for i in ids]}

    def run(cache: int, label: str) -> list[str]:
        cs = {name: open_db(paths[name], key if name == "sqlcipher" else None, cache) for name in paths}
        lines = []
        pre = {name: preload(c) if cache >= cache_pages else 0.0 for name, c in cs.items()}
        if cache >= cache_pages:
            lines.append(f"preload (4 scans): plain {pre['plain']:.2f} s, sqlcipher {pre['sqlcipher']:.2f} s")
        for kind in ("cccd", "bhyt"):
            measure(cs, by_kind[kind][:args.warmup], "repo")
            for mode in ("repo", "sql"):
                rounds = [measure(cs, by_kind[kind][args.warmup:], mode) for _ in range(args.rounds)]
                for clock_i, clock_name in ((0, "wall"), (1, "cpu")):
                    # best of the rounds, per database and statistic: other engineers' jobs share the cores
                    p50 = {n: min(pct(t[n][clock_i], 0.50) for t in rounds) for n in cs}
                    p99 = {n: min(pct(t[n][clock_i], 0.99) for t in rounds) for n in cs}
                    mean = {n: min(statistics.fmean(t[n][clock_i]) for t in rounds) / 1e6 for n in cs}
                    lines.append(f"{label:<14} {kind:<5} {mode:<5} {clock_name:<5} "
                                 f"{p50['plain']:>8.4f} {p99['plain']:>8.4f} {mean['plain']:>8.4f}   "
                                 f"{p50['sqlcipher']:>8.4f} {p99['sqlcipher']:>8.4f} {mean['sqlcipher']:>8.4f}   "
                                 f"{p50['sqlcipher'] / p50['plain']:>5.2f}x {p99['sqlcipher'] / p99['plain']:>5.2f}x "
                                 f"{mean['sqlcipher'] / mean['plain']:>5.2f}x")
        hits = {n: c.execute("PRAGMA cache_size").fetchone()[0] for n, c in cs.items()}
        assert hits["plain"] == hits["sqlcipher"] == cache
        for c in cs.values():
            c.close()
        return lines

    header = (f"\n{'cache':<14} {'key':<5} {'path':<5} {'clock':<6}{'plain p50':>8} {'p99':>8} {'mean':>8}   "
              f"{'ciph p50':>8} {'p99':>8} {'mean':>8}   {'ratio p50':>6} {'p99':>6} {'mean':>6}   (ms)")
    print(header)
    print(f"(p50/p99/mean of {args.lookups:,} random lookups per key kind and database, best of {args.rounds} "
          f"interleaved rounds; repo = PatientRepo.find_by_document -> Patient dataclass, sql = the bare query; "
          f"wall = elapsed time, cpu = this thread's CPU time, which preemption by other processes does not inflate)")
    for line in run(cache_pages, "sized"):
        print(line, flush=True)
    if not args.skip_unsized:
        unsized = 64 * 256   # the 64 MiB default of db_cache_mib, for comparison
        if unsized < cache_pages:
            for line in run(unsized, "64MiB(unsized)"):
                print(line, flush=True)

    up = {}
    for name in paths:
        c = open_db(paths[name], key if name == "sqlcipher" else None, cache_pages)
        up[name] = upserts(c, args.size, args.upserts)
        c.close()
    print(f"\ninsert throughput: bulk fill (10,000 patients + 20,000 documents per transaction) "
          f"plain {fill_rate['plain']:,.0f} /s, sqlcipher {fill_rate['sqlcipher']:,.0f} /s "
          f"(ratio {fill_rate['plain'] / fill_rate['sqlcipher']:.2f}x slower)")
    print(f"insert throughput: repository upsert, one transaction per new patient (WAL, synchronous=NORMAL) "
          f"plain {up['plain']:,.0f} /s, sqlcipher {up['sqlcipher']:,.0f} /s "
          f"(ratio {up['plain'] / up['sqlcipher']:.2f}x slower)")
    print(f"loadavg at end {os.getloadavg()[0]:.2f}")
    if not args.keep and args.dir is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
