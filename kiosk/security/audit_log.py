"""The audit log: every override, edit, reprint, cancellation, resend, key rotation and
provisioning change, appended as a hash chain in the same transaction as the change itself.
"""
from __future__ import annotations

import csv
import io
import json
import secrets
from typing import Iterable, Mapping

from kiosk.core.clock import iso
from kiosk.security.audit_chain import GENESIS, ChainVerdict, canonical_details, entry_hash, verify_chain

HEAD_KEY = "audit_chain_head"
KEY_KEY = "audit_chain_key"   # hex HMAC key of the chain, inside the encrypted database


class AuditLog:
    """`append` joins the caller's transaction (or opens its own): entry and chain head move together."""

    def __init__(self, store, key: bytes | None = None):
        self.store = store
        self._key = key   # None: the chain key kept (encrypted) in the database, made on first append

    @property
    def key(self) -> bytes | None:
        if self._key is None:
            stored = self.store.settings.get(KEY_KEY)
            self._key = bytes.fromhex(stored) if stored else None
        return self._key

    def _key_for_append(self) -> bytes:
        key = self.key
        if key is None:
            # random, not derived from the database key: a key rotation must not break the chain
            key = secrets.token_bytes(32)
            self.store.settings.set(KEY_KEY, key.hex())
            self._key = key
        return key

    def append(self, actor: str, role: str | None, action: str, target: str | None = None,
               details: Mapping | None = None) -> int:
        with self.store.transaction():
            head = self.store.settings.get(HEAD_KEY)
            count_s, _, prev = (head or f"0:{GENESIS}").partition(":")   # a keyed hash holds a colon too
            count = int(count_s)
            at = iso(self.store.clock.now())
            text = canonical_details(details)
            digest = entry_hash(prev, at, actor, role, action, target, text, self._key_for_append())
            entry_id = self.store.audit.append({"at": at, "actor": actor, "role": role, "action": action,
                                                "target": target, "details": text, "prev_hash": prev,
                                                "hash": digest})
            self.store.settings.set(HEAD_KEY, f"{count + 1}:{digest}")
        return entry_id

    def verify(self, anchor: str | None = None) -> ChainVerdict:
        return verify_chain(self.store.audit.iter_all(), self.store.settings.get(HEAD_KEY), self.key, anchor)

    def head(self) -> str:
        """The chain head "count:hash", to anchor outside the database (heartbeat, backups)."""
        return self.store.settings.get(HEAD_KEY) or f"0:{GENESIS}"

    def export(self, fmt: str = "jsonl") -> str:
        entries: Iterable = self.store.audit.iter_all()
        cols = ("id", "at", "actor", "role", "action", "target", "details", "prev_hash", "hash")
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(cols)
            for e in entries:
                writer.writerow([e[c] for c in cols])
            return out.getvalue()
        return "".join(json.dumps({c: e[c] for c in cols}, ensure_ascii=False) + "\n" for e in entries)


OS_USER_ROLE = "os-user"


def os_actor() -> tuple[str, str, dict]:
    """Who ran a CLI verb that no staff member signed in for: the OS account that holds the key file.
    The audit says exactly that (uid and user name, no secret) instead of inventing a role (red-team L3)."""
    import getpass
    import os
    try:
        user = getpass.getuser()
    except (KeyError, OSError):   # a uid with no passwd entry (containers)
        user = f"uid{os.getuid()}"
    return (f"cli:{user}", OS_USER_ROLE,
            {"authority": "OS user with the database key file", "uid": os.getuid(), "user": user})


def record_cli(store, action: str, target: str | None, details: Mapping | None = None) -> int:
    """Append an entry for a CLI verb run as the OS user with the key file (see os_actor)."""
    actor, role, who = os_actor()
    return AuditLog(store).append(actor, role, action, target, {**(details or {}), **who})
