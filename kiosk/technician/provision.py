"""Provisioning a kiosk: facility and kiosk identity, gateway account and officer, signing key
(PKCS#12 import or a PKCS#11 slot), database key, services, staff accounts, language.

Two phases, so a bad file changes NOTHING: `plan_from_*` reads and checks every field (collecting
every problem, each naming its field: `facility.code`, `signing.pkcs12` ...), then `apply()` makes
the changes. `apply()` is idempotent: run twice with the same input, the second run changes no file,
no account and writes no audit entry. Secrets come from files (`password_file`) or environment
variables (`password_env`), never inline, and are never echoed.

Output: the settings TOML (atomic, 0600: it holds the gateway password and officer CCCD), the
imported PKCS#12 and its password as 0600 files in `<config dir>/secrets/`, the database key file,
the database, staff accounts, and a `provisioning` row in the settings table.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from kiosk.config import BY_NAME, ConfigError, _coerce
from kiosk.security.pins import PinHasher, PinPolicyError, check_policy
from kiosk.technician.toml_writer import dumps as toml_dumps
from kiosk.files import write_atomic
from kiosk.store.keys import FileKeyProvider, KeyProviderError

ROLES = ("reception", "clinician", "technician", "admin")
# provisioning file table.key -> setting name
FIELD_MAP = {
    "facility.code": "facility_code", "facility.name": "facility_name", "facility.head_code": "facility_head_code",
    "kiosk.id": "kiosk_id", "kiosk.facility_ids": "facility_kiosk_ids", "kiosk.language": "language", "kiosk.data_dir": "data_dir", "kiosk.key_file": "key_file",
    "kiosk.printer": "printer", "kiosk.scanners": "scanners", "kiosk.card_reader": "card_reader",
    "gateway.url": "gateway_url", "gateway.username": "gateway_username", "gateway.officer_name": "gateway_officer_name",
    "gateway.revision": "gateway_revision", "gateway.ca_bundle": "gateway_ca_bundle",
    "gateway.test_card": "gateway_test_card", "gateway.test_name": "gateway_test_name",
    "gateway.test_birth": "gateway_test_birth",
    "signing.source": "signing_source", "signing.pkcs11_module": "pkcs11_module",
    "signing.token_label": "pkcs11_token_label", "signing.key_label": "pkcs11_key_label", "signing.slot": "pkcs11_slot",
    "hub.dsn": "hub_dsn", "hub.password_file": "hub_password_file", "hub.tls_required": "hub_tls_required",
}
SECRET_MAP = {"gateway.password": "gateway_password", "gateway.officer_cccd": "gateway_officer_cccd",
              "signing.pin": "pkcs11_pin"}
KEY_STORE = {"gateway_password": ("gateway.pass", "gateway.password"),
             "gateway_officer_cccd": ("officer.cccd", "gateway.officer_cccd")}
REQUIRED = ("facility.code", "facility.name", "kiosk.id", "gateway.url", "gateway.username")
OPTIONAL_WITH_HUB = ("kiosk.id",)                 # with hub.dsn the hub assigns the kiosk id
PROVISIONING_KEY = "provisioning"


class ProvisionError(Exception):
    """Every problem found, each naming its field; nothing was changed."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))

    @property
    def fields(self) -> list[str]:
        return [f for f, _ in self.problems]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: str
    pin: str = field(repr=False)
    badge: str | None = None


@dataclass
class ProvisionPlan:
    config_path: Path
    settings: dict[str, Any]                      # every setting the TOML file will hold
    pkcs12: bytes | None = field(default=None, repr=False)
    pkcs12_password: bytes | None = field(default=None, repr=False)
    staff: tuple[StaffSpec, ...] = ()
    warnings: list[str] = field(default_factory=list)
    hub_machine: str | None = None                # [hub] machine: this machine's name at the hub
    # rows of the local settings table to write (a value) or remove (None) in apply()'s transaction:
    # the hub enrolment still to confirm (kiosk.technician.hub_enrolment)
    store_settings: dict[str, str | None] = field(default_factory=dict)

    @property
    def secrets_dir(self) -> Path:
        return self.config_path.parent / "secrets"


@dataclass
class ProvisionReport:
    changed: list[str]                            # what changed (names only, never values)
    config_path: Path
    warnings: list[str]

    @property
    def nothing_changed(self) -> bool:
        return not self.changed


# ---------------------------------------------------------------- reading and checking
def _secret(table: Mapping, key: str, name: str, env: Mapping[str, str], problems: list) -> str | None:
    if key in table:
        problems.append((name, f"do not write secrets in the file: use {key}_file or {key}_env"))
        return None
    if f"{key}_file" in table:
        path = Path(os.path.expanduser(str(table[f"{key}_file"])))
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            problems.append((f"{name}_file", f"cannot read {path}: {exc.strerror}"))
            return None
    if f"{key}_env" in table:
        var = str(table[f"{key}_env"])
        if var not in env:
            problems.append((f"{name}_env", f"environment variable {var} is not set"))
            return None
        return env[var]
    return None


