"""The calling queue: entries, counters, the calling order, transitions, waiting estimates.

Pure: the local store (kiosk/store/queue.py) and the facility hub run the same rules.
"""
from kiosk.core.queue.model import (Counter, EntryState, Origin, QueueEntry, QueueRuleError,
                                    TERMINAL_STATES)
from kiosk.core.queue.order import CallingPolicy, order_key, pick_next, waiting_order

__all__ = ["Counter", "EntryState", "Origin", "QueueEntry", "QueueRuleError", "TERMINAL_STATES",
           "CallingPolicy", "order_key", "pick_next", "waiting_order"]
