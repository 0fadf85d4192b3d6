"""The one place where the settings (`kiosk.config.Config`) become the option objects of the
layers below: `core`, `identity`, `checkin`, `desk`, `sync`, `gateway` and the scanner drivers
never read a `Config`; the composition roots call these adapters and hand them typed options.

The gateway client and the signer are built here too. Each adapter imports its option type when
called: the app imports this module while the idle screen comes up, and the state machine, the
store, the sync worker, `requests` and `cryptography` must not be loaded on the Qt thread then."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config

if TYPE_CHECKING:
    import requests

    from drivers.scanner.spec import ScannerOptions
    from drivers.scanner.wedge import WedgeConfig
    from kiosk.checkin.issuing import IssuingSettings
    from kiosk.core.checkin import MachineConfig
    from kiosk.core.clock import Clock
    from kiosk.core.views import ServiceOption
    from kiosk.desk.context import DeskSettings
    from kiosk.gateway.client import GatewayClient
    from kiosk.gateway.signing import XmlDsigSigner
    from kiosk.identity.parse import ParseOptions
    from kiosk.sync.worker import SyncSettings


def services(cfg: Config) -> "tuple[ServiceOption, ...]":
    """The `services` setting (validated by config.py) as the domain's `ServiceOption`s."""
    from kiosk.core.views import ServiceOption
    return tuple(ServiceOption(code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"], room=s["room"],
                               ticket_letter=s.get("ticket_letter", "A"),
                               minutes_per_patient=int(s.get("minutes_per_patient", 6)))
                 for s in cfg.services)


def machine_config(cfg: Config) -> "MachineConfig":
    from kiosk.core import priority as prio
    from kiosk.core.checkin import MachineConfig
    return MachineConfig(services=services(cfg), inactivity_s=cfg.inactivity_seconds,
                         ticket_screen_s=cfg.ticket_screen_seconds,
                         eligibility_deadline_s=cfg.eligibility_deadline,
                         elderly_age=cfg.get("priority_elderly_age", prio.DEFAULT_ELDERLY_AGE))


def parse_options(cfg: Any) -> "ParseOptions":
    """Parsing options; tolerant of a partial settings object (`kiosk identity parse` on a broken
    config falls back to the defaults of each missing name)."""
    from kiosk.identity.parse import ParseOptions

    groups = getattr(cfg, "bhyt_extra_groups", [])
    return ParseOptions(prefix=getattr(cfg, "scanner_prefix", ""), suffix=getattr(cfg, "scanner_suffix", ""),
                        vneid_prefix=getattr(cfg, "vneid_prefix", ""), vneid_pattern=getattr(cfg, "vneid_pattern", ""),
                        vneid_fallback=getattr(cfg, "vneid_fallback", True),
                        extra_groups=frozenset(g.strip().upper() for g in groups))


def issuing_settings(cfg: Config, service_options: "tuple[ServiceOption, ...] | None" = None) -> "IssuingSettings":
    from kiosk.checkin.issuing import IssuingSettings
    from kiosk.core import tickets as numbering
    numbering.check_format(cfg.ticket_format)
    opts = services(cfg) if service_options is None else service_options
    by_service = tuple((s["code"], s["ma_doituong_kcb"]) for s in cfg.services
                       if isinstance(s, dict) and s.get("ma_doituong_kcb"))
    by_priority = tuple((k, v) for k, v in (item.split("=", 1) for item in cfg.ma_doituong_kcb_priority))
    return IssuingSettings(cfg.facility_code, cfg.kiosk_id, opts, cfg.ticket_format, cfg.ma_doituong_kcb,
                           by_service, by_priority)


def desk_settings(cfg: Config) -> "DeskSettings":
    from kiosk.desk.context import DeskSettings
    machine = machine_config(cfg)
    return DeskSettings(cfg.facility_code, cfg.facility_name, cfg.kiosk_id, machine.services, cfg.ticket_format,
                        cfg.ma_doituong_kcb, cfg.get("facility_head_code", "") or "", machine.elderly_age,
                        cfg.gateway_revision)


