"""Signed synthetic uploads for the sync tests and benchmarks: real XML0 and GIAMDINHHS envelopes
from the gateway's builders, signed with the demo facility identity (PKCS#12), verified by the
simulator like the gateway does. Only synthetic people."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.gateway.sim.devcert import ensure_dev_identity
from kiosk.gateway.signing import pkcs12_signer
from kiosk.gateway.xml import CheckinRecord, VisitSummary, build_dossier, build_xml0

FACILITY = "79001"
_NAMES = ("NGUYỄN VĂN AN", "TRẦN THỊ BÌNH", "LÊ HOÀNG CƯỜNG", "PHẠM THỊ DUNG", "VÕ MINH ĐỨC")


class SignedFactory:
    def __init__(self, identity_dir: Path, facility: str = FACILITY):
        ident = ensure_dev_identity(Path(identity_dir), facility)
        self.cert_pem = ident.cert_pem
        self.signer = pkcs12_signer(ident.p12_path, ident.password)
        self.facility = facility
        self.admitted = datetime(2026, 11, 20, 8, 15)

    def _who(self, i: int) -> dict:
        return {"ma_bn": f"BN{i:07d}", "full_name": _NAMES[i % len(_NAMES)], "birth": date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                "gender": 1 + i % 2, "card_number": f"DN479{7912345678 + i:010d}"[:15], "ma_dkbd": "79001"}

    def checkin(self, ma_lk: str, i: int = 0, *, facility: str | None = None) -> bytes:
        rec = CheckinRecord(ma_lk=ma_lk, ma_cskcb=facility or self.facility, admitted=self.admitted,
                            service_code="K01", service_name="Khám Nội tổng quát", **self._who(i))
        return self.signer.sign(build_xml0(rec))

    def dossier(self, ma_lk: str, i: int = 0, *, facility: str | None = None) -> bytes:
        s = VisitSummary(ma_lk=ma_lk, ma_cskcb=facility or self.facility, admitted=self.admitted,
                         discharged=self.admitted + timedelta(minutes=40), diagnosis="Viêm họng cấp",
                         icd_main="J02.9", **self._who(i))
        return self.signer.sign(build_dossier(s))

    def item(self, kind: str, ma_lk: str, i: int = 0) -> bytes:
        return self.checkin(ma_lk, i) if kind == "checkin" else self.dossier(ma_lk, i)


def broken_signature(signed: bytes) -> bytes:
    """The same document with one signed value changed after signing (still well-formed, valid fields)."""
    for old, new in ((b"<MA_DICH_VU>K01</MA_DICH_VU>", b"<MA_DICH_VU>K02</MA_DICH_VU>"),
                     (b"<NGAYLAP>20261120</NGAYLAP>", b"<NGAYLAP>20261121</NGAYLAP>")):
        if old in signed:
            return signed.replace(old, new, 1)
    raise ValueError("no field to alter")
