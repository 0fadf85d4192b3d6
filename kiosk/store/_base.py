"""What every repository shares: the connection, the clock, and typed integrity errors.

Repositories never BEGIN or COMMIT: the caller's `store.transaction()` decides what is atomic.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Iterator, TypeVar, cast

import sqlcipher3

from kiosk.core.clock import Clock, SystemClock, iso
from kiosk.store.errors import translate_integrity

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


class Repo:
    def __init__(self, conn, clock: Clock | None = None):
        self.conn = conn
        self.clock = clock or SystemClock()

    def _now(self) -> str:
        return iso(self.clock.now())

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn the driver's IntegrityError into ours (DuplicateActiveTicket, DuplicateMaLk...)."""
        try:
            yield
        except sqlcipher3.IntegrityError as exc:
            raise translate_integrity(exc) from None


def row_to(cls: type[T], row, **extra: Any) -> T:
    """Build dataclass `cls` from a Row whose column names match its fields."""
    keys = row.keys()
    values = {f.name: row[f.name] for f in fields(cls) if f.name in keys}
    values.update(extra)
    return cls(**values)


class Mappable:
    """Lets a dataclass be read like a row (`entry["hash"]`), for pure functions taking mappings."""

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def keys(self):
        return [f.name for f in fields(cast("DataclassInstance", self))]  # mixed into dataclasses only
