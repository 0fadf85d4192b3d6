"""CLI verbs that change keys, backups or the outbox, run with only the key file, say so in the audit
chain: the OS user (uid and name) that holds the key file, never an invented staff role (red-team L3)."""
from __future__ import annotations

import getpass
import json
import os

from kiosk import cli
from kiosk.commands._store import open_for_cli
from kiosk.config import load


def _last(data, key_file):
    with open_for_cli(load(None, overrides={"data_dir": data}), key_file) as store:
        return store.audit.list(limit=1)[0]


def test_key_backup_outbox_and_audit_verbs_record_the_os_user(tmp_path, capsys):
    data, key_file, new_key = tmp_path / "data", tmp_path / "k" / "db.key", tmp_path / "k" / "next.key"
    base = ["--data-dir", str(data)]
    assert cli.main([*base, "db", "init", "--key-file", str(key_file)]) == 0
    secret_hex = key_file.read_bytes().hex()
    steps = [
        (["db", "backup", "--key-file", str(key_file)], "db.backup", key_file),
        (["sync", "retry", "--dead", "--key-file", str(key_file)], "outbox.resend_dead", key_file),
        (["audit", "verify", "--key-file", str(key_file)], "audit.verify", key_file),
        (["audit", "export", "--key-file", str(key_file), "--out", str(tmp_path / "a.jsonl")], "audit.export", key_file),
        (["db", "rekey", "--key-file", str(key_file), "--new-key-file", str(new_key)], "db.rekey", new_key),
        (["db", "backup", "--key-file", str(new_key)], "db.backup", new_key),
        (["db", "restore", "--latest", "--key-file", str(new_key)], "db.restore", new_key),
    ]
    seen = []
    for argv, action, key_now in steps:
        code = cli.main([*base, *argv])
        out = capsys.readouterr()
        assert code == 0, (argv, out.err)
        entry = _last(data, key_now)
        details = json.loads(entry.details)
        assert entry.action == action, argv
        assert (entry.actor, entry.role) == (f"cli:{getpass.getuser()}", "os-user"), argv
        assert details["uid"] == os.getuid() and details["user"] == getpass.getuser(), argv
        assert details["authority"] == "OS user with the database key file"
        for secret in (secret_hex, *([new_key.read_bytes().hex()] if new_key.exists() else [])):
            assert secret not in entry.details
        seen.append(action)
    assert "technician" not in {_last(data, new_key).role}
    code = cli.main([*base, "audit", "verify", "--key-file", str(new_key)])
    assert code == 0 and "intact" in capsys.readouterr().out
