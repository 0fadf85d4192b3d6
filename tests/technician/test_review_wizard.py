"""Review check: the first-run wizard's own buttons speak both languages like the rest of the
staff screens (Qt's defaults are English-only "< Back", "Next >", "Finish", "Cancel")."""
from __future__ import annotations

from kiosk.config import load
from kiosk.ui.qt import QWizard


def test_wizard_buttons_are_bilingual(qtbot, worker, tmp_path):
    from kiosk.ui.technician.wizard import FirstRunWizard
    (tmp_path / "empty.toml").write_text("")
    from kiosk.staff import first_run_provisioning
    wiz = FirstRunWizard(load(tmp_path / "empty.toml", env={}), worker, tmp_path / "conf" / "kiosk.toml",
                         first_run_provisioning())
    qtbot.addWidget(wiz)
    B = QWizard.WizardButton
    texts = {b: wiz.button(b).text() for b in (B.BackButton, B.NextButton, B.FinishButton, B.CancelButton)}
    assert texts == {B.BackButton: "< Quay lại / Back", B.NextButton: "Tiếp / Next >",
                     B.FinishButton: "Hoàn tất / Finish", B.CancelButton: "Hủy / Cancel"}
