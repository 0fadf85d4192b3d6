"""argparse value types with a clear message for out-of-range values (argparse prints it as
`kiosk CMD: error: argument --port: 99999 is not a port (0-65535)`, exit 2, never a traceback)."""
from __future__ import annotations

import argparse


def port(text: str) -> int:
    """argparse type: a TCP port, 0-65535 (0: any free port)."""
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535)")
    return value


def count(text: str) -> int:
    """argparse type: a whole number >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def positive(text: str) -> float:
    """argparse type: a number >= 0 (seconds, milliseconds)."""
    value = float(text)
    if value < 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a number >= 0")
    return value


def probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability (0 to 1)")
    return value
