"""`kiosk audit verify|export` as a technician runs them, against a real SQLCipher file."""
from __future__ import annotations

import json

from kiosk import cli
from kiosk.security.audit_log import AuditLog
from kiosk.store.keys import FileKeyProvider
from kiosk.store import open_store


def _kiosk(tmp_path, n: int):
    data, key_file = tmp_path / "data", tmp_path / "secrets" / "db.key"
    key_file.parent.mkdir(mode=0o700)
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
    assert [r["id"] for r in rows] == ids and rows[0]["details"] == '{"reason":"kẹt giấy"}'
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
