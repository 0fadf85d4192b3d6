"""The audit log's hash chain: each entry's hash covers its fields and the previous hash.

Pure functions: the store appends rows, this module computes and verifies the chain. An edited
entry breaks its own hash; a deleted or reordered entry breaks the next entry's link; a deleted
tail is caught by the chain head kept in the settings table in the same transaction.

Keyed (red-team M7): with a chain key (random, kept in the encrypted database) each hash is
an HMAC, written "h1:<hex>", so rewriting the log needs the key, not just SQL; an unkeyed entry
after a keyed one is a downgrade and fails. Against someone who holds the key file, the head is
also anchored outside the database (heartbeat line, `kiosk audit verify --anchor COUNT:HASH`):
a rewritten history or a cut tail no longer matches an anchor taken earlier.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Iterable, Mapping

GENESIS = "0" * 64


def canonical_details(details: Mapping | None) -> str:
    return json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


KEYED = "h1:"


def entry_hash(prev_hash: str, at: str, actor: str, role: str | None, action: str,
               target: str | None, details: str, key: bytes | None = None) -> str:
    fields = [prev_hash, at, actor, role or "", action, target or "", details]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key:
        return KEYED + hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    entries: int
    first_broken_id: int | None = None
    reason: str = ""


def verify_chain(rows: Iterable[Mapping], head: str | None = None, key: bytes | None = None,
                 anchor: str | None = None) -> ChainVerdict:
    """Walk rows in id order; name the first entry whose hash or link is wrong.

    `head` is the stored chain head "count:hash" (None when never written: only an empty log).
    `key` checks keyed entries; `anchor` is a "count:hash" head recorded outside the database.
    """
    prev, count, last_id, keyed = GENESIS, 0, None, False
    anchor_count, _, anchor_hash = (anchor or "").partition(":")
    for row in rows:
        count += 1
        if row["prev_hash"] != prev:
            return ChainVerdict(False, count, row["id"], "link to the previous entry is broken "
                                "(an entry before it was deleted, inserted or reordered)")
        is_keyed = str(row["hash"]).startswith(KEYED)
        if keyed and not is_keyed:
            return ChainVerdict(False, count, row["id"], "unkeyed entry after keyed ones (chain rewritten without the key)")
        if is_keyed and not key:
            return ChainVerdict(False, count, row["id"], "keyed entry, but no chain key to check it")
        keyed = keyed or is_keyed
        expected = entry_hash(row["prev_hash"], row["at"], row["actor"], row["role"], row["action"],
                              row["target"], row["details"] or "{}", key if is_keyed else None)
        if not hmac.compare_digest(str(row["hash"]), expected):
            return ChainVerdict(False, count, row["id"], "entry content does not match its hash (edited)")
        if anchor and str(count) == anchor_count and row["hash"] != anchor_hash:
            return ChainVerdict(False, count, row["id"], "entry does not match the anchor kept outside the database "
                                "(history rewritten)")
        prev, last_id = row["hash"], row["id"]
    if anchor and anchor_count.isdigit() and count < int(anchor_count):
        return ChainVerdict(False, count, last_id, f"the anchor kept outside the database names {anchor_count} "
                            f"entries, found {count} (entries removed at the end)")
    if head is None:
        if count:
            return ChainVerdict(False, count, last_id, "chain head missing")
        return ChainVerdict(True, 0)
    head_count, _, head_hash = head.partition(":")
    if int(head_count) != count or head_hash != prev:
        return ChainVerdict(False, count, last_id,
                            f"chain head says {head_count} entries, found {count} (entries removed at the end)")
    return ChainVerdict(True, count)
