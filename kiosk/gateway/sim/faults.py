"""Gateway simulator: fault injection, switchable at run time (admin endpoint, CLI flags, SimHandle).

Each rate is a probability per request in the scoped endpoint groups. Order per request:
latency -> refuse (503, 500, malformed JSON, 401 token expiry, drop before processing) ->
process (a dossier is stored) -> reply late (timeout) or drop the reply (connection closed).
"""
from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields

GROUPS = ("token", "card", "history", "upload", "lookup", "vneid")


@dataclass
class Faults:
    latency_ms: float = 0.0           # added before every scoped request
    error503_rate: float = 0.0        # HTTP 503, nothing processed
    error500_rate: float = 0.0        # HTTP 500, nothing processed
    malformed_rate: float = 0.0       # HTTP 200 with a body that is not JSON, nothing processed
    unauthorized_rate: float = 0.0    # the caller's token is expired on the spot -> maKetQua 401
    drop_before_rate: float = 0.0     # connection closed without reply, nothing processed
    timeout_rate: float = 0.0         # processed (stored), then the reply is held for hang_seconds
    drop_after_rate: float = 0.0      # processed (stored), then the connection closed without reply
    hang_seconds: float = 3.0
    scope: list[str] = field(default_factory=lambda: list(GROUPS))
    seed: int | None = None

    def validate(self) -> None:
        for f in fields(self):
            if f.name.endswith("_rate") and not 0.0 <= getattr(self, f.name) <= 1.0:
                raise ValueError(f"{f.name} must be within 0..1")
        unknown = [g for g in self.scope if g not in GROUPS]
        if unknown:
            raise ValueError(f"unknown fault scope {unknown[0]!r}; groups: {', '.join(GROUPS)}")

    def to_dict(self) -> dict:
        return asdict(self)


class FaultSwitch:
    """The current faults and a seeded RNG, shared by the handler threads."""

    PRE = ("error503", "error500", "malformed", "unauthorized", "drop_before")
    POST = ("timeout", "drop_after")

    def __init__(self, faults: Faults | None = None):
        self._lock = threading.Lock()
        self.set(faults or Faults())

    def set(self, faults: Faults) -> None:
        faults.validate()
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    def update(self, **changes) -> Faults:
        with self._lock:
            current = asdict(self._faults)
        unknown = [k for k in changes if k not in current]
        if unknown:
            raise ValueError(f"unknown fault {unknown[0]!r}")
        current.update(changes)
        faults = Faults(**current)
        self.set(faults)
        return faults

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def roll(self, group: str, names: tuple[str, ...]) -> str | None:
        """The fault to apply now among `names` for this endpoint group, or None."""
        with self._lock:
            f = self._faults
            if group not in f.scope:
                return None
            for name in names:
                rate = getattr(f, name + "_rate")
                if rate and self._rng.random() < rate:
                    return name
        return None

    def latency(self, group: str) -> float:
        f = self.faults
        return f.latency_ms / 1000.0 if group in f.scope else 0.0
