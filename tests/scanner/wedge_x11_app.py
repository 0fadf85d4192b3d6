"""A real X11 window with a focused text field and the kiosk's wedge filter; prints one line per
event (`READY`, `SCAN <payload>`, `UNREADABLE`, `FIELD <text>`) so a test can drive it with
`xdotool type` under Xvfb. Run: python wedge_x11_app.py (DISPLAY set, QT_QPA_PLATFORM=xcb)."""
import sys

from drivers.scanner.wedge import WedgeConfig
from kiosk.ui.qt import QApplication, QLineEdit, QTimer, QVBoxLayout, QWidget
from kiosk.ui.wedge_filter import WedgeEventFilter


def _patient_window(app, field: bool = True):
    """The kiosk's own patient window (idle screen), as `kiosk run` shows it; `field`: with a stray
    text field (focused) that nothing may leak into, else exactly as the kiosk has it (no text field)."""
    from kiosk.ui.i18n import Translations
    from kiosk.ui.patient.window import PatientWindow
    from kiosk.ui.sizes import Metrics
    w = PatientWindow(lambda e: None, Translations(app), Metrics(96.0), facility_name="Test")
    w.build_screens()
    if not field:
        return w, QLineEdit()                  # never shown: the window keeps the focus
    edit = QLineEdit(w)                        # a stray text field: nothing may leak into it
    edit.setGeometry(10, 10, 200, 30)
    return w, edit


def main() -> int:
    app = QApplication(sys.argv)
    no_field = "--no-field" in sys.argv
    if no_field:
        sys.argv.remove("--no-field")
    if "--patient" in sys.argv:
        sys.argv.remove("--patient")
        w, edit = _patient_window(app, field=not no_field)
    else:
        w = QWidget()
        edit = QLineEdit()
        QVBoxLayout(w).addWidget(edit)
    w.setWindowTitle("wedge-x11-test")
    w.setGeometry(0, 0, 1024, 768)
    w.show()
    # xdotool is a user process: on a loaded test machine it is itself descheduled for tens of ms
    # between keys (a hardware scanner is not), so the gap here is the generous end of the
    # `wedge_max_key_gap_ms` range; what is under test is the Shift handling, not the timing.
    gap = float(sys.argv[2]) if len(sys.argv) > 2 else 0.250
    filt = WedgeEventFilter(w, WedgeConfig(max_gap=gap))

    def out(line: str) -> None:
        print(line, flush=True)

    filt.scanned.connect(lambda r: out("SCAN " + r.data.decode()))
    filt.unreadable.connect(lambda reason: out("UNREADABLE"))

    def ready() -> None:
        w.activateWindow()
        if edit.window() is w:
            edit.setFocus()
        out("READY")

    QTimer.singleShot(300, ready)
    report = QTimer()
    report.timeout.connect(lambda: out("FIELD " + edit.text()))
    report.start(500)
    QTimer.singleShot(int(sys.argv[1]) if len(sys.argv) > 1 else 15000, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
