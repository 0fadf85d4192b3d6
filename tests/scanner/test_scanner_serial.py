"""Serial scanners over a real pseudo-terminal: framing, unplug (pty closed) and reconnect."""
import os
import time
import tty

from drivers.scanner.base import ScannerState
from drivers.scanner.serial import SerialFramer, SerialScanner

from scanner_helpers import get_read, wait_for


class Pty:
    """A pty whose slave is reached through a stable symlink, like /dev/serial/by-id/..."""

    def __init__(self, link):
        self.link = link
        self.open()

    def open(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        if os.path.lexists(self.link):
            os.unlink(self.link)
        os.symlink(os.ttyname(self.slave), self.link)

    def write(self, data):
        os.write(self.master, data)

    def close(self):
        os.close(self.master)
        os.close(self.slave)


def test_framer_terminator_and_idle():
    f = SerialFramer(b"\r")
    assert f.feed(b"ab", 0.0) == [] and f.feed(b"c\r\nde", 0.01) == [b"abc"]
    assert f.tick(5.0) == [] and f.pending
    g = SerialFramer(None, idle=0.05)
    assert g.feed(b"xyz", 0.0) == [] and g.tick(0.02) == [] and g.tick(0.06) == [b"xyz"]


def test_pty_reads_unplug_and_reconnect(tmp_path, fast_backoff):
    pty = Pty(str(tmp_path / "ttyScanner"))
    sc = SerialScanner(pty.link, 115200, backoff=fast_backoff)
    sc.start()
    try:
        assert wait_for(lambda: sc.status().connected)
        payload = "001095012345||Trần Thị Bình|02021990|Nữ|Hà Nội|01012022".encode()
        pty.write(payload[:20])
        pty.write(payload[20:] + b"\r\n")
        assert get_read(sc).data == payload

        pty.write(b"0790950")                     # half a payload, then the cable is pulled
        time.sleep(0.2)                           # let the reader take it in
        pty.close()
        assert wait_for(lambda: sc.status().state is ScannerState.ERROR)
        pty.open()                                # plugged back: the link points at a new pty
        assert wait_for(lambda: sc.status().connected, timeout=5)
        pty.write(b"DN4010123456789\r")
        r = get_read(sc)
        assert r.data == b"DN4010123456789" and r.source == f"serial:{pty.link}"
        st = sc.status()
        assert st.reconnects >= 1 and st.dropped == 1 and st.reads == 2
    finally:
        sc.stop()
        pty.close()
