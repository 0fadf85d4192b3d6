"""Every setting of the kiosk, declared once: name, type, default, help, secret-or-not (the table).

The TOML file, `KIOSK_<NAME>` environment variables, `kiosk config show|schema`, the README's
settings table and the technician screens all read this one declaration.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import platformdirs

APP_NAME = "vn-health-kiosk"


class ConfigError(Exception):
    """A settings file or variable that cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False
    personal: bool = False   # a person's data (a staff member's name): masked in `config show` and bundles
    choices: tuple[str, ...] | None = None
    validate: Callable[[Any], str | None] | None = field(default=None, compare=False)
    doc_default: str | None = None  # how the default reads in docs when it depends on the machine

    @property
    def env_name(self) -> str:
        return "KIOSK_" + self.name.upper()

    @property
    def type_name(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return {str: "string", int: "integer", float: "number", bool: "boolean",
                list: "list", Path: "path"}[self.type]


def _services_ok(value: Any) -> str | None:
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return f"services[{i}] must be a table"
        missing = [k for k in ("code", "name_vi", "name_en", "room") if not isinstance(item.get(k), str)]
        if missing:
            return f"services[{i}] needs string keys: {', '.join(missing)}"
        if "ma_doituong_kcb" in item and _category_ok(item["ma_doituong_kcb"]):
            return f"services[{i}].ma_doituong_kcb: {_category_ok(item['ma_doituong_kcb'])}"
    return None


def _category_ok(value: Any) -> str | None:
    from kiosk.gateway.codes import MA_DOITUONG_KCB
    if value not in MA_DOITUONG_KCB:
        return "MA_DOITUONG_KCB must be a code of QĐ 824/QĐ 3276 (e.g. 1.1, 2, 3.1); '1' alone is not a code"
    return None


def _category_map_ok(value: Any) -> str | None:
    from kiosk.core.views import PriorityCategory
    groups = {p.value for p in PriorityCategory}
    for item in value:
        group, _, code = str(item).partition("=")
        if group not in groups:
            return f"entries are group=code with group one of {', '.join(sorted(groups))}"
        problem = _category_ok(code)
        if problem:
            return problem
    return None


def _report_formats_ok(value: Any) -> str | None:
    bad = [f for f in value if f not in ("xlsx", "pdf", "csv", "json")]
    return f"unknown report formats {bad}: use xlsx, pdf, csv, json" if bad else None


def _counters_ok(value: Any) -> str | None:
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("room"), str):
            return f"counters[{i}] needs string keys id and room"
        if not isinstance(item.get("services"), list) or not item["services"]:
            return f"counters[{i}] needs services: a list of service codes"
    return None


def _facility_code_ok(value: Any) -> str | None:
    if value and not (len(value) == 5 and value.isdigit()):
        return "MA_CSKCB is 5 digits, the first two the province code"
    return None


DEFAULT_SERVICES: list[dict[str, Any]] = [
    {"code": "K01", "name_vi": "Khám Nội tổng quát", "name_en": "General internal medicine",
     "room": "101", "ticket_letter": "A", "minutes_per_patient": 6},
    {"code": "K02", "name_vi": "Khám Nhi", "name_en": "Paediatrics",
     "room": "105", "ticket_letter": "B", "minutes_per_patient": 8},
    {"code": "K03", "name_vi": "Khám Sản phụ khoa", "name_en": "Obstetrics and gynaecology",
     "room": "201", "ticket_letter": "C", "minutes_per_patient": 10},
    {"code": "K04", "name_vi": "Khám Mắt", "name_en": "Ophthalmology",
     "room": "203", "ticket_letter": "D", "minutes_per_patient": 7},
    {"code": "K05", "name_vi": "Khám Răng Hàm Mặt", "name_en": "Dentistry",
     "room": "205", "ticket_letter": "E", "minutes_per_patient": 12},
]

