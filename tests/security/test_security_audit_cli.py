"""`kiosk audit verify|export` as a technician runs them, against a real SQLCipher file."""
from __future__ import annotations

import json

from kiosk import cli
from kiosk.security.audit_log import AuditLog
from kiosk.store.keys import FileKeyProvider
from kiosk.store import open_store


def _kiosk(tmp_path, n: int):
    data, key_file = tmp_path / "data", tmp_path / "secrets" / "db.key"
    key_file.parent.mkdir(mode=0o700, parents=True)
    store = open_store(data, FileKeyProvider(key_file).create(), create=True)
    audit = AuditLog(store)
    ids = [audit.append("le.tan", "reception", "ticket.reprint", f"ticket:{i}", {"reason": "kẹt giấy"})
           for i in range(n)]
    return store, ids, ["--data-dir", str(data), "audit"], ["--key-file", str(key_file)]


def test_verify_and_export_an_intact_chain(tmp_path, capsys):
    store, ids, head, key = _kiosk(tmp_path, 3)
    store.close()
    assert cli.main([*head, "verify", *key]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    out = tmp_path / "audit.jsonl"
    assert cli.main([*head, "export", *key, "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows][:3] == ids and rows[0]["details"] == '{"reason":"kẹt giấy"}'
    assert [r["action"] for r in rows[3:]] == ["audit.verify"] and rows[3]["role"] == "os-user"   # L3
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert cli.main([*head, "export", *key, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "id,at,actor,role,action,target,details,prev_hash,hash"


def test_verify_names_the_edited_entry_and_fails(tmp_path, capsys):
    store, ids, head, key = _kiosk(tmp_path, 4)
    store.conn.execute("DROP TRIGGER audit_log_no_update")
    store.conn.execute("UPDATE audit_log SET actor = 'someone.else' WHERE id = ?", (ids[2],))
    store.close()
    assert cli.main([*head, "verify", *key]) == 1
    assert f"BROKEN at entry {ids[2]}" in capsys.readouterr().out


def test_verify_with_the_wrong_key_says_so(tmp_path, capsys):
    store, _, head, _ = _kiosk(tmp_path, 1)
    store.close()
    wrong = tmp_path / "secrets" / "other.key"
    FileKeyProvider(wrong).create()
    assert cli.main([*head, "verify", "--key-file", str(wrong)]) == 1
    assert "kiosk audit:" in capsys.readouterr().err


def _rewrite(store, key: bytes | None, drop_last: int = 0):
    """What an insider with the database key does: drop the triggers, edit entry 2, recompute
    every hash (plain SHA-256 without `key`, the chain's HMAC with it) and move the head."""
    from kiosk.security.audit_chain import GENESIS, entry_hash
    for trig in ("audit_log_no_update", "audit_log_no_delete"):
        store.conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
    rows = list(store.audit.iter_all())
    for r in rows[len(rows) - drop_last:]:
        store.conn.execute("DELETE FROM audit_log WHERE id = ?", (r.id,))
    rows = rows[:len(rows) - drop_last]
    prev = GENESIS
    for i, r in enumerate(rows):
        actor = "someone.else" if i == 1 else r.actor
        h = entry_hash(prev, r.at, actor, r.role, r.action, r.target, r.details, key)
        store.conn.execute("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", (actor, prev, h, r.id))
        prev = h
    store.settings.set("audit_chain_head", f"{len(rows)}:{prev}")


def test_a_recomputed_chain_is_caught_by_the_key_and_by_an_outside_anchor(tmp_path, capsys):
    """M7: the red team rewrote every hash and the head, and `audit verify` said intact."""
    store, ids, head, key = _kiosk(tmp_path, 5)
    anchor = AuditLog(store).head()
    assert anchor.startswith("5:h1:")                              # keyed: an HMAC, not a bare SHA-256
    _rewrite(store, None)                                          # plain SHA-256, as before the key
    store.close()
    assert cli.main([*head, "verify", *key, "--anchor", anchor]) == 1
    assert "BROKEN" in capsys.readouterr().out

    store, ids, head, key = _kiosk(tmp_path / "b", 5)
    anchor = AuditLog(store).head()
    _rewrite(store, AuditLog(store).key)                             # with the key file: the HMACs match again
    store.close()
    assert cli.main([*head, "verify", *key]) == 0                  # nothing inside the database can tell...
    capsys.readouterr()
    assert cli.main([*head, "verify", *key, "--anchor", anchor]) == 1   # ...the head kept outside can
    assert "anchor" in capsys.readouterr().out

    store, ids, head, key = _kiosk(tmp_path / "c", 5)
    anchor = AuditLog(store).head()
    _rewrite(store, AuditLog(store).key, drop_last=2)                  # cut the tail, move the head back
    store.close()
    assert cli.main([*head, "verify", *key, "--anchor", anchor]) == 1
    assert "BROKEN" in capsys.readouterr().out


def test_the_daily_backup_anchors_the_chain_head_and_verify_catches_a_cut_tail(tmp_path, capsys):
    """M7: the head is anchored outside the database in the nightly backup's manifest."""
    from datetime import datetime, timezone
    from kiosk.ops.jobs import nightly_backup
    from kiosk.store.backup import backup_dir, list_backups, manifest_path, read_manifest
    store, ids, head, key = _kiosk(tmp_path, 5)
    anchor = AuditLog(store).head()
    data = tmp_path / "data"
    key_bytes = (tmp_path / "secrets" / "db.key").read_bytes()
    out = nightly_backup(lambda: _reopen(data, key_bytes), key_bytes, data, 14, datetime.now(timezone.utc))
    (info,) = list_backups(backup_dir(data))
    assert out.info.path == info.path and manifest_path(info.path).exists()
    manifest = read_manifest(info.path)
    assert manifest["audit_head"] == anchor and manifest["backup"] == info.path.name
    assert len(manifest["sha256"]) == 64 and manifest["size"] == info.size
    AuditLog(store).append("le.tan", "reception", "ticket.reprint", "ticket:9", {})   # the day goes on
    store.close()
    for given in (str(info.path), str(manifest_path(info.path))):
        assert cli.main([*head, "verify", *key, "--anchor", given]) == 0, given
        assert "intact" in capsys.readouterr().out
    store = _reopen(data, key_bytes)
    _rewrite(store, AuditLog(store).key, drop_last=4)       # the insider cuts back past the backup's head
    store.close()
    assert cli.main([*head, "verify", *key]) == 0           # consistent inside the database...
    capsys.readouterr()
    assert cli.main([*head, "verify", *key, "--anchor", str(info.path)]) == 1   # ...not with the backup's anchor
    assert "BROKEN" in capsys.readouterr().out
    manifest_path(info.path).write_text("{}", encoding="utf-8")
    assert cli.main([*head, "verify", *key, "--anchor", str(info.path)]) == 1
    assert "no audit chain head" in capsys.readouterr().err


def _reopen(data, key_bytes):
    from kiosk.store.migrate import open_store
    return open_store(data, key_bytes)
