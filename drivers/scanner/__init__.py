"""Scanners: keyboard wedge, HID POS (pyusb), serial (pyserial), camera (OpenCV + zxing-cpp /
pyzbar), simulator. Each yields `ScanRead`s through the small interface in `base`."""
from drivers.scanner.base import ScanRead, Scanner, ScannerState, ScannerStatus  # noqa: F401
