"""Compile resources/i18n/*.ts into .qm (run by ./dev.sh setup and the build); a no-op when fresh."""
from __future__ import annotations

import sys
from pathlib import Path

from kiosk.paths import resources_dir


def lrelease_path() -> str | None:
    import shutil
    exe = Path(sys.executable).parent / "pyside6-lrelease"
    return str(exe) if exe.exists() else shutil.which("pyside6-lrelease")


def build(force: bool = False) -> list[Path]:
    built = []
    tool = None
    for ts in sorted((resources_dir() / "i18n").glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if not force and qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        tool = tool or lrelease_path()
        if tool is None:
            raise SystemExit("pyside6-lrelease not found: install PySide6-Essentials")
        import subprocess                  # only when a .qm needs building: not on the cold start
        subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], check=True)
        built.append(qm)
    return built


if __name__ == "__main__":
    for path in build(force="--force" in sys.argv):
        print(f"built {path}")
