"""Synthetic camera frames of CCCD-style QR codes (synthetic people only) with the distortions a
kiosk camera sees: rotation, blur, perspective, low contrast, motion blur, glare, small modules,
and the moiré of a QR shown on a phone screen. Used by the tests, the benchmark and the demo."""
from __future__ import annotations

import random

import cv2
import numpy as np
import segno

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hạnh", "Hùng", "Lan", "Lộc", "Mỹ", "Phúc", "Thảo",
         "Tuấn", "Yến"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Điện Biên Phủ", "Lý Thường Kiệt"]
WARDS = ["Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", "Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
         "Phường Thạch Thang, Quận Hải Châu, Đà Nẵng", "Xã Tân Phú, Huyện Đức Hòa, Long An"]


def cccd_payload(rng: random.Random) -> str:
    """A synthetic chip-CCCD QR text: CCCD|CMND|name|DOB|gender|address|issue date."""
    female = rng.random() < 0.5
    year = rng.randint(1940, 2006)
    century_digit = (0 if year < 2000 else 2) + (1 if female else 0)
    cccd = f"{rng.randint(1, 96):03d}{century_digit}{year % 100:02d}{rng.randint(0, 999999):06d}"
    cmnd = f"{rng.randint(0, 999999999):09d}" if rng.random() < 0.6 else ""
    name = f"{rng.choice(FAMILY)} {'Thị' if female else rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    dob = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{year}"
    addr = f"Số {rng.randint(1, 300)}, đường {rng.choice(STREETS)}, {rng.choice(WARDS)}"
    issued = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(2021, 2025)}"
    return "|".join([cccd, cmnd, name, dob, "Nữ" if female else "Nam", addr, issued])


def qr_modules(text: str, version: int = 10, error: str = "m") -> np.ndarray:
    """The QR's module matrix (1 = dark) with a 4-module quiet zone, version ≥ `version`."""
    minimal = segno.make_qr(text, error=error, encoding="utf-8", boost_error=False).version
    qr = segno.make_qr(text, version=max(version, minimal), error=error, encoding="utf-8",
                       boost_error=False)
    m = np.array(qr.matrix, dtype=np.uint8)
    return np.pad(m, 4, constant_values=0)


def render_qr(modules: np.ndarray, module_px: float, dark: int = 20, light: int = 235) -> np.ndarray:
    size = int(round(modules.shape[0] * module_px))
    img = np.where(modules > 0, dark, light).astype(np.uint8)
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST if module_px >= 1.5
                      else cv2.INTER_AREA)


def background(rng: np.random.Generator, w: int = 1280, h: int = 720) -> np.ndarray:
    """A dull lobby-ish gray scene: gradient, a few blobs, sensor noise."""
    x = np.linspace(0, 1, w, dtype=np.float32)
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    base = 90 + 60 * x[None, :] * 0.6 + 40 * y
    img: np.ndarray = base.astype(np.float32)
    for _ in range(6):
        cx, cy, r = rng.integers(0, w), rng.integers(0, h), rng.integers(30, 160)
        cv2.circle(img, (int(cx), int(cy)), int(r), float(rng.integers(40, 200)), -1)
    img = cv2.GaussianBlur(img, (0, 0), 8)
    return np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)


def place(frame: np.ndarray, patch: np.ndarray, angle: float = 0.0, center=None,
          warp: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
    """Paste `patch` onto `frame` rotated by `angle` degrees, perspective-warped by `warp`
    (fraction of its size each corner may move), centred at `center`."""
    rng = rng or np.random.default_rng(0)
    h, w = frame.shape[:2]
    s = patch.shape[0]
    cx, cy = center or (w / 2, h / 2)
    src = np.array([[0, 0], [s, 0], [s, s], [0, s]], dtype=np.float32)
    corners = src - s / 2
    if warp:
        corners = corners + rng.uniform(-warp, warp, corners.shape).astype(np.float32) * s
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], dtype=np.float32)
    dst = (corners @ rot.T + np.array([cx, cy], dtype=np.float32)).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(patch, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(patch, 255), m, (w, h), flags=cv2.INTER_LINEAR)
    alpha = mask.astype(np.float32) / 255.0
    out = frame.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    return out.astype(np.uint8)


