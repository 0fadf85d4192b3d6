"""Scanner source specs (`camera:0`, `serial:/dev/ttyACM0@115200`, `hidpos:0c2e:0b87`, ...) and
the factory that builds a scanner from one."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, TypedDict

from drivers.scanner.base import Backoff, Sink, ThreadedScanner

KINDS = ("camera", "image", "serial", "hidpos", "wedge", "evdev", "sim")


class SpecError(ValueError):
    """A source spec that cannot be understood; the message shows the accepted forms."""


@dataclass(frozen=True)
class SourceSpec:
    kind: str
    arg: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


@dataclass
class ScannerOptions:
    prefix: str = ""
    suffix: str = ""
    decoder: str = "zxing"
    hold_off: float = 2.0
    baud: int = 9600
    terminator: bytes | None = b"\r"
    usb_backend: object = None
    stdin: IO[str] | None = None
    sim_script: list = field(default_factory=list)
    sim_finite: bool = False          # end after the script (scan test) instead of waiting
    backoff: Backoff | None = None
    camera_roi: tuple | None = None


USAGE = ("camera:INDEX|camera:PATH_OR_URL, image:DIR, serial:PORT[@BAUD], hidpos[:VID:PID], "
         "wedge, evdev:/dev/input/eventN, sim")


def parse_spec(text: str) -> SourceSpec:
    kind, _, arg = text.strip().partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise SpecError(f"unknown scanner source {text!r}; use {USAGE}")
    if kind in ("camera", "image", "serial", "evdev") and not arg:
        raise SpecError(f"{kind} needs an argument; use {USAGE}")
    if kind == "hidpos" and arg:
        parts = arg.split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            vid, pid = (int(p, 16) for p in parts)
            if not (0 <= vid <= 0xFFFF and 0 <= pid <= 0xFFFF):
                raise ValueError
        except ValueError:
            raise SpecError(f"hidpos wants hex VID:PID, e.g. hidpos:0c2e:0b87 (got {arg!r})") from None
    return SourceSpec(kind, arg)


class _Common(TypedDict):
    """The keyword arguments every scanner takes."""
    sink: Sink | None
    source: str
    backoff: Backoff | None


def build_scanner(spec: SourceSpec | str, opts: ScannerOptions | None = None,
                  sink: Sink | None = None) -> ThreadedScanner:
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    o = opts or ScannerOptions()
    common = _Common(sink=sink, source=str(spec), backoff=o.backoff)
    if spec.kind in ("camera", "image"):
        from drivers.scanner.camera import CameraScanner
        from drivers.scanner.decoders import RETRIES
        retries = len(RETRIES) if spec.kind == "image" else 1     # stills get every retry
        return CameraScanner(spec.arg, o.decoder, hold_off=o.hold_off, roi=o.camera_roi,
                             retries=retries, **common)
    if spec.kind == "serial":
        from drivers.scanner.serial import SerialScanner
        port, _, baud = spec.arg.partition("@")
        return SerialScanner(port, int(baud or o.baud), o.terminator, **common)
    if spec.kind == "hidpos":
        from drivers.scanner.hidpos import HidPosScanner
        vid = pid = None
        if spec.arg:
            vid, pid = (int(p, 16) for p in spec.arg.split(":"))
        return HidPosScanner(vid, pid, backend=o.usb_backend, **common)
    if spec.kind == "wedge":
        from drivers.scanner.wedge import LineWedgeScanner
        return LineWedgeScanner(o.stdin, o.prefix, o.suffix, **common)
    if spec.kind == "evdev":
        from drivers.scanner.evdev_reader import EvdevScanner
        return EvdevScanner(spec.arg, prefix=o.prefix, suffix=o.suffix, **common)
    from drivers.scanner.sim import SimScanner
    return SimScanner(o.sim_script, finite=o.sim_finite, **common)
