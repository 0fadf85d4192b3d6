"""Lobby check-in kiosk for Vietnam's electronic health book."""


def __getattr__(name: str):
    """`__version__` on first use only: importlib.metadata costs ~25 ms of every cold start."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            value = version("vn-health-kiosk")
        except PackageNotFoundError:  # running from a source tree that was not installed
            value = "0.0.0+src"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'kiosk' has no attribute {name!r}")