def sync_settings(cfg: Config) -> "SyncSettings":
    from kiosk.sync.worker import SyncSettings
    return SyncSettings(batch_size=cfg.sync_batch_size, concurrency=cfg.sync_concurrency,
                        lease_seconds=cfg.sync_lease_seconds, backoff_base=cfg.sync_backoff_base,
                        backoff_cap=cfg.sync_backoff_cap,
                        # the look-up must not run while the first attempt may still be in flight
                        reconcile_grace=max(cfg.sync_reconcile_grace, cfg.gateway_read_timeout))


def scanner_options(cfg: Config, **extra: Any) -> "ScannerOptions":
    """Options of the scanner threads the app (and `kiosk scan test`) builds."""
    from drivers.scanner.spec import ScannerOptions
    opts: dict[str, Any] = dict(prefix=cfg.scanner_prefix, suffix=cfg.scanner_suffix, decoder=cfg.camera_decoder,
                                hold_off=float(cfg.scanner_hold_off), baud=int(cfg.scanner_serial_baud))
    opts.update(extra)
    return ScannerOptions(**opts)


def wedge_config(cfg: Config) -> "WedgeConfig":
    """The keyboard-wedge filter: keys closer than `wedge_max_key_gap_ms` are a scanner burst."""
    from drivers.scanner.wedge import WedgeConfig
    return WedgeConfig(max_gap=float(cfg.wedge_max_key_gap_ms) / 1000.0)


def gateway_client(cfg: Config, *, session: "requests.Session | None" = None,
                   clock: "Clock | None" = None) -> "GatewayClient":
    """The BHYT gateway client of settings gateway_*, facility_code and vneid_*."""
    from kiosk.gateway.client import GatewayClient
    bundle = str(cfg.gateway_ca_bundle) if str(cfg.gateway_ca_bundle) not in ("", ".") else None
    return GatewayClient(cfg.gateway_url, cfg.gateway_username, cfg.gateway_password, cfg.gateway_officer_name,
                         cfg.gateway_officer_cccd, revision=cfg.gateway_revision, session=session,
                         connect_timeout=cfg.gateway_connect_timeout, read_timeout=cfg.gateway_read_timeout,
                         ca_bundle=bundle, lookup_endpoint=cfg.gateway_lookup_endpoint, clock=clock,
                         facility_code=cfg.facility_code, vneid_endpoint=cfg.vneid_resolver_endpoint,
                         card_check_body=cfg.gateway_card_check_body, allow_http=cfg.gateway_allow_http)


def signer(cfg: Config, *, password: bytes | str | None = None, c14n: str = "inclusive") -> "XmlDsigSigner":
    """The facility signer the settings describe. The PKCS#12 password comes from `password`, the
    key-store file `signing_pkcs12_password_file`, or the environment — never from the settings file."""
    from kiosk.gateway.signing import Pkcs11Identity, SigningError, pkcs12_signer
    if cfg.signing_source == "pkcs11":
        ident = Pkcs11Identity(cfg.pkcs11_module, cfg.pkcs11_pin, cfg.pkcs11_key_label, cfg.pkcs11_token_label,
                               slot=cfg.pkcs11_slot)
        return ident.signer(c14n)
    if password is None:
        pw_file = cfg.signing_pkcs12_password_file
        if str(pw_file) not in ("", "."):
            password = Path(pw_file).read_bytes().strip()
        elif cfg.signing_pkcs12_password:
            if cfg.source("signing_pkcs12_password") not in ("env", "override", "command line"):
                raise SigningError("keep the PKCS#12 password out of the settings file: use "
                                   "signing_pkcs12_password_file or KIOSK_SIGNING_PKCS12_PASSWORD")
            password = cfg.signing_pkcs12_password
    return pkcs12_signer(cfg.signing_pkcs12, password, c14n)
