"""Lobby check-in kiosk for Vietnam's electronic health book."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vn-health-kiosk")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+src"
