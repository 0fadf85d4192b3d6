"""mypy over kiosk/ and drivers/ (configured in pyproject.toml's [tool.mypy]): zero errors.

mypy runs in a subprocess with this interpreter, from the repository root, so it reads the
project's configuration and checks this checkout (not an installed copy). Its cache lives in
the system temp directory, one per checkout, so a warm run takes seconds and a cold one well
under a minute.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cache_dir() -> Path:
    key = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"kiosk-mypy-cache-{key}"


def _mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(_cache_dir()), *args],
        cwd=cwd, capture_output=True, text=True, timeout=280)


def test_kiosk_and_drivers_type_check_clean():
    # No arguments: the packages (kiosk, drivers) and the options come from pyproject.toml.
    run = _mypy()
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"mypy found errors:\n{report}"
    assert "Success: no issues found" in run.stdout, report


def test_the_check_catches_a_type_error(tmp_path):
    # The same configuration reports a plain type error, so a clean run above means something.
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x: int) -> str:\n    return x\n", encoding="utf-8")
    run = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(bad), cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'bad.py:2: error: Incompatible return value type (got "int", expected "str")' \
        in run.stdout
