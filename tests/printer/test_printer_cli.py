"""`kiosk printer test|render`."""
from __future__ import annotations

from PIL import Image

from kiosk.cli import main


def test_render_png_and_pdf(tmp_path, capsys):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('facility_name = "Bệnh viện Thử"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "printer", "render", str(tmp_path / "t.png"), "--priority"]) == 0
    assert Image.open(tmp_path / "t.png").width == 576
    assert main(["--config", str(cfg), "printer", "render", str(tmp_path / "t.pdf")]) == 0
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    assert main(["--config", str(cfg), "printer", "render", str(tmp_path / "t.txt")]) == 1


def test_printer_test_on_sim_file_and_missing_device(tmp_path, capsys):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'printer = "sim"\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "printer", "test"]) == 0
    assert list((tmp_path / "data" / "tickets").glob("*.png"))
    cfg.write_text(f'printer = "file:{tmp_path / "lp0"}"\nprinter_codepage_has_vietnamese = true\n', encoding="utf-8")
    assert main(["--config", str(cfg), "printer", "test"]) == 0
    assert b"\x1dV\x00" in (tmp_path / "lp0").read_bytes()
    cfg.write_text(f'printer = "file:{tmp_path / "no" / "such" / "lp0"}"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "printer", "test"]) == 2
    assert "offline" in capsys.readouterr().err
