"""The encrypted store: SQLCipher connection (db), key providers (keys), migrations (migrate),
repositories behind the `Store` facade (store), key rotation and checks (rekey).

    from kiosk.store.migrate import open_store
    store = open_store(data_dir, key_provider.load())
    with store.transaction():
        ...
"""
