"""Gateway test helpers: a client pointed at the simulator, a fixed synthetic visit."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import requests

from kiosk.core.clock import VN_TZ
from kiosk.gateway.client import GatewayClient
from kiosk.gateway.sim.server import (LOOKUP_PATH, SIM_FACILITY, SIM_OFFICER_CCCD, SIM_OFFICER_NAME, SIM_PASSWORD,
                               SIM_USERNAME, VNEID_PATH)
from kiosk.gateway.xml import CheckinRecord, FollowUp, Referral, VisitSummary


def make_client(url: str, **kw) -> GatewayClient:
    args = dict(lookup_endpoint=LOOKUP_PATH, facility_code=SIM_FACILITY, vneid_endpoint=VNEID_PATH,
                connect_timeout=2.0, read_timeout=5.0)
    args.update(kw)
    return GatewayClient(url, args.pop("username", SIM_USERNAME), args.pop("password", SIM_PASSWORD),
                         args.pop("officer_name", SIM_OFFICER_NAME), args.pop("officer_cccd", SIM_OFFICER_CCCD),
                         **args)


ADMITTED = datetime(2026, 11, 20, 8, 15, tzinfo=VN_TZ)
DISCHARGED = datetime(2026, 11, 20, 9, 5, tzinfo=VN_TZ)


def checkin(ma_lk: str = "79001-K1-20261120-0001", **kw) -> CheckinRecord:
    fields = dict(ma_lk=ma_lk, ma_bn="BN000001", full_name="NGUYỄN VĂN AN", birth="1985-03-15", gender=1,
                  ma_cskcb=SIM_FACILITY, admitted=ADMITTED, cccd="079085000001", card_number="DN4797900000001",
                  ma_dkbd="79001", card_valid_from=date(2026, 1, 1), card_valid_to=date(2026, 12, 31),
                  service_code="K01", service_name="Khám Nội tổng quát", ordered_at=ADMITTED)
    fields.update(kw)
    return CheckinRecord(**fields)


def summary(ma_lk: str = "79001-K1-20261120-0001", **kw) -> VisitSummary:
    fields = dict(ma_lk=ma_lk, ma_bn="BN000001", full_name="NGUYỄN VĂN AN", birth="1985-03-15", gender=1,
                  ma_cskcb=SIM_FACILITY, admitted=ADMITTED, discharged=DISCHARGED, diagnosis="Viêm họng cấp",
                  icd_main="J02.9", icd_other=("I10",), cccd="079085000001", card_number="DN4797900000001",
                  ma_dkbd="79001", card_valid_from=date(2026, 1, 1), card_valid_to=date(2026, 12, 31),
                  address="Phường Bến Nghé, Quận 1, TP Hồ Chí Minh", admission_reason="Đau họng, sốt",
                  department="K01", head_code="000001/HCM-CCHN")
    fields.update(kw)
    return VisitSummary(**fields)


FOLLOW_UP = FollowUp("HK-2026-0001", date(2026, 11, 27), "000123/HCM-CCHN", "000001/HCM-CCHN", date(2026, 11, 20))
REFERRAL = Referral("HS-0001", "CT-0001", "GCT-0001/2026", "79002", 1, "000123/HCM-CCHN", "000001/HCM-CCHN",
                    clinical_signs="Sốt cao", direction="Điều trị tiếp tại tuyến trên")


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (./dev.sh setup installs it)")
    return path


def write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


def softhsm_token(workdir: Path, key_pem_pkcs8: Path, cert_der: bytes, *, label: str = "kiosk-test",
                  key_label: str = "facility", pin: str = "123456") -> dict:
    """Create a SoftHSM2 token under `workdir` (SOFTHSM2_CONF must already point at workdir/softhsm2.conf),
    import the key with softhsm2-util and the certificate with python-pkcs11."""
    import subprocess

    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass
    from cryptography import x509

    util = need_tool("softhsm2-util")
    subprocess.run([util, "--init-token", "--free", "--label", label, "--so-pin", "0000" + pin, "--pin", pin],
                   check=True, capture_output=True)
    subprocess.run([util, "--import", str(key_pem_pkcs8), "--token", label, "--label", key_label, "--id", "01",
                    "--pin", pin], check=True, capture_output=True)
    lib = pkcs11.lib(str(SOFTHSM_MODULE))
    lib.reinitialize()     # see the token created by the other process
    with lib.get_token(token_label=label).open(rw=True, user_pin=pin) as session:
        cert = x509.load_der_x509_certificate(cert_der)
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
                               Attribute.LABEL: key_label, Attribute.ID: b"\x01", Attribute.VALUE: cert_der,
                               Attribute.SUBJECT: cert.subject.public_bytes()})
    return {"module": SOFTHSM_MODULE, "token_label": label, "key_label": key_label, "pin": pin}



class RecordingSession(requests.Session):
    """A real requests.Session that keeps every request it sent (method, URL, headers, body) so a
    test can check the wire shape; the exchange itself still goes to the running simulator."""

    def __init__(self):
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kw):
        self.sent.append(request)
        return super().send(request, **kw)
