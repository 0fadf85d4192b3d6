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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for opt in ("config", "data_dir"):
        if not hasattr(args, opt):
            setattr(args, opt, None)
    ctx = Context(args)
    try:
        return int(args.func(args, ctx) or 0)
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
