"""Camera decoding of generated CCCD-size QR codes (Vietnamese text, version 10+): still frames
with distortions, a directory of images, and an MJPG video file read through OpenCV."""
import random
import zlib

import cv2
import numpy as np
import pytest

from drivers.scanner.camera import CameraScanner
from drivers.scanner.decoders import QrPipeline, make_decoder
from drivers.scanner.synth import DISTORTED_KINDS, cccd_payload, make_frame, qr_modules

from scanner_helpers import wait_for

RNG = random.Random(20241)
PAYLOADS = [cccd_payload(RNG) for _ in range(8)]


def bgr(gray):
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def test_payloads_are_cccd_sized_vietnamese_v10_plus():
    for p in PAYLOADS:
        assert len(p.split("|")) == 7 and any(ord(c) > 127 for c in p)
        n = qr_modules(p).shape[0] - 8
        assert (n - 17) // 4 >= 10                     # QR version from its size


@pytest.mark.parametrize("kind", ("clean",) + DISTORTED_KINDS)
def test_default_pipeline_decodes_each_distortion(kind):
    rng = np.random.default_rng(zlib.crc32(kind.encode()))
    pipe = QrPipeline("zxing")
    hits = 0
    for p in PAYLOADS[:5]:
        found = pipe.decode(bgr(make_frame(p, kind, rng)))
        assert all(d.data == p.encode() for d in found)      # never a wrong payload
        hits += bool(found)
    assert hits >= 4, f"{kind}: {hits}/5"


@pytest.mark.parametrize("name", ("pyzbar", "opencv"))
def test_other_decoders_read_a_clean_frame(name):
    from drivers.scanner.synth import background, place, render_qr
    p = PAYLOADS[0]
    frame = place(background(np.random.default_rng(3)), render_qr(qr_modules(p), 5), 0.0)
    found = QrPipeline(make_decoder(name)).decode(bgr(frame))
    assert [d.data for d in found] == [p.encode()]


def test_roi_limits_the_search():
    p = PAYLOADS[1]
    frame = np.full((720, 1280), 200, np.uint8)
    from drivers.scanner.synth import render_qr
    q = render_qr(qr_modules(p), 4)
    frame[100:100 + q.shape[0], 100:100 + q.shape[1]] = q         # code in the left half
    assert QrPipeline("zxing", roi=(0.0, 0.0, 0.5, 1.0)).decode(frame)[0].data == p.encode()
    assert QrPipeline("zxing", roi=(0.5, 0.0, 0.5, 1.0), retries=0).decode(frame) == []
    c = QrPipeline("zxing", roi=(0.0, 0.0, 0.5, 1.0)).decode(frame)[0].center
    assert abs(c[0] - (100 + q.shape[1] / 2)) < 10 and abs(c[1] - (100 + q.shape[0] / 2)) < 10


def test_image_dir_source(tmp_path):
    rng = np.random.default_rng(5)
    for i, p in enumerate(PAYLOADS[:3]):
        cv2.imwrite(str(tmp_path / f"{i:02d}.png"), bgr(make_frame(p, "rotated", rng)))
    (tmp_path / "notes.txt").write_text("not an image")
    sc = CameraScanner(str(tmp_path), source=f"image:{tmp_path}")
    sc.start()
    assert wait_for(sc.finished.is_set, timeout=10)
    sc.stop()
    got = [sc.reads.get_nowait().data for _ in range(sc.reads.qsize())]
    assert got == [p.encode() for p in PAYLOADS[:3]]
    assert sc.frames == 3


def test_video_file_each_code_once_despite_consecutive_frames(tmp_path):
    path = str(tmp_path / "lobby.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 15, (1280, 720))
    assert writer.isOpened()
    rng = np.random.default_rng(11)
    shown = []
    blank = bgr(make_frame(PAYLOADS[0], "clean", rng) * 0 + 128)
    for p, kind in zip(PAYLOADS[:4], ("clean", "rotated", "perspective", "low_contrast")):
        shown.append(p)
        for _ in range(5):                                   # the code stays in view 5 frames
            writer.write(bgr(make_frame(p, kind, rng)))
        writer.write(blank)
    writer.release()
    previews = []
    sc = None

    def clock():
        return sc.frames * 0.25              # frame time (exact in binary), not wall time

    sc = CameraScanner(path, hold_off=2.0, preview=previews.append, preview_fps=2, clock=clock)
    sc.start()
    assert wait_for(sc.finished.is_set, timeout=20)
    sc.stop()
    got = [sc.reads.get_nowait() for _ in range(sc.reads.qsize())]
    assert [r.data for r in got] == [p.encode() for p in shown]
    assert all(r.decoder == "zxing" and r.source == f"camera:{path}" for r in got)
    assert sc.frames == 24
    assert len(previews) == 12                               # previews at a lower rate than decoding


def test_busy_region_finds_the_code_and_ignores_flat_frames():
    from drivers.scanner.decoders import busy_region
    p = PAYLOADS[2]
    rng = np.random.default_rng(8)
    frame = make_frame(p, "low_contrast", rng)
    found = QrPipeline("zxing", retries=0).decode(frame)
    assert found, "the first pass reads this one"
    x0, y0, x1, y1 = busy_region(frame)
    cx, cy = found[0].center
    assert x0 < cx < x1 and y0 < cy < y1 and (x1 - x0) * (y1 - y0) < 0.5 * frame.size
    assert busy_region(np.full((720, 1280), 128, np.uint8)) is None


def test_live_pipeline_spreads_retries_over_frames():
    pipe = QrPipeline("zxing", retries=1, rotate_retries=True)
    flat = np.full((720, 1280), 128, np.uint8)
    tried = []
    for _ in range(6):
        tried.append(pipe._steps()[0][0])
    assert tried[:5] == ["crop", "sharpen", "clahe", "median", "upscale"] and tried[5] == "crop"
    assert pipe.decode(flat) == []


def test_missing_camera_is_an_error_that_keeps_retrying(tmp_path, fast_backoff):
    sc = CameraScanner(str(tmp_path / "not-there.avi"), backoff=fast_backoff)
    sc.start()
    try:
        assert wait_for(lambda: sc.status().reconnects >= 2)
        st = sc.status()
        assert not st.connected and "cannot open" in (st.error or "")
    finally:
        sc.stop()
