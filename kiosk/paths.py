"""Where the kiosk's shipped files live: the source tree, an installed package or a PyInstaller build."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def project_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return Path(os.environ.get("KIOSK_RESOURCES_DIR") or project_root() / "resources")


def migrations_dir() -> Path:
    return Path(os.environ.get("KIOSK_MIGRATIONS_DIR") or project_root() / "migrations")
