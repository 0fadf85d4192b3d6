"""The demo seeds its staff accounts once, so staff mode can be tried; the audit chain stays intact."""
import os

from kiosk.security.audit_log import AuditLog
from kiosk.store.migrate import open_store
from kiosk.demo.seed import DEMO_STAFF, seed_staff


def test_demo_staff_seeded_once_with_working_pins(tmp_path):
    from kiosk.config import load
    from kiosk.security.accounts import StaffAccounts
    key = os.urandom(32)
    cfg = load(None, env={}).replace(data_dir=tmp_path / "data")
    open_store(cfg.data_dir, key, create=True).close()
    lines = seed_staff(cfg, key)
    assert len(lines) == len(DEMO_STAFF) and all("PIN" in line for line in lines)
    assert seed_staff(cfg, key) == []            # a second demo run on the same data dir adds nothing
    store = open_store(cfg.data_dir, key)
    try:
        roles = {a.username: a.role for a in store.staff.list()}
        assert roles == {u: r for u, _, r, _ in DEMO_STAFF}
        session = StaffAccounts(store, AuditLog(store), store.clock).sign_in("ky.thuat", "551902")
        assert session.role.value == "technician"
        assert AuditLog(store).verify().ok
    finally:
        store.close()
