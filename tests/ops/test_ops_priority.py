"""Background threads (integrity check, backups, uploads) run at a lower priority than the UI."""
import threading

from kiosk.ops.nice import IDLE_NICE, lower_this_thread, thread_nice


def test_lowering_a_thread_leaves_the_caller_alone():
    seen = {}

    def work():
        seen["ok"] = lower_this_thread(IDLE_NICE)
        seen["nice"] = thread_nice()

    before = thread_nice()
    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == {"ok": True, "nice": IDLE_NICE}
    assert thread_nice() == before            # the main (UI) thread keeps its priority