S = Setting
SETTINGS: tuple[Setting, ...] = (
    # --- facility and kiosk identity
    S("facility_code", str, "", "Facility code MA_CSKCB (5 digits, province first).", validate=_facility_code_ok),
    S("facility_name", str, "", "Facility name printed on tickets."),
    S("facility_head_code", str, "", "MA_TTDV: code of the facility head signing follow-up (XML14) and referral (XML13) papers."),
    S("kiosk_id", str, "1", "This kiosk's digit or letter; part of every ticket number and MA_LK."),
    S("facility_kiosk_ids", list, [], "Every kiosk ID in use at this facility, this one included (the same list "
      "on every kiosk). Provisioning and `kiosk doctor` refuse the default kiosk_id unless listed here, an ID "
      "missing from the list, and an ID listed twice."),
    S("language", str, "vi", "Language of the idle screen.", choices=("vi", "en")),
    S("services", list, DEFAULT_SERVICES,
      "Departments/services offered: tables with code, name_vi, name_en, room, ticket_letter, "
      "minutes_per_patient.", validate=_services_ok),
    S("ticket_format", str, "{letter}{kiosk}-{seq:03d}",
      "Ticket number format: {letter} (service), {kiosk}, {seq}, {priority} ('U' for priority)."),
    S("priority_elderly_age", int, 75, "Age from which the elderly get priority (Luật KCB 2023: 75; older texts: 80)."),
    S("ma_doituong_kcb", str, "1.1", "Default visit category MA_DOITUONG_KCB, a code of QĐ 824/QĐ 3276 "
      "(1.1 registered facility, 2 emergency, 1.3 referred with a paper ...); a service may override it.",
      validate=_category_ok),
    S("ma_doituong_kcb_priority", list, [], "MA_DOITUONG_KCB per priority group, entries 'group=code' "
      "(e.g. 'merit=1.4'); wins over the service's and the default.", validate=_category_map_ok),
    # --- storage
    S("data_dir", Path, Path(platformdirs.user_data_dir(APP_NAME)), "Directory of the database and tickets.",
      doc_default="<user data dir>/vn-health-kiosk"),
    S("key_provider", str, "file", "How the database key is obtained.", choices=("file", "passphrase")),
    S("key_file", Path, Path(platformdirs.user_config_dir(APP_NAME)) / "db.key",
      "Database key file (0600, outside the data dir).", doc_default="<user config dir>/vn-health-kiosk/db.key"),
    S("db_cache_mib", int, 0, "SQLCipher page cache per connection, MiB; 0 sizes it to the database "
      "(+10%, 8 MiB..1 GiB) so lookups never decrypt a page twice."),
    S("db_busy_timeout_ms", int, 5000, "SQLite busy timeout, milliseconds."),
    S("log_file", Path, Path(""), "Rotating log file; empty: <data_dir>/logs/kiosk.log."),
    S("log_level", str, "INFO", "Log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    # --- gateway
    S("gateway_url", str, "https://daotaoegw.baohiemxahoi.gov.vn", "Base URL of the BHYT gateway."),
    S("gateway_username", str, "", "Gateway account name."),
    S("gateway_password", str, "", "Gateway account password (prefer the key store).", secret=True),
    S("gateway_officer_name", str, "", "Registered look-up officer's full name (hoTenCb).", personal=True),
    S("gateway_officer_cccd", str, "", "Registered look-up officer's CCCD number (cccdCb).", secret=True),
    S("gateway_password_file", Path, Path(""),
      "Key-store file (0600) holding the gateway password (`kiosk provision` writes it there)."),
    S("gateway_officer_cccd_file", Path, Path(""),
      "Key-store file (0600) holding the officer's CCCD number (`kiosk provision` writes it there)."),
    S("gateway_revision", str, "3176", "Gateway revision: upload endpoints and the XML13/XML14 layouts "
      "(QĐ 3176 in force since 01/01/2025).", choices=("4750", "3176")),
    S("gateway_card_check_body", str, "form",
      "Card-check body encoding: form fields (seen in production) or JSON (the document; UNCONFIRMED).",
      choices=("form", "json")),
    S("gateway_connect_timeout", float, 5.0, "Gateway connect timeout, seconds."),
    S("gateway_read_timeout", float, 120.0, "Gateway read timeout for uploads, seconds; also the wall-clock "
      "deadline of a whole gateway call (login, upload, look-up), however slowly the gateway trickles."),
    S("gateway_allow_http", bool, False, "Allow an http:// gateway_url (cleartext). Only for the demo or a "
      "simulator on this machine; the kiosk refuses http:// otherwise and `kiosk doctor` flags it."),
    S("eligibility_deadline", float, 3.0, "Card check deadline at the kiosk before going provisional, seconds."),
    S("eligibility_cache_hours", float, 12.0, "How long a card check answer is reused."),
    S("gateway_ca_bundle", Path, Path(""), "Pinned CA bundle for the gateway's TLS; empty: system CAs."),
    S("gateway_lookup_endpoint", str, "",
      "Received-dossier look-up path used to reconcile after an ambiguous failure (UNCONFIRMED)."),
    S("vneid_resolver_endpoint", str, "", "Endpoint that resolves a VNeID token to identity (UNCONFIRMED)."),
    S("gateway_test_card", str, "", "Card number the technician's gateway test checks (with gateway_test_name/_birth)."),
    S("gateway_test_name", str, "", "Full name on the gateway test card."),
    S("gateway_test_birth", str, "", "Birth date of the gateway test card (dd/MM/yyyy or yyyy)."),
    # --- signing
    S("signing_source", str, "pkcs12", "Where the facility's signing key lives.", choices=("pkcs12", "pkcs11")),
    S("signing_pkcs12", Path, Path(""), "PKCS#12 file with the facility key and certificate."),
    S("signing_pkcs12_password", str, "", "PKCS#12 password (prefer a key store file).", secret=True),
    S("signing_pkcs12_password_file", Path, Path(""), "Key-store file (0600) holding the PKCS#12 password."),
    S("pkcs11_module", Path, Path("/usr/lib/softhsm/libsofthsm2.so"), "PKCS#11 module."),
    S("pkcs11_token_label", str, "", "PKCS#11 token label."),
    S("pkcs11_key_label", str, "", "PKCS#11 private key label."),
    S("pkcs11_pin", str, "", "PKCS#11 user PIN.", secret=True),
    S("pkcs11_slot", int, -1, "PKCS#11 slot id; -1: find the token by its label."),
    # --- sync
    S("sync_batch_size", int, 32, "Outbox items leased per batch."),
    S("sync_concurrency", int, 4, "Uploads in flight at once."),
    S("sync_lease_seconds", float, 180.0, "Lease on an item being sent."),
    S("sync_backoff_base", float, 2.0, "First retry delay, seconds."),
    S("sync_backoff_cap", float, 900.0, "Longest retry delay, seconds."),
    S("sync_reconcile_grace", float, 5.0, "Wait after an ambiguous upload failure before asking the gateway what it "
      "holds, seconds; never less than gateway_read_timeout (the first attempt may still be in flight)."),
    # --- facility hub (PostgreSQL; issue 17)
    S("hub_dsn", str, "", "Facility hub: libpq connection string without the password (multi-host with "
      "target_session_attrs=read-write for a standby); empty: this kiosk has no hub."),
    S("hub_password_file", Path, Path(""), "Key-store file (0600) holding the hub role's password; never the TOML."),
    S("hub_tls_required", bool, True, "Refuse a remote hub_dsn without sslmode=verify-full (production)."),
    S("hub_timeout", float, 1.0, "Deadline of an online ticket number from the hub, seconds; then the kiosk's own series."),
    S("hub_retry_seconds", float, 10.0, "After the hub failed to answer, use the kiosk's own series this long, seconds."),
    S("hub_hold_seconds", float, 20.0, "A kiosk whose previous ticket for a service was at most this many seconds ago "
      "holds the service's next hub number, so its next scan only claims it (no wait for the hub's series lock and "
      "disk). 0: allocate at each scan."),
    S("hub_claim_wait", float, 0.0, "How long a scan waits, after the kiosk's own work, for the hub's answer to the "
      "claim of a held number, seconds (0: only an answer already there); a later answer is read afterwards, and a "
      "patient ticketed elsewhere meanwhile is flagged for the desk."),
    S("hub_push_seconds", float, 2.0, "Facility link: hub events (LISTEN) start at most one push/pull round per this many seconds; rounds also follow every ticket and a 30 s fallback; offline, the reconnect interval."),
    # --- devices
    S("scanners", list, ["wedge"], "Scanner sources: wedge, hidpos:VID:PID, serial:/dev/ttyACM0, camera:0, sim."),
    S("scanner_prefix", str, "", "Prefix the scanner adds to each read."),
    S("scanner_suffix", str, "", "Suffix the scanner adds before the terminator."),
    S("camera_decoder", str, "zxing", "Camera QR decoder.", choices=("zxing", "pyzbar", "opencv")),
    S("scanner_hold_off", float, 2.0, "The same code from any scanner or camera within this many seconds counts once."),
    S("wedge_max_key_gap_ms", float, 30.0, "Keyboard-wedge: keys closer than this are a scanner burst, slower ones typing."),
    S("scanner_serial_baud", int, 9600, "Baud rate of serial scanners whose spec has no @BAUD."),
    S("card_reader", str, "", "PC/SC reader name (substring); empty: the first with a card."),
    S("card_watch", bool, True, "Watch the PC/SC reader and read chip cards laid on it (off: QR and typed numbers only)."),
    S("csca_dir", Path, Path(""), "Directory of trusted CSCA certificates (PEM/DER) or ICAO master lists."),
    S("card_chunk_size", int, 223, "READ BINARY chunk (bytes) under secure messaging; >231 needs extended-length APDUs."),
    S("cccd_docnum_rule", str, "last9", "How the MRZ document number derives from the CCCD number (UNCONFIRMED).",
      choices=("last9", "first9", "full12")),
    S("bac_renewal_ages", list, [14, 25, 40, 60], "Ages at which a CCCD expires; BAC tries the matching expiry dates (UNCONFIRMED)."),
    S("bac_no_expiry_forms", list, ["<<<<<<0", "<<<<<<<"], "Chip MRZ expiry + check digit of a non-expiring CCCD (issued at 58+) tried for BAC (UNCONFIRMED)."),
    S("vneid_prefix", str, "", "Reads starting with this are VNeID tokens (VNeID QR format UNCONFIRMED); empty: none."),
    S("vneid_pattern", str, "", "Regular expression a VNeID token must match; empty: any."),
    S("vneid_fallback", bool, True, "Take an unknown token-like read (16+ printable chars, letters and digits) as a VNeID token."),
    S("bhyt_extra_groups", list, [], "BHYT beneficiary group codes accepted beyond the QĐ 1351 list."),
    S("printer", str, "file",
      "Ticket printer: usb:VID:PID, serial:/dev/ttyUSB0, network:HOST[:PORT] or file[:PATH] (ESC/POS; "
      "bare file = /dev/usb/lp0); sim, png or pdf write ticket images to <data_dir>/tickets."),
    S("printer_codepage_has_vietnamese", bool, False, "Print text as text (else rendered as an image)."),
    S("printer_profile", str, "TM-T20II", "python-escpos printer profile (paper width, code pages)."),
    S("printer_native_qr", bool, True, "Print the ticket QR with the printer's own QR command (else as an image)."),
    # --- public screen
    S("inactivity_seconds", float, 30.0, "Reset to the idle screen after this much inactivity."),
    S("ticket_screen_seconds", float, 8.0, "How long the ticket screen stays up."),
    S("orientation", str, "auto", "Screen layout.", choices=("auto", "portrait", "landscape")),
    S("large_text", bool, False, "Start in large-text mode."),
    S("high_contrast", bool, False, "Start in high-contrast mode."),
    S("speech", bool, False, "Spoken prompts when a speech engine is present."),
    # --- staff and operations
    S("staff_session_minutes", float, 5.0, "Staff session ends after this much inactivity."),
    S("pin_max_failures", int, 5, "PIN failures before lockout."),
    S("metrics_bind", str, "127.0.0.1:9310", "Prometheus metrics endpoint; empty disables it."),
    S("backup_retention_days", int, 14, "Nightly encrypted backups kept."),
    S("patient_retention_days", int, 365, "Patients not seen for this many days are purged."),
    S("receipt_retention_days", int, 730, "Acked outbox items older than this are pruned."),
    S("min_free_disk_mib", int, 200, "Refuse new check-ins below this much free disk."),
    S("backup_time", str, "02:30", "Local time (HH:MM, Vietnam) of the nightly encrypted backup."),
    S("retention_time", str, "02:45", "Local time (HH:MM, Vietnam) of the daily retention job."),
    S("report_time", str, "07:00", "Local time (HH:MM, Vietnam) of the daily check that last week's report is prepared (due before Wednesday 10:00)."),
    S("report_dir", Path, Path(""), "Where weekly reports are written; empty: <data_dir>/reports."),
    S("report_formats", list, ["xlsx", "pdf", "json"], "Formats the weekly job prepares (xlsx, pdf, csv, json).",
      validate=_report_formats_ok),
    S("heartbeat_minutes", float, 5.0, "Minutes between heartbeat log lines (counts only); 0 disables."),
    # --- calling: counters, the waiting-room display, the voice (issue 18)
    S("counters", list, [], "Counters and rooms that call patients: tables with id, room, services (codes), "
      "name_vi, name_en; empty: one room per service room.", validate=_counters_ok),
    S("queue_priority_groups", list, ["emergency", "child", "elderly", "disability", "pregnant", "merit"],
      "Priority groups called first, in this order (Luật KCB 2023 art. 3(2)); others by appointment, then arrival."),
    S("queue_appointment_early_min", int, 10, "An appointment counts as due this many minutes before its time."),
    S("queue_return_window_min", int, 60, "A no-show may return to the queue within this many minutes."),
    S("display_calls_shown", int, 6, "Calls shown on the waiting-room display."),
    S("voice_engine", str, "recorded", "Call announcements: recorded clips (espeak-ng when a clip is "
      "missing), espeak-ng only, or off.", choices=("recorded", "espeak", "off")),
    S("voice_clips_dir", Path, Path(""), "Folder of announcement clips (WAV); empty: <data_dir>/voice."),
    S("voice_volume", int, 80, "Announcement volume, percent (0-100)."),
    S("voice_quiet_hours", str, "", "Local times without announcements, e.g. 21:00-06:00; empty: none."),
    S("voice_kiosk_announces", bool, False, "`kiosk run` speaks each call itself (a lobby without a display PC; "
      "`kiosk display` announces by default, so turn one of the two off)."),
)
del S

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
