"""The bridge from a desk port's live feed (a plain thread, `kiosk.facility.desk_live.DeskLive`) to
the Qt thread: the feed's callbacks emit queued signals, so no widget is touched off the UI thread."""
from __future__ import annotations

from kiosk.ui.qt import QObject, Signal


class LiveBridge(QObject):
    changed = Signal(int)          # events applied
    state = Signal(bool)           # hub reachable?

    def __init__(self, live, parent=None):
        super().__init__(parent)
        self.live = live
        live.start(on_change=self.changed.emit, on_state=self.state.emit)

    def detach(self) -> None:
        """The window goes away: the feed keeps running for the next sign-in, without calling us."""
        self.live.on_change = self.live.on_state = None
