"""A small TOML writer for the settings file (strings, numbers, booleans, paths, lists, and lists
of tables such as `services`). Deterministic: the same settings give the same bytes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, Path):
        v = str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)     # a JSON string is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k)


def dumps(doc: Mapping[str, Any]) -> str:
    lines, tables = [], []
    for k, v in doc.items():
        if isinstance(v, (list, tuple)) and v and all(isinstance(x, Mapping) for x in v):
            tables.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, rows in tables:
        for row in rows:
            lines.append("")
            lines.append(f"[[{_key(k)}]]")
            lines += [f"{_key(rk)} = {_value(rv)}" for rk, rv in row.items()]
    return "\n".join(lines) + "\n"