def plan_from_file(path: Path, config_path: Path, env: Mapping[str, str] | None = None) -> ProvisionPlan:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProvisionError([("file", f"cannot read {path}: {exc.strerror}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProvisionError([("file", f"not valid TOML: {exc}")]) from None
    return plan_from_dict(doc, config_path, env, base=Path(path).parent)


def plan_from_dict(doc: Mapping[str, Any], config_path: Path, env: Mapping[str, str] | None = None,
                   base: Path | None = None) -> ProvisionPlan:
    env = os.environ if env is None else env
    problems: list[tuple[str, str]] = []
    settings: dict[str, Any] = {}

    def put(name: str, setting: str, raw: Any) -> None:
        try:
            settings[setting] = _coerce(BY_NAME[setting], raw, name)
        except ConfigError as exc:
            text = str(exc).split(": ", 1)[-1]
            problems.append((name, re.sub(r"^setting '[a-z0-9_]+'(: | must be )", lambda m: "" if ":" in m[1] else "must be ", text)))

    known_tables = {"facility", "kiosk", "gateway", "signing", "services", "staff", "settings", "hub"}
    for table in doc:
        if table not in known_tables:
            problems.append((table, "unknown table"))
    for name, setting in FIELD_MAP.items():
        table, key = name.split(".")
        if key in doc.get(table, {}):
            put(name, setting, doc[table][key])
    for name in REQUIRED:
        table, key = name.split(".")
        if name in OPTIONAL_WITH_HUB and settings.get("hub_dsn"):
            continue
        if not str(doc.get(table, {}).get(key, "")).strip():
            problems.append((name, "required"))
    code = settings.get("facility_code", "")
    if code and not (len(code) == 5 and code.isdigit()):
        problems.append(("facility.code", "MA_CSKCB is 5 digits, the first two the province code"))
    kid = settings.get("kiosk_id", "")
    if kid and not kid.isalnum():
        problems.append(("kiosk.id", "letters and digits only (it is part of ticket numbers and MA_LK)"))
    from kiosk.security.kiosk_ids import kiosk_id_problems
    if kid:
        problems.extend(("kiosk.id", p) for p in kiosk_id_problems(kid, settings.get("facility_kiosk_ids", [])))
    for name, setting in SECRET_MAP.items():
        table, key = name.split(".")
        value = _secret(doc.get(table, {}), key, name, env, problems)
        if value is not None:
            put(name, setting, value)
    for key, raw in doc.get("settings", {}).items():
        if key not in BY_NAME or BY_NAME[key].secret:
            problems.append((f"settings.{key}", "unknown setting" if key not in BY_NAME else "secret: not here"))
        else:
            put(f"settings.{key}", key, raw)
    if "services" in doc:
        put("services", "services", doc["services"])
    plan = ProvisionPlan(Path(config_path), settings)
    machine = str(doc.get("hub", {}).get("machine", "")).strip()
    plan.hub_machine = machine or None
    from kiosk.technician.provision_signing import check_signing
    check_signing(doc.get("signing", {}), plan, env, problems, base)
    _key_file(plan, problems)
    plan.staff = _staff(doc.get("staff", []), problems, env)
    from kiosk.store.db import db_path
    # an admin row whose PIN is missing is reported as that PIN, not as "no admin" as well
    if "data_dir" in settings and not db_path(settings["data_dir"]).exists() and \
            not any(str(row.get("role", "")) == "admin" for row in doc.get("staff", [])):
        problems.append(("staff", "a new kiosk needs at least one admin account"))
    if problems:
        raise ProvisionError(problems)
    return plan


def _key_file(plan: ProvisionPlan, problems: list) -> None:
    s = plan.settings
    if any(f[0] in ("kiosk.data_dir", "kiosk.key_file") for f in problems):
        return
    for name in ("data_dir", "key_file"):          # the platform defaults when the file does not say
        s.setdefault(name, BY_NAME[name].default)
    try:
        provider = FileKeyProvider(s["key_file"], s["data_dir"])
        if provider.exists():
            key = provider.load()
            from kiosk.store.db import db_path
            if db_path(s["data_dir"]).exists():
                from kiosk.store.db import connect
                connect(db_path(s["data_dir"]), key).close()
    except KeyProviderError as exc:
        problems.append(("kiosk.key_file", str(exc)))
    except Exception as exc:  # noqa: BLE001 - WrongKeyError and friends
        problems.append(("kiosk.key_file", f"does not open the existing database ({type(exc).__name__})"))


def _staff(rows: list, problems: list, env) -> tuple[StaffSpec, ...]:
    out, seen = [], set()
    for i, row in enumerate(rows):
        where = f"staff[{i}]"
        username = str(row.get("username", "")).strip()
        if not username or username in seen:
            problems.append((f"{where}.username", "missing or repeated"))
            continue
        seen.add(username)
        role = str(row.get("role", ""))
        if role not in ROLES:
            problems.append((f"{where}.role", f"one of {', '.join(ROLES)}"))
        pin = _secret(row, "pin", f"{where}.pin", env, problems)
        if pin is None:
            if not any(f.startswith(f"{where}.pin") for f, _ in problems):
                problems.append((f"{where}.pin", "required: pin_file or pin_env"))
            continue
        try:
            check_policy(pin)
        except PinPolicyError as exc:
            problems.append((f"{where}.pin", str(exc)))
        out.append(StaffSpec(username, str(row.get("display_name", username)), role, pin, row.get("badge")))
    return tuple(out)


# ---------------------------------------------------------------- applying
def _write_if_changed(path: Path, data: bytes, changed: list[str], what: str) -> None:
    try:
        if path.read_bytes() == data and (path.stat().st_mode & 0o777) == 0o600:
            return
    except OSError:
        pass
    write_atomic(path, data)
    changed.append(what)


def render_config(settings: Mapping[str, Any]) -> str:
    ordered = {s: settings[s] for s in BY_NAME if s in settings}
    return ("# Written by `kiosk provision` / the first-run wizard. Holds secrets: keep it 0600.\n"
            + toml_dumps(ordered))


def apply(plan: ProvisionPlan, *, clock=None, hasher: PinHasher | None = None, actor: str = "provisioning",
          role: str | None = None, extra: dict | None = None) -> ProvisionReport:
    from kiosk.security.audit_log import AuditLog
    from kiosk.store.db import db_path
    from kiosk.store.migrate import open_store
    s = plan.settings
    changed: list[str] = []
    if plan.pkcs12 is not None:
        assert plan.pkcs12_password is not None  # set together with pkcs12
        _write_if_changed(plan.secrets_dir / "facility.p12", plan.pkcs12, changed, "signing.pkcs12")
        _write_if_changed(plan.secrets_dir / "pkcs12.pass", plan.pkcs12_password + b"\n", changed, "signing.password")
    for setting, (file_name, what) in KEY_STORE.items():     # the key store, never kiosk.toml
        value = s.pop(setting, None)
        if value:
            _write_if_changed(plan.secrets_dir / file_name, str(value).encode("utf-8") + b"\n", changed, what)
            s[f"{setting}_file"] = plan.secrets_dir / file_name
    provider = FileKeyProvider(s["key_file"], s["data_dir"])
    key = provider.load() if provider.exists() else None
    if key is None:
        key = provider.create()
        changed.append("database.key")
    create = not db_path(s["data_dir"]).exists()
    if create:
        changed.append("database")
    store = open_store(s["data_dir"], key, create=create, clock=clock)
    try:
        hasher = hasher or PinHasher()
        staff_changes = _apply_staff(store, plan.staff, hasher)
        public = {k: (str(v) if isinstance(v, Path) else v) for k, v in s.items() if not BY_NAME[k].secret}
        digest = hashlib.sha256(json.dumps(public, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        text = render_config(s).encode("utf-8")
        previous = store.settings.get(PROVISIONING_KEY)
        config_changed = True
        try:
            config_changed = plan.config_path.read_bytes() != text
        except OSError:
            pass
        rows = {k: v for k, v in plan.store_settings.items() if store.settings.get(k) != v}
        with store.transaction():
            for row, value in rows.items():
                store.settings.set(row, value) if value is not None else store.settings.delete(row)
            for name, (acc_id, what) in staff_changes.items():
                if what == "create":
                    store.staff.create(name, *acc_id)
                else:
                    store.staff.update(acc_id, **what)
            if previous != digest:
                store.settings.set(PROVISIONING_KEY, digest)
            all_changed = changed + [f"staff:{n}" for n in staff_changes] + (["settings"] if previous != digest else [])
            all_changed += ["config"] if config_changed else []
            all_changed += [f"store:{row}" for row in rows]
            if all_changed:
                AuditLog(store).append(actor, role, "provision.apply", "kiosk",
                                       {"changed": all_changed, "settings_sha256": digest, **(extra or {})})
        if config_changed:
            write_atomic(plan.config_path, text)
        return ProvisionReport(all_changed, plan.config_path, plan.warnings)
    finally:
        store.close()


def _apply_staff(store, specs, hasher: PinHasher) -> dict:
    """What to do per account: ('create', args) or (id, changes); hashing happens here, outside
    the transaction (Argon2 is slow). An unchanged PIN (it still verifies) is not re-hashed."""
    out: dict = {}
    for spec in specs:
        acc = store.staff.by_username(spec.username)
        if acc is None:
            out[spec.username] = ((spec.display_name, spec.role, hasher.hash(spec.pin), spec.badge), "create")
            continue
        changes: dict[str, Any] = {}
        if acc.display_name != spec.display_name:
            changes["display_name"] = spec.display_name
        if acc.role != spec.role:
            changes["role"] = spec.role
        if (acc.badge or None) != (spec.badge or None):
            changes["badge"] = spec.badge
        if not acc.active:
            changes["active"] = True
        if not hasher.verify(acc.pin_hash, spec.pin):
            changes["pin_hash"] = hasher.hash(spec.pin)
        if changes:
            out[spec.username] = (acc.id, changes)
    return out
