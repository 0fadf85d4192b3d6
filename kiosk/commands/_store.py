"""Opening the store for a CLI command from the settings (and an optional --key-file)."""
from __future__ import annotations

from pathlib import Path

from kiosk.store.keys import key_provider_from_config
from kiosk.store.migrate import open_store


def open_for_cli(cfg, key_file: Path | None = None, clock=None):
    if key_file is not None:
        cfg = cfg.replace(key_file=key_file)
    key = key_provider_from_config(cfg).load()
    return open_store(cfg.data_dir, key, clock=clock, cache_mib=cfg.db_cache_mib,
                      busy_timeout_ms=cfg.db_busy_timeout_ms)
