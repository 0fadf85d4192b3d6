"""The display follows the queue live through its own connection, goes calm ("Đang cập nhật…")
when its source is gone and comes back by itself; the caller panel works from the keyboard."""
from __future__ import annotations

import pytest

from calling_helpers import issue
from kiosk.calling.caller import CallerBackend
from kiosk.calling.compose import display_feed
from kiosk.calling.feed import REOPEN_EVERY_S, STALE_AFTER_S
from kiosk.security.accounts import StaffAccounts
from kiosk.security.audit_log import AuditLog
from kiosk.security.pins import PinHasher
from kiosk.security.roles import Role
from kiosk.store.migrate import open_store


class Source:
    """Opens the kiosk's database, or fails while `down` (the kiosk restarting, the file replaced)."""

    def __init__(self, data_dir, key, clock):
        self.args, self.down = (data_dir, key, clock), False

    def __call__(self):
        if self.down:
            from kiosk.store.db import MissingDatabaseError
            raise MissingDatabaseError(self.args[0])
        data_dir, key, clock = self.args
        return open_store(data_dir, key, clock=clock)


@pytest.fixture
def source(data_dir, key, clock, store):
    return Source(data_dir, key, clock)


@pytest.fixture
def feed(cfg, source, clock):
    f = display_feed(cfg, source, clock=clock)
    yield f
    f.close()


def go_down(feed, source):
    source.down = True
    feed._store.conn.close()


def texts(widget) -> list[str]:
    from kiosk.ui.qt import QLabel
    return [lab.text() for lab in widget.findChildren(QLabel) if lab.isVisibleTo(widget)]


def test_feed_sees_a_call_from_another_connection_on_the_next_poll(store, calling, staff, feed, clock):
    issue(store, 3, clock=clock)
    first = feed.poll()
    assert not first.stale and first.board.calls == () and first.new_calls == ()
    assert [r.next_numbers for r in first.board.rooms if r.counter_id == "Q1"] == [("A1-001", "A1-002", "A1-003")]
    assert feed.poll().changed is False                 # nothing committed: nothing re-read
    calling.call_next(staff, "Q2")
    st = feed.poll()
    assert st.changed and [c["number"] for c in st.new_calls] == ["A1-001"]
    line = st.board.calls[0]
    assert (line.number, line.place_vi, line.place_en) == ("A1-001", "Quầy 2", "Counter 2")
    q2 = next(r for r in st.board.rooms if r.counter_id == "Q2")
    assert q2.serving == "A1-001" and q2.next_numbers == ("A1-002", "A1-003")
    k01 = next(w for w in st.board.waits if w.code == "K01")
    assert (k01.waiting, k01.minutes) == (2, 8)   # (2 ahead + Q2 half done) / 2 counters x 6 min, rounded up


def test_feed_goes_stale_when_the_source_is_gone_and_recovers(store, calling, staff, feed, source, clock):
    issue(store, 1)
    assert feed.poll().board is not None
    go_down(feed, source)
    assert feed.poll().stale is False                   # a blink: the last board stays a moment
    clock.advance(STALE_AFTER_S + 0.1)
    assert feed.poll().stale is True
    clock.advance(REOPEN_EVERY_S + 0.1)
    assert feed.poll().stale is True                    # still gone: still calm
    source.down = False
    clock.advance(REOPEN_EVERY_S + 0.1)
    calling.call_next(staff, "Q1")
    st = feed.poll()                                    # reopened: fresh numbers, no stale ones
    assert not st.stale and st.board.calls[0].number == "A1-001"


def test_window_shows_the_call_live_and_updating_when_gone(qtbot, store, calling, staff, feed, source, clock):
    from kiosk.ui.display.window import DisplayWindow
    issue(store, 2)
    spoken = []
    win = DisplayWindow(feed.poll, title="Bệnh viện Thử", on_calls=spoken.extend, poll_ms=20)
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    assert "Chưa có số nào được gọi" in texts(win)
    calling.call_next(staff, "Q1")
    qtbot.waitUntil(lambda: "A1-001" in texts(win), timeout=2000)
    assert [c["number"] for c in spoken] == ["A1-001"]
    assert not any("NGƯỜI THỬ" in t for t in texts(win))   # numbers only on a public screen
    go_down(feed, source)
    clock.advance(STALE_AFTER_S + 0.1)
    qtbot.waitUntil(lambda: "Đang cập nhật…" in texts(win), timeout=2000)
    assert "A1-001" not in texts(win)                   # no stale numbers under the message
    win.stop()


def test_caller_panel_signs_in_and_calls_with_function_keys(qtbot, store, cfg, clock, data_dir, key):
    from kiosk.calling.compose import calling_service
    from kiosk.ui.caller.panel import CallerPanel
    from kiosk.ui.qt import Qt
    accounts = StaffAccounts(store, AuditLog(store), clock, hasher=PinHasher(1, 1024))
    accounts.create(None, "admin", "Quản trị", Role.ADMIN, "758213")
    admin = accounts.sign_in("admin", "758213")
    accounts.create(admin, "le.thu", "Lê Thu", Role.RECEPTION, "591846")
    issue(store, 2, priority="elderly")
    shared = open_store(data_dir, key, clock=clock, check_same_thread=False)   # the panel's worker uses it
    accounts = StaffAccounts(shared, AuditLog(shared), clock, hasher=PinHasher(1, 1024))
    panel = CallerPanel(CallerBackend(shared, calling_service(shared, cfg, accounts=accounts), accounts),
                        counter_id="Q1")
    qtbot.addWidget(panel)
    panel.show()
    panel.user.setText("le.thu")
    panel.pin.setText("000000")
    panel.sign_in()
    qtbot.waitUntil(lambda: "wrong" in panel.signin_status.text(), timeout=5000)
    assert panel.stack.currentIndex() == 0
    panel.pin.setText("591846")
    panel.sign_in()
    qtbot.waitUntil(lambda: panel.stack.currentIndex() == 1 and not panel.pending, timeout=5000)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=2000)
    qtbot.keyClick(panel, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: panel.number.text() == "A1-001" and not panel.pending, timeout=5000)
    assert panel.status.text() == ""
    assert "NGƯỜI T** 0" in panel.who.text() and "NGƯỜI THỬ 0" not in panel.who.text()
    assert "Người cao tuổi" in panel.who.text()
    qtbot.keyClick(panel, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not panel.pending and panel.buttons["finish"].isEnabled(), timeout=5000)
    qtbot.keyClick(panel, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: not panel.pending and panel.number.text() == "—", timeout=5000)
    assert [a.action for a in store.audit.list(3)] == ["queue.finish", "queue.start", "queue.call"]
    assert store.audit.list(1)[0].actor == "le.thu"
    panel.close_worker()
    shared.close()
