"""Loading the settings: the TOML file, `KIOSK_<NAME>` environment variables, `kiosk config
show|schema` and the README table, all from the one declaration in kiosk/settings_table.py.
"""
from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Callable, Mapping

import platformdirs

from kiosk.config_fields import ConfigFields
from kiosk.settings_table import (  # noqa: F401  (re-exported: kiosk.config is the public name)
    APP_NAME,
    BY_NAME,
    ConfigError,
    DEFAULT_SERVICES,
    SETTINGS,
    Setting,
)


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "kiosk.toml"


class Config(ConfigFields, Mapping[str, Any]):
    """The effective settings; read-only, attribute or item access (attributes typed by
    `ConfigFields`, generated from SETTINGS)."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str]):
        self._values = values
        self._sources = sources

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def source(self, name: str) -> str:
        return self._sources[name]

    def replace(self, **changes: Any) -> "Config":
        values, sources = dict(self._values), dict(self._sources)
        for name, raw in changes.items():
            values[name] = _coerce(BY_NAME[name], raw, "replace()")
            sources[name] = "override"
        return Config(values, sources)

    def redacted(self) -> dict[str, Any]:
        out = {}
        for s in SETTINGS:
            value = self._values[s.name]
            if (s.secret or s.personal) and value:
                value = "***"   # secrets, and personal data such as the look-up officer's name (red-team Info)
            out[s.name] = str(value) if isinstance(value, Path) else value
        return out


def _coerce(setting: Setting, raw: Any, where: str, from_text: bool = False) -> Any:
    def wrong() -> ConfigError:
        got = f"a {type(raw).__name__} (value hidden: a secret)" if setting.secret else repr(raw)
        return ConfigError(f"{where}: setting '{setting.name}' must be {setting.type_name}, got {got}")

    t = setting.type
    if from_text and isinstance(raw, str) and t is not str and t is not Path:
        raw = _parse_env_text(setting, raw, wrong)
    if t is bool:
        if not isinstance(raw, bool):
            raise wrong()
        value: Any = raw
    elif t is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise wrong()
        value = raw
    elif t is float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise wrong()
        value = float(raw)
    elif t is str:
        if not isinstance(raw, str):
            raise wrong()
        value = raw
    elif t is Path:
        if not isinstance(raw, (str, Path)):
            raise wrong()
        value = Path(os.path.expanduser(str(raw))) if str(raw) else Path("")
    elif t is list:
        if not isinstance(raw, list):
            raise wrong()
        value = raw
    else:  # pragma: no cover - a declaration bug
        raise TypeError(t)
    if setting.choices and value not in setting.choices:
        raise wrong()
    if setting.validate:
        problem = setting.validate(value)
        if problem:
            raise ConfigError(f"{where}: setting '{setting.name}': {problem}")
    return value


def _parse_env_text(setting: Setting, text: str, wrong: Callable[[], ConfigError]) -> Any:
    t = setting.type
    try:
        if t is bool:
            low = text.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise wrong()
        if t is int:
            return int(text)
        if t is float:
            return float(text)
        if t is list:
            return json.loads(text) if text.strip().startswith("[") else [p for p in text.split(",") if p]
    except ValueError:
        raise wrong() from None
    return text


def _flatten(doc: dict[str, Any], where: str) -> dict[str, Any]:
    """Accept `gateway_url = ...` and `[gateway] url = ...` alike."""
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict) and key not in BY_NAME:
            for sub, subvalue in value.items():
                flat[f"{key}_{sub}"] = subvalue
        else:
            flat[key] = value
    return flat


def load(path: Path | None = None, env: Mapping[str, str] | None = None,
         overrides: Mapping[str, Any] | None = None) -> Config:
    """Defaults < TOML file < KIOSK_* environment < explicit overrides (CLI options)."""
    env = os.environ if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    explicit = path is not None or "KIOSK_CONFIG" in env
    path = Path(path or env.get("KIOSK_CONFIG") or default_config_path())
    if path.exists():
        where = str(path)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from None
        for key, raw in _flatten(doc, where).items():
            setting = BY_NAME.get(key)
            if setting is None:
                raise ConfigError(f"{where}: unknown setting '{key}' (see `kiosk config schema`)")
            values[key] = _coerce(setting, raw, where)
            sources[key] = where
    elif explicit:
        raise ConfigError(f"{path}: settings file not found")
    for setting in SETTINGS:
        if setting.env_name in env:
            values[setting.name] = _coerce(setting, env[setting.env_name], f"environment {setting.env_name}",
                                         from_text=True)
            sources[setting.name] = "env"
    unknown = [k for k in env if k.startswith("KIOSK_") and k[6:].lower() not in BY_NAME
               and k not in _NON_SETTING_ENV]
    if unknown:
        raise ConfigError(f"environment: unknown setting variable {unknown[0]} (see `kiosk config schema`)")
    for key, raw in (overrides or {}).items():
        values[key] = _coerce(BY_NAME[key], raw, "command line")
        sources[key] = "command line"
    return Config(values, sources)


# KIOSK_* variables that are not settings (paths for tests and builds).
_NON_SETTING_ENV = {"KIOSK_CONFIG", "KIOSK_RESOURCES_DIR", "KIOSK_MIGRATIONS_DIR", "KIOSK_TEST_TMP"}


def schema_rows() -> list[dict[str, str]]:
    rows = []
    for s in SETTINGS:
        default = s.doc_default if s.doc_default is not None else s.default
        if s.name == "services":
            default = f"{len(DEFAULT_SERVICES)} demo services"
        rows.append({"name": s.name, "type": s.type_name, "default": str(default),
                     "secret": "yes" if s.secret else "", "env": s.env_name, "help": s.help})
    return rows


def schema_markdown() -> str:
    lines = ["| setting | type | default | secret | help |", "|---|---|---|---|---|"]
    for r in schema_rows():
        default = r["default"].replace("|", "\\|") or "(empty)"
        lines.append(f"| `{r['name']}` | {r['type']} | `{default}` | {r['secret']} | {r['help']} |")
    return "\n".join(lines)


_FIELD_TYPES = {str: "str", bool: "bool", int: "int", float: "float", Path: "Path", list: "list[Any]"}


def fields_source() -> str:
    """`kiosk/config_fields.py`: a typed attribute per setting (scripts/update_readme.py writes it,
    a test keeps it current)."""
    lines = ['"""Typed attribute access to the settings: generated from `kiosk.config.SETTINGS` by',
             '`python scripts/update_readme.py`; do not edit (a test compares it with SETTINGS)."""',
             "from __future__ import annotations", "", "from pathlib import Path", "from typing import Any",
             "", "", "class ConfigFields:", '    """One annotation per setting; `Config` holds the values."""', ""]
    lines += [f"    {st.name}: {_FIELD_TYPES[st.type]}" for st in SETTINGS]
    return "\n".join(lines) + "\n"
