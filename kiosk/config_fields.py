"""Typed attribute access to the settings: generated from `kiosk.config.SETTINGS` by
`python scripts/update_readme.py`; do not edit (a test compares it with SETTINGS)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


class ConfigFields:
    """One annotation per setting; `Config` holds the values."""

    facility_code: str
    facility_name: str
    facility_head_code: str
    kiosk_id: str
    language: str
    services: list[Any]
    ticket_format: str
    priority_elderly_age: int
    ma_doituong_kcb: str
    ma_doituong_kcb_priority: list[Any]
    data_dir: Path
    key_provider: str
    key_file: Path
    db_cache_mib: int
    db_busy_timeout_ms: int
    log_file: Path
    log_level: str
    gateway_url: str
    gateway_username: str
    gateway_password: str
    gateway_officer_name: str
    gateway_officer_cccd: str
    gateway_revision: str
    gateway_card_check_body: str
    gateway_connect_timeout: float
    gateway_read_timeout: float
    eligibility_deadline: float
    eligibility_cache_hours: float
    gateway_ca_bundle: Path
    gateway_lookup_endpoint: str
    vneid_resolver_endpoint: str
    gateway_test_card: str
    gateway_test_name: str
    gateway_test_birth: str
    signing_source: str
    signing_pkcs12: Path
    signing_pkcs12_password: str
    signing_pkcs12_password_file: Path
    pkcs11_module: Path
    pkcs11_token_label: str
    pkcs11_key_label: str
    pkcs11_pin: str
    pkcs11_slot: int
    sync_batch_size: int
    sync_concurrency: int
    sync_lease_seconds: float
    sync_backoff_base: float
    sync_backoff_cap: float
    sync_reconcile_grace: float
    hub_dsn: str
    hub_password_file: Path
    hub_tls_required: bool
    hub_timeout: float
    hub_retry_seconds: float
    hub_push_seconds: float
    scanners: list[Any]
    scanner_prefix: str
    scanner_suffix: str
    camera_decoder: str
    scanner_hold_off: float
    wedge_max_key_gap_ms: float
    scanner_serial_baud: int
    card_reader: str
    card_watch: bool
    csca_dir: Path
    card_chunk_size: int
    cccd_docnum_rule: str
    bac_renewal_ages: list[Any]
    bac_no_expiry_forms: list[Any]
    vneid_prefix: str
    vneid_pattern: str
    vneid_fallback: bool
    bhyt_extra_groups: list[Any]
    store_face_image: bool
    printer: str
    printer_codepage_has_vietnamese: bool
    printer_profile: str
    printer_native_qr: bool
    inactivity_seconds: float
    ticket_screen_seconds: float
    orientation: str
    large_text: bool
    high_contrast: bool
    speech: bool
    staff_session_minutes: float
    pin_max_failures: int
    metrics_bind: str
    backup_retention_days: int
    patient_retention_days: int
    receipt_retention_days: int
    min_free_disk_mib: int
    backup_time: str
    retention_time: str
    report_time: str
    report_dir: Path
    report_formats: list[Any]
    heartbeat_minutes: float
