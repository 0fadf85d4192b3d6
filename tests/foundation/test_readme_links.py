"""Issue 15 item 10: the README is true in a fresh clone - every link points inside the repository
and exists, the `kiosk` command is named as the user gets it, the demo keys are described as they are."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_link_stays_inside_the_repository_and_exists():
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not re.match(r"[a-z]+://", link)]
    assert local, "the README links its docs"
    for link in local:
        target = (ROOT / link).resolve()
        assert ROOT in target.parents or target == ROOT, f"{link} leaves the repository"
        assert target.exists(), f"{link} does not exist"
    assert "../shared" not in README


def test_the_kiosk_command_is_named_as_a_new_user_has_it():
    assert ".venv/bin/kiosk" in README and "source .venv/bin/activate" in README
    assert "xvfb-run" in README                              # the demo needs a display


def test_demo_keys_and_panel_match_the_demo():
    from kiosk.demo.people import DEMO_PEOPLE, chip_people
    qr = [p for p in DEMO_PEOPLE if p.cccd_qr or p.bhyt_qr]
    assert len(qr) == 7 and "seven demo citizens" in README
    for i, p in enumerate(qr):
        assert f"**F{i + 1}**" in README
    assert "**F8** lays the `valid_bhyt` chip card" in README and chip_people()[0].key == "valid_bhyt"
    for label in ("Printer: out of paper", "Gateway: go offline (timeouts)", "Lift the chip card off the reader"):
        assert label in README and label in (ROOT / "kiosk/demo/run.py").read_text(encoding="utf-8")


def test_toml_tables_are_documented_as_the_loader_accepts_them(tmp_path):
    import pytest
    from kiosk.config import ConfigError, load
    (tmp_path / "a.toml").write_text('[gateway]\nurl = "https://x.example"\n', encoding="utf-8")
    assert load(tmp_path / "a.toml", env={}).gateway_url == "https://x.example"
    (tmp_path / "b.toml").write_text('[printer]\nprofile = "TM-T20II"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="printer"):
        load(tmp_path / "b.toml", env={})
    assert '`[printer] profile = "…"`' in README and "printer_profile" in README
