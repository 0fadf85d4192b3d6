"""The core's patient messages (vi/en `Message` pairs) go through Qt's translation system: every
static one has a "Message" entry in kiosk_en.ts, and in English the screens show the translator's
text (a dynamic text with a number or date falls back to the pair's own English)."""
from __future__ import annotations

import importlib.util
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk.core import messages as msg
from kiosk.core.checkin import Problem
from kiosk.core.views import Message, ProblemKind
from kiosk.identity.chip import ChipDataError
from kiosk.identity.errors import MrzCheckDigitError
from kiosk.ops.health import Health, HealthState, maintenance_text
from kiosk.devices.chip_watch import KEY_MISMATCH
from kiosk.ui import translations_build
from kiosk.ui.sizes import Metrics
from kiosk.ui.patient.base import MESSAGE_CONTEXT, UiContext
from kiosk.ui.qt import QCoreApplication, QTranslator
from kiosk.ui.theme import Theme

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "kiosk_en.ts"
CUSTOM_EN = "Custom translator text: the desk will help you."
DYNAMIC = Message("already_issued",
                  "Ông/bà đã có số thứ tự cho dịch vụ này hôm nay (A1-007). Mời đến quầy tiếp đón nếu cần in lại.",
                  "You already have a ticket for this service today (A1-007). Please ask at the desk to reprint it.")


def _script():
    spec = importlib.util.spec_from_file_location("i18n_en_script", ROOT / "scripts" / "i18n_en.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ts_context(path: Path, name: str) -> dict[str, str]:
    for ctx in ET.parse(path).getroot().iter("context"):
        if ctx.findtext("name") == name:
            return {m.findtext("source"): m.findtext("translation") or "" for m in ctx.iter("message")}
    return {}


def _ctx(language: str) -> UiContext:
    return UiContext(send=lambda event: None, theme=Theme(Metrics(96.0)), language=language)


def _installed(qapp, qm: Path) -> QTranslator:
    translator = QTranslator(qapp)
    assert translator.load(str(qm)), qm
    assert qapp.installTranslator(translator)
    return translator


@pytest.fixture
def custom_qm(tmp_path) -> Path:
    """A .qm whose "Message" context has a DIFFERENT English for CHIP_REJECTED and the disk_low notice."""
    disk_vi = maintenance_text("disk_low")[0]
    ts = tmp_path / "custom_en.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
        '<TS version="2.1" language="en_GB" sourcelanguage="vi_VN">\n<context>\n'
        f"    <name>{MESSAGE_CONTEXT}</name>\n"
        f"    <message><source>{msg.CHIP_REJECTED.vi}</source><translation>{CUSTOM_EN}</translation></message>\n"
        f"    <message><source>{disk_vi}</source><translation>{CUSTOM_EN}</translation></message>\n"
        "</context>\n</TS>\n", encoding="utf-8")
    qm = tmp_path / "custom_en.qm"
    tool = translations_build.lrelease_path()
    assert tool, "pyside6-lrelease missing"
    subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], check=True)
    return qm


def test_every_static_message_is_in_the_ts():
    pairs = _script().static_messages()
    # the enumeration reaches every source: constants, code tables, error classes, services, health
    for m in (msg.CHIP_REJECTED, msg.PROVISIONAL, KEY_MISMATCH):
        assert pairs[m.vi] == m.en
    assert pairs[MrzCheckDigitError.vi] == MrzCheckDigitError.en
    assert pairs[ChipDataError.vi] == ChipDataError.en          # a subclass outside errors.py
    assert pairs["Thẻ BHYT đã bị thu hồi. Mời ông/bà đến quầy tiếp đón."].startswith("The insurance card")
    assert pairs[maintenance_text("disk_full")[0]] == maintenance_text("disk_full")[1]
    assert len(pairs) >= 50
    in_ts = _ts_context(TS, MESSAGE_CONTEXT)
    missing = {vi: en for vi, en in pairs.items() if in_ts.get(vi) != en}
    assert not missing, f"run scripts/i18n_en.py: {missing}"
    assert list(in_ts) == sorted(in_ts)                       # sorted; a dict cannot hold duplicates
    sources = [m.findtext("source") for c in ET.parse(TS).getroot().iter("context")
               if c.findtext("name") == MESSAGE_CONTEXT for m in c.iter("message")]
    assert len(sources) == len(set(sources)) == len(pairs)
    assert DYNAMIC.vi not in in_ts


def test_the_shipped_qm_translates_core_messages(qapp):
    translations_build.build()
    translator = _installed(qapp, ROOT / "resources" / "i18n" / "kiosk_en.qm")
    try:
        assert QCoreApplication.translate(MESSAGE_CONTEXT, KEY_MISMATCH.vi) == KEY_MISMATCH.en
        assert _ctx("en").message(msg.UNREADABLE) == msg.UNREADABLE.en
        assert _ctx("vi").message(msg.UNREADABLE) == msg.UNREADABLE.vi
    finally:
        qapp.removeTranslator(translator)


def test_problem_screen_shows_the_translators_english(qapp, qtbot, custom_qm):
    from kiosk.ui.patient.error import ErrorScreen
    ctx = _ctx("en")
    screen = ErrorScreen(ctx)
    qtbot.addWidget(screen)
    translator = _installed(qapp, custom_qm)
    try:
        screen.show_state(Problem(1, ProblemKind.REJECTED, msg.CHIP_REJECTED, retry=False))
        assert screen.detail.text() == CUSTOM_EN != msg.CHIP_REJECTED.en     # from Qt, not the pair
        screen.show_state(Problem(2, ProblemKind.ALREADY_ISSUED, DYNAMIC, retry=False))
        assert screen.detail.text() == DYNAMIC.en                            # not in the .ts: the pair
        ctx.language = "vi"
        screen.show_state(Problem(3, ProblemKind.REJECTED, msg.CHIP_REJECTED, retry=False))
        assert msg.CHIP_REJECTED.vi.endswith(screen.detail.text())           # Vietnamese: the source
        assert CUSTOM_EN not in screen.detail.text()
    finally:
        qapp.removeTranslator(translator)
    ctx.language = "en"
    screen.show_state(Problem(4, ProblemKind.REJECTED, msg.CHIP_REJECTED, retry=False))
    assert CUSTOM_EN not in screen.detail.text()                              # no translator: the pair


def test_idle_health_notice_goes_through_qt(qapp, qtbot, custom_qm):
    from kiosk.ui.patient.idle import IdleScreen
    ctx = _ctx("en")
    screen = IdleScreen(ctx)
    qtbot.addWidget(screen)
    vi, en = maintenance_text("disk_low")
    translator = _installed(qapp, custom_qm)
    try:
        screen.set_health(Health(HealthState.REFUSE_CHECKINS, "disk_low", vi, en))
        assert screen.notice.text() == CUSTOM_EN != en
        ctx.language = "vi"
        screen.retranslate()
        assert screen.notice.text() == vi
    finally:
        qapp.removeTranslator(translator)
    ctx.language = "en"
    screen.retranslate()
    assert screen.notice.text() == en
