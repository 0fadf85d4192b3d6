"""`kiosk` command line: global options, and the commands each area registers.

Each module in COMMAND_MODULES has `register(sub, parents)` which adds its sub-commands with
`parents=parents` (so `--config` and `--data-dir` work on every command) and sets `func`,
a callable `func(args, ctx) -> int`.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config, ConfigError, load

COMMAND_MODULES = (
    "kiosk.commands.config_cmd",
    "kiosk.commands.db_cmd",
    "kiosk.commands.doctor_cmd",
    "kiosk.commands.audit_cmd",
    "kiosk.commands.build_cmd",
    "kiosk.commands.sync_cmd",
    "kiosk.commands.identity_cmd",
    "kiosk.commands.gateway_cmd",
    "kiosk.commands.scan_cmd",
    "kiosk.commands.card_cmd",
    "kiosk.commands.run_cmd",
    "kiosk.commands.printer_cmd",
    "kiosk.commands.provision_cmd",
    "kiosk.commands.desk_cmd",
    "kiosk.commands.ops_cmd",
    "kiosk.commands.hub_cmd",
    "kiosk.commands.report_cmd",
    "kiosk.commands.queue_cmd",
    "kiosk.commands.display_cmd",
)


@dataclass
class Context:
    """What every command gets: the effective settings (loaded lazily, so `--help` needs none)."""
    args: argparse.Namespace

    @property
    def config(self) -> Config:
        if not hasattr(self, "_config"):
            overrides = {}
            if getattr(self.args, "data_dir", None):
                overrides["data_dir"] = self.args.data_dir
            self._config = load(self.args.config, overrides=overrides)
        return self._config


def global_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="settings file (TOML); default under the platform's config dir")
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="data directory (database, tickets, logs)")
    return common


class _VersionAction(argparse.Action):
    """`--version`, reading the package metadata only when asked (it costs every cold start)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from kiosk import __version__
        print(f"{parser.prog} {__version__}")     # stdout, as argparse's own version action
        parser.exit()


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    common = global_options()
    parser = argparse.ArgumentParser(prog="kiosk", parents=[common],
                                     description="Lobby check-in kiosk for Vietnam's electronic health book.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in modules:
        importlib.import_module(name).register(sub, [common])
    return parser


# screen commands (`demo` checks for itself: its --headless needs no display; `display --screenshot` too)
GUI_COMMANDS = ("run", "desk", "display", "caller")


def has_display() -> bool:
    import os
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))


def _precheck(args: argparse.Namespace) -> str | None:
    """What stops a command before it starts: a named settings file that is not there (only the
    first-run wizard may create one), or a screen command with no screen."""
    creates = args.command == "provision" or (args.command == "desk" and getattr(args, "wizard", False))
    if args.config is not None and not Path(args.config).exists() and not creates:
        return (f"configuration error: {args.config}: settings file not found (check the path; "
                "`kiosk provision` or `kiosk desk --wizard --config PATH` creates a new one)")
    if args.config is not None and Path(args.config).is_file():
        import tomllib
        try:
            tomllib.loads(Path(args.config).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return f"configuration error: {args.config}: not valid TOML: {exc}"
        except OSError as exc:
            return f"configuration error: {args.config}: {exc.strerror}"
    if args.command in GUI_COMMANDS and not has_display():
        return ("no display (DISPLAY/WAYLAND_DISPLAY unset): run it on the kiosk's screen session, "
                "or under Xvfb (xvfb-run -a kiosk ...)")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for opt in ("config", "data_dir"):
        if not hasattr(args, opt):
            setattr(args, opt, None)
    ctx = Context(args)
    stop = _precheck(args)
    if stop:
        print(f"kiosk {args.command}: {stop}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, ctx) or 0)
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - every command's errors are one clear line, never a traceback
        return _one_line(args, exc)


def command_name(args: argparse.Namespace) -> str:
    words = [getattr(args, "command", None)]
    for attr in sorted(vars(args)):
        if attr.endswith("_command") or attr in ("action", "sub", "what"):
            value = getattr(args, attr)
            if isinstance(value, str):
                words.append(value)
    return "kiosk " + " ".join(w for w in words if w)


def _one_line(args: argparse.Namespace, exc: Exception) -> int:
    """Print what went wrong in one line (file names and OS reasons, never personal data) and keep
    the traceback for the log; KIOSK_DEBUG=1 shows it on the terminal instead."""
    import logging
    import os
    if os.environ.get("KIOSK_DEBUG"):
        raise exc
    logging.getLogger("kiosk.cli").debug("command failed", exc_info=exc)
    import sqlcipher3
    from kiosk.store.db import StoreError, describe_db_error
    if isinstance(exc, sqlcipher3.DatabaseError) and not isinstance(exc, sqlcipher3.IntegrityError):
        # a damaged page met mid-command (red-team L4), a busy database, a full disk
        text = describe_db_error(exc)
    elif isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        text = f"{exc.strerror or type(exc).__name__}{where}"
    elif isinstance(exc, (StoreError, ValueError)):
        text = str(exc) or type(exc).__name__
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    print(f"{command_name(args)}: {text.splitlines()[0] if text else type(exc).__name__}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
