"""Screens a scripted happy path never reaches (chip steps, card moved away, printer out of paper,
the desk), rendered from synthetic masked states in both languages and layouts, plus the
large-text/high-contrast mode: `python -m kiosk.ui.demo.gallery OUT_DIR` (scripts/screenshots.sh)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def gallery_states():
    from kiosk.core import checkin as c
    from kiosk.core import messages as msg
    from kiosk.core.views import (
        EligibilityView, InsuranceStatus, PatientView, PrinterFaultKind, PriorityCategory, ProblemKind,
        ReadSource, TicketView,
    )
    patient = PatientView("PHẠM V** M", 1945, "*** *** 0404", ReadSource.CHIP, age=81, gender=1)
    provisional = EligibilityView(InsuranceStatus.PROVISIONAL, msg.PROVISIONAL)
    ticket = TicketView(3, "C1-U003", "K03", "Khám Sản phụ khoa", "Obstetrics and gynaecology", "201",
                        PriorityCategory.ELDERLY, 12, "KT1|79001|2026-11-20|C1-U003|790011-261120083000-0003",
                        "2026-11-20 08:30", provisional=True)
    return [
        ("chip-reading", c.Reading(1, ReadSource.CHIP, "DG13", 3, 8)),
        ("chip-card-away", c.Reading(1, ReadSource.CHIP, "DG2", 4, 8, card_removed=True)),
        ("confirm-offline", c.Confirm(1, patient, provisional)),
        ("printer-out-of-paper", c.PrinterFailed(1, ticket, PrinterFaultKind.PAPER_OUT)),
        ("ticket-on-screen-only", c.TicketShown(1, ticket, printed=False)),
        ("chip-rejected", c.Problem(1, ProblemKind.REJECTED, msg.CHIP_REJECTED, retry=False)),
        ("unreadable-retry", c.Problem(1, ProblemKind.UNREADABLE, msg.UNREADABLE, retry=True)),
    ]


def render_gallery(out: Path) -> list[str]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.ui.demo.capture import settle
    from kiosk.ui.i18n import Translations, ensure_built
    from kiosk.ui.sizes import Metrics
    from kiosk.ui.patient.window import PatientWindow
    from kiosk.ui.qt import application
    app = application(sys.argv[:1])
    ensure_built()
    tr = Translations(app)
    window = PatientWindow(lambda e: None, tr, Metrics(96.0), facility_name="Bệnh viện Đa khoa Mẫu (demo)")
    written = []
    for layout, size in (("portrait", (1080, 1920)), ("landscape", (1920, 1080))):
        window.resize(*size)
        window.show()
        for access in (False, True):
            window.apply_accessibility(access, access)
            for name, state in gallery_states():
                if access and name not in ("chip-reading", "printer-out-of-paper"):
                    continue                      # two samples of the accessible mode are enough
                for lang in ("vi", "en"):
                    window.set_language(lang)
                    window.show_now(state)
                    settle(app)
                    stem = f"{name}-large-contrast" if access else name
                    path = out / layout / f"{stem}-{lang}.png"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    window.grab().save(str(path))
                    written.append(str(path.relative_to(out)))
    tr.uninstall()
    window.close()
    return written


if __name__ == "__main__":
    files = render_gallery(Path(sys.argv[1]))
    print(f"{len(files)} gallery screenshots")
