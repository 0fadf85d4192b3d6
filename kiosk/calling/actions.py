"""The caller's actions on a held patient or a numbered entry, the same for the local store
(`CallingService`) and the facility hub (`HubCallingService`): each is one pure step of the queue
model (kiosk.core.queue.model) that the service runs inside its own transaction, audited."""
from __future__ import annotations

from typing import Any, Callable

from kiosk.core.queue import model as m
from kiosk.core.queue.model import QueueEntry, QueueRuleError


class CallerActions:
    """Mixin: the service provides `settings` (rooms, return_window), `_held_action` (the entry
    this counter holds) and `_entry_action` (an entry by its ticket number)."""

    settings: Any

    def _held_action(self, session, counter_id: str, action: str, step: Callable, *,
                     call_kind: str | None = None, details: dict | None = None) -> QueueEntry:
        raise NotImplementedError

    def _entry_action(self, session, number: str, action: str, step: Callable) -> QueueEntry:
        raise NotImplementedError

    def recall(self, session, counter_id: str) -> QueueEntry:
        return self._held_action(session, counter_id, "recall",
                                 lambda e, now: m.recall(e, counter_id, now), call_kind="recall")

    def start(self, session, counter_id: str) -> QueueEntry:
        return self._held_action(session, counter_id, "start", lambda e, now: m.start(e, counter_id, now))

    def finish(self, session, counter_id: str) -> QueueEntry:
        return self._held_action(session, counter_id, "finish", lambda e, now: m.finish(e, counter_id, now))

    def no_show(self, session, counter_id: str) -> QueueEntry:
        return self._held_action(session, counter_id, "no_show", lambda e, now: m.no_show(e, counter_id, now))

    def requeue(self, session, counter_id: str) -> QueueEntry:
        """Put the called patient back in the queue (called by mistake)."""
        return self._held_action(session, counter_id, "requeue", lambda e, now: m.requeue(e, counter_id))

    def transfer(self, session, counter_id: str, service_code: str, room: str | None = None) -> QueueEntry:
        target_room = room or self.settings.rooms.get(service_code)
        if target_room is None:
            raise QueueRuleError("unknown_service", f"no service {service_code!r}")
        return self._held_action(session, counter_id, "transfer",
                                 lambda e, now: m.transfer(e, service_code, target_room, now),
                                 details={"to_service": service_code, "to_room": target_room})

    def undo_transfer(self, session, number: str) -> QueueEntry:
        return self._entry_action(session, number, "undo_transfer", lambda e, now: m.undo_transfer(e))

    def return_later(self, session, number: str) -> QueueEntry:
        return self._entry_action(session, number, "return",
                                  lambda e, now: m.return_later(e, now, self.settings.return_window))

    def cancel(self, session, number: str) -> QueueEntry:
        return self._entry_action(session, number, "cancel", lambda e, now: m.cancel(e))
