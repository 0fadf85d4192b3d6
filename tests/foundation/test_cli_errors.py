"""Issue 15 item 9: every `kiosk` subcommand, given bad arguments (missing or broken settings files,
unwritable or missing paths, wrong types, out-of-range numbers, a wrong database key, no display),
answers with a clear line and a non-zero exit - never a Python traceback, never a process that keeps
running. Each case runs in its own process, as a user would run it."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kiosk.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
NOPE = "/proc/nope/x/y"
# long-running commands: only their bad-argument cases run (a good invocation would serve forever)
SERVERS = {("gateway-sim",), ("card", "sim"), ("run",), ("demo",), ("desk",), ("scan", "test"), ("sync", "drain"),
           ("sync", "run"), ("build",)}
TIMEOUT = 90          # generous: the machine is shared; a command that never returns still fails


def leaves(parser: argparse.ArgumentParser, prefix=()):
    sub = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not sub:
        yield prefix, parser
        return
    for name, child in sub[0].choices.items():
        if name.startswith("_"):
            continue
        yield from leaves(child, prefix + (name,))


def _base_args(p: argparse.ArgumentParser) -> list[str]:
    """Just enough to get past argparse: required options and positionals."""
    out: list[str] = []
    for a in p._actions:
        if isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)) or a.dest in ("config", "data_dir"):
            continue
        value = a.choices[0] if a.choices else (NOPE if a.type is Path else "x")
        if not a.option_strings and a.nargs not in ("?", "*"):
            out.append(str(value))
        elif a.required:
            out += [a.option_strings[0], str(value)]
    return out


def _cases(tmp: Path, wrong_key: Path):
    good = tmp / "good.toml"
    broken = tmp / "broken.toml"
    for words, p in leaves(build_parser()):
        base = [*words, *_base_args(p)]
        server = words in SERVERS
        yield words, [*base, "--config", str(tmp / "typo.toml")], True
        yield words, [*base, "--config", str(broken)], True
        if not server:
            yield words, [*base, "--config", str(good), "--data-dir", NOPE], None
        for a in p._actions:
            if not a.option_strings or a.dest in ("config", "data_dir", "help"):
                continue
            numeric = a.type in (int, float) or getattr(a.type, "__module__", "") == "kiosk.commands.argtypes"
            if numeric:
                # out of range: a server must refuse it rather than start with it
                name = getattr(a.type, "__name__", "")
                bad = "99999" if name in ("port", "probability") or (a.type is int and not server) else "-3"
                yield words, [*base, "--config", str(good), a.option_strings[0], bad], True if server else None
            elif a.type is Path and not a.required:
                if a.dest == "key_file":
                    yield words, [*base, "--config", str(good), a.option_strings[0], str(wrong_key)], True
                elif not server or words == ("build",):
                    yield words, [*base, "--config", str(good), a.option_strings[0], NOPE], True if server else None
    for source in ("image:/nonexistent/", "serial:/dev/ttyNOPE", "camera:99"):
        yield ("scan", "test"), ["scan", "test", "--source", source, "--config", str(good)], True


def _run(argv: list[str], env: dict) -> tuple[int | None, str]:
    """(exit code, what it said: stderr, then stdout for reports such as `doctor`); None: still running."""
    try:
        done = subprocess.run([sys.executable, "-m", "kiosk", *argv], capture_output=True, text=True, env=env,
                              timeout=TIMEOUT, cwd=str(env["HOME"]), stdin=subprocess.DEVNULL)
        return done.returncode, done.stderr + done.stdout
    except subprocess.TimeoutExpired as exc:
        return None, f"still running after {TIMEOUT} s: {(exc.stderr or b'')[-300:]!r}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(tmp), KIOSK_DEBUG="", LC_ALL="C.UTF-8")
    env.pop("KIOSK_DEBUG")
    data = tmp / "data"
    (tmp / "good.toml").write_text(f'data_dir = "{data}"\nkey_file = "{tmp / "keys" / "db.key"}"\n'
                                   'facility_code = "79001"\nprinter = "sim"\n', encoding="utf-8")
    (tmp / "broken.toml").write_text("facility_code = \n[[[", encoding="utf-8")
    (tmp / "other.toml").write_text(f'data_dir = "{tmp / "other"}"\nkey_file = "{tmp / "okeys" / "db.key"}"\n',
                                    encoding="utf-8")
    for conf in ("good.toml", "other.toml"):
        rc, err = _run(["db", "init", "--config", str(tmp / conf)], env)
        assert rc == 0, err
    return tmp, env, tmp / "okeys" / "db.key"      # a valid key, but for another database


@pytest.mark.timeout(1500)
def test_every_subcommand_fails_cleanly_on_bad_arguments(world):
    tmp, env, wrong_key = world
    cases = list(_cases(tmp, wrong_key))
    assert len(cases) > 100
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda c: (c, _run(c[1], env)), cases))
    bad = []
    for (words, argv, must_fail), (rc, err) in results:
        why = None
        if rc is None:
            why = err
        elif "Traceback" in err:
            why = "traceback: " + err.strip().splitlines()[-1]
        elif must_fail and rc == 0:
            why = "exit 0"
        elif rc not in (0, 1, 2, 3, 4, 5) and rc is not None:
            why = f"exit {rc} (crash?) {err.strip()[-200:]}"
        elif rc != 0 and not err.strip():
            why = "non-zero exit with no message"
        if why:
            bad.append(f"kiosk {' '.join(argv)} -> {why}")
    assert bad == [], "\n".join(bad)


def test_printer_render_creates_no_directory_outside_its_path(world, tmp_path):
    tmp, env, _ = world
    target = tmp_path / "nonexistent" / "dir" / "t.png"
    rc, err = _run(["printer", "render", str(target), "--config", str(tmp / "good.toml")], env)
    assert rc != 0 and "nonexistent" in err and "Traceback" not in err
    assert not (tmp_path / "nonexistent").exists()
    rc, err = _run(["printer", "render", str(tmp_path / "t.png"), "--config", str(tmp / "good.toml")], env)
    assert rc == 0 and (tmp_path / "t.png").stat().st_size > 0
