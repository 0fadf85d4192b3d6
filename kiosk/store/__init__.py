"""The encrypted store: SQLCipher connection (db), key providers (keys), migrations (migrate),
repositories behind the `Store` facade (store), key rotation and checks (rekey).

    from kiosk.store import open_store
    store = open_store(data_dir, key_provider.load())
    with store.transaction():
        ...
"""
from kiosk.store.open import open_store

__all__ = ["open_store"]
