"""Code lists the XML builders and the settings check against (sources in the conformance review).

MA_LOAI_KCB (a two-character string since QĐ 4750), QĐ 824/2023 PL1 as used by public HIS code:
01 khám bệnh, 02 điều trị ngoại trú, 03 điều trị nội trú, 04 nội trú ban ngày, 05 ngoại trú bệnh
dài ngày có lĩnh thuốc, 06 lưu tại TYT xã / PKĐKKV, 07 nhận thuốc theo hẹn, 08 ngoại trú bệnh dài
ngày có DVKT, 09 nội trú dưới 4 giờ.

MA_DOITUONG_KCB (a string of at most 4 characters since QĐ 4750): QĐ 824/2023 PL2 (1.1 … 1.10,
2 cấp cứu, 3.1 … 3.7, 7.1 … 7.4, 8, 9) united with QĐ 3276/2025 (1.11 … 1.18, 7, 10), so a setting
valid under either list is accepted. "1.1" = the patient's registered primary-care facility
(public checkers warn when MA_DKBD = MA_CSKCB and the category is not 1.1); "2" = emergency;
"1" or "3" alone are not codes.
"""
from __future__ import annotations

MA_LOAI_KCB = ("01", "02", "03", "04", "05", "06", "07", "08", "09")
OUTPATIENT_EXAM = "01"
NO_TREATMENT_DAYS = frozenset({"01", "07", "09"})   # SO_NGAY_DTRI = 0 (QĐ 4750 annex)

MA_DOITUONG_KCB = (tuple(f"1.{n}" for n in range(1, 19)) + ("2",) + tuple(f"3.{n}" for n in range(1, 8))
                   + ("7",) + tuple(f"7.{n}" for n in range(1, 5)) + ("8", "9", "10"))
REGISTERED_FACILITY = "1.1"
EMERGENCY = "2"

MA_LYDO_CT = (1, 2, 3)   # 1 meets the referral rules, 2 beyond the facility's capacity, 3 patient's request


def check_category(code: str) -> str:
    """`code` if it is a MA_DOITUONG_KCB of the lists, else ValueError naming the lists."""
    if code not in MA_DOITUONG_KCB:
        raise ValueError(f"MA_DOITUONG_KCB {code!r} is not a code of QĐ 824/QĐ 3276 (e.g. 1.1, 2, 3.1)")
    return code
