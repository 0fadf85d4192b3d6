"""Pieces of the patient UI that need no flow: physical sizes, contrast, translations, speech."""
from __future__ import annotations

import unicodedata
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk.paths import resources_dir
from kiosk.ui.sizes import DEFAULT_DPI, Metrics, sane_dpi
from kiosk.ui.theme import HIGH_CONTRAST, NORMAL

ROOT = Path(__file__).resolve().parents[2]


def test_touch_target_is_15_mm_at_any_dpi():
    assert Metrics(96.0).touch == 57                    # 15 mm at 96 DPI
    assert Metrics(160.0).touch == 94                   # a dense 1080x1920 13" panel
    assert sane_dpi(None) == DEFAULT_DPI and sane_dpi(0.0) == DEFAULT_DPI   # EDID without a size
    assert sane_dpi(2000.0) == DEFAULT_DPI and sane_dpi(102.0) == 102.0
    # readable from 60 cm: body text about 6.5 mm per line, large-text mode a third bigger
    assert Metrics(96.0).font_px("body") == 25 and Metrics(96.0, large_text=True).font_px("body") == 33


def _luminance(hex_color: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("palette,minimum", [(NORMAL, 4.5), (HIGH_CONTRAST, 7.0)])
def test_text_contrast_meets_wcag(palette, minimum):
    pairs = [("text", "bg"), ("title", "bg"), ("muted", "bg"), ("text", "card"), ("good", "card"),
             ("warn", "card"), ("bad", "card"), ("primarytext", "primary"), ("goodtext", "goodbg"),
             ("btntext", "btnbg"), ("bannertext", "bannerbg"), ("warn", "bg"), ("good", "bg")]
    for fg, bg in pairs:
        assert contrast(palette[fg], palette[bg]) >= minimum, (fg, bg, contrast(palette[fg], palette[bg]))


def test_every_patient_string_has_english(tmp_path):
    """Extract the strings from the code as they are now and check each one in kiosk_en.ts."""
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "kiosk" / "ui").rglob("*.py"))
    subprocess.run([str(tool), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    found = {(c.findtext("name"), m.findtext("source"))
             for c in ET.parse(fresh).getroot() for m in c.iter("message")}
    assert len(found) > 80
    shipped = {}
    for c in ET.parse(resources_dir() / "i18n" / "kiosk_en.ts").getroot():
        for m in c.iter("message"):
            shipped[(c.findtext("name"), m.findtext("source"))] = m.find("translation")
    missing = [k for k in found if k not in shipped or not (shipped[k].text or "").strip()
               or shipped[k].get("type") == "unfinished"]
    assert not missing, missing
    # Vietnamese is the source text: it carries its diacritics, English does not leak in
    plain = [s for _, s in found if s.isascii() and s != "Xong"]   # "Xong" (done) has no marks
    assert not plain, plain
    assert all(unicodedata.is_normalized("NFC", s) for _, s in found)


def test_qm_files_are_built_not_committed():
    ignored = (ROOT / ".gitignore").read_text()
    assert "*.qm" in ignored
    from kiosk.ui.translations_build import build
    build()
    assert (resources_dir() / "i18n" / "kiosk_en.qm").stat().st_size > 1000


def test_speech_speaks_through_the_engine_only_when_enabled(qapp, tmp_path, monkeypatch):
    from kiosk.ui.speech import Speaker
    off = Speaker(False, engine="/bin/true")
    off.say("Xin chào", "vi")
    assert off.spoken == [] and off.available
    on = Speaker(True, engine="/bin/true")
    on.say("Mời ông/bà đến phòng 101", "vi")
    assert on.spoken == [("vi", "Mời ông/bà đến phòng 101")]
    monkeypatch.setenv("PATH", str(tmp_path))    # a machine with no espeak-ng/espeak installed
    missing = Speaker(True, engine=None)
    assert not missing.available
    missing.say("x", "vi")
    assert not missing.enabled and missing.spoken == []


def test_qt_binding_keeps_none_alive(qapp):
    """PySide6 6.12.0 dropped a reference to None on every void method call; on Python 3.11 the
    kiosk then aborts (`none_dealloc`) after a few thousand screen updates. Guard the pin."""
    from kiosk.ui.qt import QLabel
    lab = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        lab.setVisible(False)
        lab.setText("x")
    assert sys.getrefcount(None) - before > -50


def test_bridge_hold_release_stops_when_held_again(qapp, qtbot):
    from kiosk.ui.bridge import StateBridge
    bridge = StateBridge()
    seen = []

    def on_state(s):
        seen.append(s)
        if s == "printing":
            bridge.hold()                      # a screenshot of this one first

    bridge.state_ready.connect(on_state)
    bridge.hold()
    for s in ("issuing", "printing", "ticket"):
        bridge.listener(s)
    qtbot.wait(20)
    assert seen == []
    bridge.release()
    assert seen == ["issuing", "printing"]     # "ticket" waits for the next release
    bridge.release()
    assert seen == ["issuing", "printing", "ticket"]
