"""Under a bare X server (no window manager): the kiosk's own full-screen path (`enter_kiosk_mode`,
used by `kiosk run`) for the patient window and `show_full_screen` for a staff window over it.
Prints `GEOMETRY <name> <x> <y> <w> <h>` as the X server sees each window (xdotool), then exits."""
import os
import subprocess
import sys

from kiosk.ui.fullscreen import show_full_screen
from kiosk.ui.lockdown import enter_kiosk_mode
from kiosk.ui.qt import QApplication, QLabel, QTimer, QWidget


def main() -> int:
    app = QApplication(sys.argv)
    patient = QLabel("patient")
    patient.setWindowTitle("fs-patient")
    lock = enter_kiosk_mode(app, patient)
    staff = QWidget()
    staff.setWindowTitle("fs-staff")
    staff.resize(833, 616)                     # the technician window's own size (QA M6)

    def open_staff():
        show_full_screen(staff)

    def report():
        for name in ("fs-patient", "fs-staff"):
            out = subprocess.run(["xdotool", "search", "--name", name, "getwindowgeometry", "--shell"],
                                 capture_output=True, text=True, env=os.environ).stdout
            vals = dict(line.split("=", 1) for line in out.split() if "=" in line)
            print("GEOMETRY", name, vals.get("X"), vals.get("Y"), vals.get("WIDTH"), vals.get("HEIGHT"), flush=True)
        lock.unlocked = True
        app.quit()

    QTimer.singleShot(300, open_staff)
    QTimer.singleShot(1500, report)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
