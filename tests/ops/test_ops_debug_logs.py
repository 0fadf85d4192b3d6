"""DEBUG is safe to turn on (red-team M6/L9): no gateway token, password hash or patient name in
the log at any level, from our code or from third-party loggers, and the log file is 0600."""
from __future__ import annotations

import logging
import stat

from hostile_gateway import HostileGateway

from kiosk.config import load
from kiosk.gateway.client import GatewayClient, md5_upper
from kiosk.gateway.xml import CheckinRecord, build_xml0
from kiosk.logsetup import setup_logging


def test_debug_log_carries_no_secrets_or_names(tmp_path, signer):
    (tmp_path / "kiosk.toml").write_text(f'data_dir = "{tmp_path / "data"}"\nlog_level = "DEBUG"\n', encoding="utf-8")
    cfg = load(tmp_path / "kiosk.toml", env={})
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    path = setup_logging(cfg, stderr=False)
    gw = HostileGateway()
    try:
        client = GatewayClient(gw.url, "79001_kiosk", "mat-khau-bi-mat", "Cán bộ", "079080000001",
                               facility_code="79001", read_timeout=3)
        client.check_card("DN4797900000001", "NGUYỄN VĂN AN", "1985")      # token + hash in the query
        from datetime import date, datetime
        from kiosk.core.clock import VN_TZ
        at = datetime(2026, 11, 20, 8, 15, tzinfo=VN_TZ)
        record = CheckinRecord(ma_lk="79001-K2-20261120-0001", ma_bn="BN1", full_name="NGUYỄN VĂN AN",
                               birth="1985-03-15", gender=1, ma_cskcb="79001", admitted=at, cccd="079085000001",
                               card_number="DN4797900000001", ma_dkbd="79001", card_valid_from=date(2026, 1, 1),
                               card_valid_to=date(2026, 12, 31), service_code="K01", service_name="Khám Nội",
                               ordered_at=at)
        client.upload_checkin(signer.sign(build_xml0(record)))           # signxml logs canonical XML at DEBUG
    finally:
        gw.close()
        for h in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
            h.flush()
    text = path.read_text(encoding="utf-8")
    try:
        assert "card check" in text and "upload" in text                   # DEBUG really was on
        for secret in (md5_upper("mat-khau-bi-mat"), "token=tok", "NGUYỄN", "NGUY\\xe1", "079085000001"):
            assert secret not in text, secret
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        for h in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
            root.removeHandler(h)
            h.close()
        root.setLevel(before[0])
