"""Values as people read them (Vietnamese number style: decimal comma)."""
from __future__ import annotations

from typing import Any


def _dec(x: float, places: int = 1) -> str:
    return f"{x:.{places}f}".replace(".", ",")


def human(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return _dec(value * 100) + " %"
    if kind == "seconds":
        s = float(value)
        if s < 120:
            return f"{int(round(s))} giây"
        if s < 2 * 3600:
            return _dec(s / 60) + " phút"
        if s < 3 * 86400:
            return _dec(s / 3600) + " giờ"
        return _dec(s / 86400) + " ngày"
    if kind == "int":
        return f"{int(value):,}".replace(",", ".")
    return str(value)


def minutes(value: Any) -> float | None:
    return None if value is None else round(float(value) / 60, 1)
