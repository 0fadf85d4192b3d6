"""The outbox worker: signed check-ins and visit summaries reach the gateway exactly once.

    worker = kiosk.sync.runner.build_worker(cfg, key)   # own thread, own connection, one per data dir
    worker.start(); ...; worker.notify()  # after a service committed new outbox items
    worker.stop()
"""
