"""The audit log's hash chain: each entry's hash covers its fields and the previous hash.

Pure functions: the store appends rows, this module computes and verifies the chain. An edited
entry breaks its own hash; a deleted or reordered entry breaks the next entry's link; a deleted
tail is caught by the chain head kept in the settings table in the same transaction.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Mapping

GENESIS = "0" * 64


def canonical_details(details: Mapping | None) -> str:
    return json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev_hash: str, at: str, actor: str, role: str | None, action: str,
               target: str | None, details: str) -> str:
    fields = [prev_hash, at, actor, role or "", action, target or "", details]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    entries: int
    first_broken_id: int | None = None
    reason: str = ""


def verify_chain(rows: Iterable[Mapping], head: str | None = None) -> ChainVerdict:
    """Walk rows in id order; name the first entry whose hash or link is wrong.

    `head` is the stored chain head "count:hash" (None when never written: only an empty log).
    """
    prev, count, last_id = GENESIS, 0, None
    for row in rows:
        count += 1
        if row["prev_hash"] != prev:
            return ChainVerdict(False, count, row["id"], "link to the previous entry is broken "
                                "(an entry before it was deleted, inserted or reordered)")
        expected = entry_hash(row["prev_hash"], row["at"], row["actor"], row["role"], row["action"],
                              row["target"], row["details"] or "{}")
        if row["hash"] != expected:
            return ChainVerdict(False, count, row["id"], "entry content does not match its hash (edited)")
        prev, last_id = row["hash"], row["id"]
    if head is None:
        if count:
            return ChainVerdict(False, count, last_id, "chain head missing")
        return ChainVerdict(True, 0)
    head_count, _, head_hash = head.partition(":")
    if int(head_count) != count or head_hash != prev:
        return ChainVerdict(False, count, last_id,
                            f"chain head says {head_count} entries, found {count} (entries removed at the end)")
    return ChainVerdict(True, count)
