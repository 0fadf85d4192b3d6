"""`kiosk build`: the PyInstaller one-dir build from build.spec (source checkouts only)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.paths import project_root


def register(sub, parents) -> None:
    p = sub.add_parser("build", parents=parents, help="build the one-dir binary with PyInstaller")
    p.add_argument("--dist", type=Path, default=None, help="output directory (default: ./dist)")
    p.add_argument("--work", type=Path, default=None,
                   help="PyInstaller's scratch directory (default: ./build/pyinstaller; emptied first)")
    p.set_defaults(func=_build)


def _build(args, ctx) -> int:
    root = project_root()
    spec = root / "build.spec"
    if not spec.exists():
        print("kiosk build: build.spec not found (run from a source checkout)", file=sys.stderr)
        return 2
    for where, path in (("--dist", args.dist), ("--work", args.work)):
        if path is not None:
            try:
                Path(path).mkdir(parents=True, exist_ok=True)     # the place the user asked for
            except OSError as exc:
                print(f"kiosk build: {where} {path}: {exc.strerror}", file=sys.stderr)
                return 2
    pyinstaller = Path(sys.executable).parent / "pyinstaller"
    if not pyinstaller.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyinstaller>=6.5"], check=True)
    try:   # the bundle ships compiled translations: make sure they are fresh
        from kiosk.ui.translations_build import build as build_translations
        build_translations()
    except (ImportError, OSError, SystemExit, subprocess.CalledProcessError) as exc:
        print(f"kiosk build: translations not rebuilt ({exc}); shipping the .qm files as they are",
              file=sys.stderr)
    dist = args.dist or root / "dist"
    work = args.work or root / "build" / "pyinstaller"
    shutil.rmtree(work, ignore_errors=True)
    cmd = [str(pyinstaller), "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
           "--workpath", str(work), str(spec)]
    result = subprocess.run(cmd, cwd=root)
    if result.returncode == 0:
        built = sorted(dist.glob("kiosk-*"))
        print(f"built {built[-1] if built else dist}")
    return result.returncode