def low_contrast(img: np.ndarray, factor: float = 0.25, mid: float = 128) -> np.ndarray:
    return np.clip((img.astype(np.float32) - mid) * factor + mid, 0, 255).astype(np.uint8)


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def motion_blur(img: np.ndarray, length: int = 9, angle: float = 0.0) -> np.ndarray:
    k: np.ndarray = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    m = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, m, (length, length))
    return cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))


def glare(img: np.ndarray, center, radius: float, strength: float = 150) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d2 = ((xx - center[0]) ** 2 + (yy - center[1]) ** 2) / (radius ** 2)
    return np.clip(img.astype(np.float32) + strength * np.exp(-d2), 0, 255).astype(np.uint8)


def phone_screen(patch: np.ndarray, pitch: float = 3.0, depth: float = 0.35) -> np.ndarray:
    """A QR on a phone: bright pixel grid (sub-pixel stripes) beating with the camera's sampling,
    which shows up as moiré after the frame is resampled."""
    s = patch.shape[0]
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    grid = 0.5 + 0.5 * np.cos(2 * np.pi * xx / pitch) * np.cos(2 * np.pi * yy / (pitch * 1.07))
    lit = patch.astype(np.float32) * (1 - depth + depth * grid)
    return np.clip(lit + 25, 0, 255).astype(np.uint8)


def noise(img: np.ndarray, rng: np.random.Generator, sigma: float = 5.0) -> np.ndarray:
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


CLEAN_KINDS = ("clean",)
DISTORTED_KINDS = ("rotated", "blurred", "perspective", "low_contrast")
HARD_KINDS = ("small_modules", "motion_blur", "glare", "phone_moire")


def make_frame(text: str, kind: str, rng: np.random.Generator, size=(1280, 720)) -> np.ndarray:
    """One grayscale frame of `size` showing the QR of `text` distorted as `kind` says."""
    w, h = size
    frame = background(rng, w, h)
    mods = qr_modules(text)
    module_px = float(rng.uniform(3.0, 5.0))
    angle = float(rng.uniform(-8, 8))
    warp, post = 0.0, None
    if kind == "rotated":
        angle = float(rng.uniform(15, 345))
    elif kind == "perspective":
        warp = float(rng.uniform(0.08, 0.14))
    elif kind == "small_modules":
        module_px = float(rng.uniform(1.9, 2.3))
    patch = render_qr(mods, module_px)
    if kind == "low_contrast":
        patch = low_contrast(patch, float(rng.uniform(0.18, 0.3)), float(rng.uniform(90, 160)))
    if kind == "phone_moire":
        # rendered at 3x on a screen grid finer than a module, then sampled down by the camera
        module_px = float(rng.uniform(2.8, 3.6))
        patch = phone_screen(render_qr(mods, module_px * 3), pitch=float(rng.uniform(2.2, 3.2)),
                             depth=float(rng.uniform(0.5, 0.7)))
        patch = cv2.resize(patch, None, fx=1 / 3, fy=1 / 3, interpolation=cv2.INTER_NEAREST)
    s = patch.shape[0]
    cx = float(rng.uniform(s * 0.8, w - s * 0.8))
    cy = float(rng.uniform(min(s * 0.8, h / 2), max(h - s * 0.8, h / 2)))
    frame = place(frame, patch, angle, (cx, cy), warp, rng)
    if kind == "blurred":
        frame = gaussian_blur(frame, float(rng.uniform(1.2, 1.8)))
    elif kind == "motion_blur":
        frame = motion_blur(frame, int(rng.integers(5, 8)), float(rng.uniform(0, 180)))
    elif kind == "glare":
        frame = glare(frame, (cx + rng.uniform(-s / 4, s / 4), cy + rng.uniform(-s / 4, s / 4)),
                      s * float(rng.uniform(0.3, 0.45)), float(rng.uniform(170, 230)))
    return noise(frame, rng, 3.0)
