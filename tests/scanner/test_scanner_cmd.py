"""`kiosk scan test` prints one JSON line per read."""
import io
import json

import cv2
import numpy as np

from drivers.scanner.synth import cccd_payload, make_frame
from kiosk.cli import main


def lines(out):
    return [json.loads(ln) for ln in out.strip().splitlines()]


def run(argv, tmp_path, capsys):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("")
    rc = main(["--config", str(cfg), "--data-dir", str(tmp_path / "data")] + argv)
    return rc, capsys.readouterr()


def test_scan_test_image_dir(tmp_path, capsys):
    import random
    p = cccd_payload(random.Random(99))
    d = tmp_path / "frames"
    d.mkdir()
    cv2.imwrite(str(d / "a.png"), make_frame(p, "perspective", np.random.default_rng(1)))
    cv2.imwrite(str(d / "b.png"), make_frame(p, "clean", np.random.default_rng(2)))   # same code again
    rc, cap = run(["scan", "test", "--source", f"image:{d}", "--timeout", "20"], tmp_path, capsys)
    assert rc == 0
    out = lines(cap.out)
    assert len(out) == 1                                        # held off: the same code once
    assert out[0]["text"] == p and bytes.fromhex(out[0]["hex"]) == p.encode()
    assert out[0]["decoder"] == "zxing" and out[0]["source"] == f"image:{d}"
    assert isinstance(out[0]["time"], float)


def test_scan_test_sim_and_wedge(tmp_path, capsys, monkeypatch):
    rc, cap = run(["scan", "test", "--source", "sim"], tmp_path, capsys)
    assert rc == 0 and [o["source"] for o in lines(cap.out)] == ["sim", "sim"]
    assert "Nguyễn" in lines(cap.out)[0]["text"]
    monkeypatch.setattr("sys.stdin", io.StringIO("DN4010123456789\r\n\nTE1790000000001\n"))
    rc, cap = run(["scan", "test", "--source", "wedge", "--count", "5", "--timeout", "5"], tmp_path, capsys)
    assert [o["text"] for o in lines(cap.out)] == ["DN4010123456789", "TE1790000000001"]


def test_scan_test_bad_spec(tmp_path, capsys):
    rc, cap = run(["scan", "test", "--source", "floppy:0"], tmp_path, capsys)
    assert rc == 2 and "unknown scanner source" in cap.err
