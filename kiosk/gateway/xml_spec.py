"""Field specifications of the QĐ 130 tables the kiosk produces (XML0, XML1, XML13, XML14), one
definition per gateway revision ("4750", "3176"; `tables(revision)`).

One declaration read by the builders (order, length, format, required) and by the simulator's
checks. XML0 and XML1 follow the QĐ 4750 annex (reference/xml-4750.md, conformance review 2.2):
the same under 3176 except MA_TTDV (≤10 under 4750, ≤255 under 3176). XML13 under 4750 is the
annex layout (MA_NOI_DI, MA_NOI_DEN, TEN_DICH_VU, TEN_THUOC, PP_DIEU_TRI); under 3176 it has
MA_CSKCB_DI (≤100, ';'-list) / MA_CSKCB_DEN and TINH_TRANG_CT instead (four public
implementations, review 2.3). XML14 NGAY_HEN_KL is yyyyMMddHHmm under 4750, yyyyMMdd under 3176.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# formats
TEXT = "text"
DT12 = "yyyyMMddHHmm"      # 12 chars; NGAY_SINH with a year only: yyyy00000000
D8 = "yyyyMMdd"            # 8 chars; card validity may list several cards separated by ';'
INT = "int"
DEC = "decimal"
CODE5 = "facility code"    # 5 digits, province first
CODE2 = "two-digit code"   # MA_LOAI_KCB: "01".."09" (QĐ 824 PL1), a string since QĐ 4750
CATEGORY = "category code"  # MA_DOITUONG_KCB: "1.1", "2", "3.1", ... (QĐ 824 PL2 / QĐ 3276)
D8_12 = "yyyyMMdd or yyyyMMddHHmm"   # NGAY_MIEN_CCT (annex: 8 or 12 characters)

FORMAT_RE = {
    DT12: re.compile(r"\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d|\d{4}0{8}"),
    D8: re.compile(r"\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(;\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))*"),
    INT: re.compile(r"-?\d+"),
    DEC: re.compile(r"-?\d+(\.\d+)?"),
    CODE5: re.compile(r"\d{5}"),
    CODE2: re.compile(r"\d{2}"),
    CATEGORY: re.compile(r"\d{1,2}(\.\d{1,2})?"),
}
_DAY = r"\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
FORMAT_RE[D8_12] = re.compile(_DAY + r"(([01]\d|2[0-3])[0-5]\d)?")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    fmt: str = TEXT
    max_len: int | None = None   # None: "n" (no stated bound)
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    table: str                   # "XML0", "XML1", ...
    path: tuple[str, ...]        # root ... record element
    fields: tuple[FieldSpec, ...]

    @property
    def root(self) -> str:
        return self.path[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _f(spec: str) -> FieldSpec:
    """'NAME:fmt:len:req' shorthand: 'MA_LK::100:R', 'NGAY_VAO:dt12::R'."""
    name, fmt, length, req = (spec.split(":") + ["", "", ""])[:4]
    fmt = {"": TEXT, "dt12": DT12, "d8": D8, "int": INT, "dec": DEC, "code5": CODE5, "code2": CODE2,
           "cat": CATEGORY, "d8_12": D8_12}[fmt]
    return FieldSpec(name, fmt, int(length) if length else None, req == "R")


def _table(table: str, path: str, specs: str) -> TableSpec:
    return TableSpec(table, tuple(path.split("/")), tuple(_f(s) for s in specs.split()))


REVISIONS = ("4750", "3176")
DEFAULT_REVISION = "3176"   # in force since 01/01/2025; what public clients send today

XML0 = _table("XML0", "CHI_TIEU_TRANG_THAI_KCB/DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB", """
    MA_LK::100:R STT:int:10:R MA_BN::100:R HO_TEN::255:R SO_CCCD::15 NGAY_SINH:dt12:12:R GIOI_TINH:int:1:R
    MA_THE_BHYT::15 MA_DKBD::5 GT_THE_TU:d8:8 GT_THE_DEN:d8:8 MA_DOITUONG_KCB:cat:4:R NGAY_VAO:dt12:12:R
    NGAY_VAO_NOI_TRU:dt12:12 LY_DO_VNT MA_LY_DO_VNT::5 MA_LOAI_KCB:code2:2:R MA_CSKCB:code5:5:R
    MA_DICH_VU::50 TEN_DICH_VU::1024 MA_THUOC::255 TEN_THUOC::1024 MA_VAT_TU::255 TEN_VAT_TU::1024
    NGAY_YL:dt12:12 DU_PHONG""")

_XML1 = """
    MA_LK::100:R STT:int:10:R MA_BN::100:R HO_TEN::255:R SO_CCCD::15 NGAY_SINH:dt12:12:R GIOI_TINH:int:1:R
    NHOM_MAU::5 MA_QUOCTICH::3 MA_DANTOC::2 MA_NGHE_NGHIEP::5 DIA_CHI::1024 MATINH_CU_TRU::3
    MAHUYEN_CU_TRU::3 MAXA_CU_TRU::5 DIEN_THOAI::15 MA_THE_BHYT MA_DKBD GT_THE_TU:d8 GT_THE_DEN:d8
    NGAY_MIEN_CCT:d8_12:12 LY_DO_VV LY_DO_VNT MA_LY_DO_VNT::5 CHAN_DOAN_VAO CHAN_DOAN_RV:::R MA_BENH_CHINH::7:R
    MA_BENH_KT::100 MA_BENH_YHCT::255 MA_PTTT_QT::125 MA_DOITUONG_KCB:cat:4:R MA_NOI_DI::5 MA_NOI_DEN::5
    MA_TAI_NAN:int:1 NGAY_VAO:dt12:12:R NGAY_VAO_NOI_TRU:dt12:12 NGAY_RA:dt12:12:R GIAY_CHUYEN_TUYEN::50
    SO_NGAY_DTRI:int:3 PP_DIEU_TRI KET_QUA_DTRI:int:1:R MA_LOAI_RV:int:1:R GHI_CHU NGAY_TTOAN:dt12:12
    T_THUOC:dec T_VTYT:dec T_TONGCHI_BV:dec T_TONGCHI_BH:dec T_BNTT:dec T_BNCCT:dec T_BHTT:dec
    T_NGUONKHAC:dec T_BHTT_GDV:dec NAM_QT:int:4:R THANG_QT:int:2:R MA_LOAI_KCB:code2:2:R MA_KHOA::50
    MA_CSKCB:code5:5:R MA_KHUVUC::2 CAN_NANG::6 CAN_NANG_CON::100 NAM_NAM_LIEN_TUC:d8 NGAY_TAI_KHAM::50
    MA_HSBA::100 MA_TTDV::{ttdv} DU_PHONG"""

_XML14 = """
    MA_LK::100:R SO_GIAYHEN_KL::50:R MA_CSKCB:code5:5:R HO_TEN::255:R NGAY_SINH:dt12:12 GIOI_TINH:int:1
    DIA_CHI::1024 MA_THE_BHYT GT_THE_DEN:d8 NGAY_VAO:dt12:12:R NGAY_VAO_NOI_TRU:dt12:12 NGAY_RA:dt12:12:R
    NGAY_HEN_KL:{hen}:R CHAN_DOAN_RV:::R MA_BENH_CHINH::7:R MA_BENH_KT::100 MA_BENH_YHCT::255
    MA_DOITUONG_KCB:cat:4 MA_BAC_SI::255:R MA_TTDV::{ttdv}:R NGAY_CT:d8:8:R DU_PHONG"""

_XML13_HEAD = """
    MA_LK::100:R SO_HOSO::50:R SO_CHUYENTUYEN::50:R GIAY_CHUYEN_TUYEN::50:R MA_CSKCB:code5:5:R {places}
    HO_TEN::255:R NGAY_SINH:dt12:12 GIOI_TINH:int:1 MA_QUOCTICH::3 MA_DANTOC::2
    MA_NGHE_NGHIEP::5 DIA_CHI::1024 MA_THE_BHYT GT_THE_DEN:d8 NGAY_VAO:dt12:12:R NGAY_VAO_NOI_TRU:dt12:12
    NGAY_RA:dt12:12:R DAU_HIEU_LS CHAN_DOAN_RV:::R QT_BENHLY TOMTAT_KQ PP_DIEUTRI MA_BENH_CHINH::7:R
    MA_BENH_KT::100 MA_BENH_YHCT::255 {middle} MA_LOAI_RV:int:1:R MA_LYDO_CT:int:1:R
    HUONG_DIEU_TRI PHUONGTIEN_VC::255 HOTEN_NGUOI_HT::255 CHUCDANH_NGUOI_HT::255 MA_BAC_SI::255:R
    MA_TTDV::{ttdv}:R DU_PHONG"""

XML1 = _table("XML1", "TONG_HOP", _XML1.format(ttdv=255))
XML1_4750 = _table("XML1", "TONG_HOP", _XML1.format(ttdv=10))
XML13_4750 = _table("XML13", "CHI_TIEU_GIAYCHUYENTUYEN", _XML13_HEAD.format(
    places="MA_NOI_DI::5 MA_NOI_DEN::5:R", middle="TEN_DICH_VU::1024 TEN_THUOC::1024 PP_DIEU_TRI", ttdv=10))
XML13_3176 = _table("XML13", "CHI_TIEU_GIAYCHUYENTUYEN", _XML13_HEAD.format(
    places="MA_CSKCB_DI::100 MA_CSKCB_DEN:code5:5:R", middle="TINH_TRANG_CT", ttdv=255))
XML14_4750 = _table("XML14", "CHI_TIEU_GIAYHEN_KHAMLAI", _XML14.format(hen="dt12:12", ttdv=10))
XML14_3176 = _table("XML14", "CHI_TIEU_GIAYHEN_KHAMLAI", _XML14.format(hen="d8:8", ttdv=255))

TABLES_BY_REVISION: dict[str, dict[str, TableSpec]] = {
    "4750": {t.table: t for t in (XML0, XML1_4750, XML13_4750, XML14_4750)},
    "3176": {t.table: t for t in (XML0, XML1, XML13_3176, XML14_3176)},
}
TABLES = TABLES_BY_REVISION[DEFAULT_REVISION]
XML13, XML14 = TABLES["XML13"], TABLES["XML14"]


def tables(revision: str = DEFAULT_REVISION) -> dict[str, TableSpec]:
    try:
        return TABLES_BY_REVISION[revision]
    except KeyError:
        raise ValueError(f"unknown gateway revision {revision!r}; one of {', '.join(REVISIONS)}") from None


# Tables that may travel in the dossier envelope (LOAIHOSO values the simulator understands).
ENVELOPE_TABLES = ("XML1", "XML13", "XML14")
ENVELOPE_ROOT = "GIAMDINHHS"
SIGNATURE_HOLDER = "CHUKYDONVI"


def check_value(spec: FieldSpec, value: str) -> str | None:
    """The problem with one field's text (English, names the field, never echoes the value)."""
    if value == "":
        return f"{spec.name} is required" if spec.required else None
    if spec.max_len is not None and len(value) > spec.max_len:
        return f"{spec.name} longer than {spec.max_len} characters"
    pattern = FORMAT_RE.get(spec.fmt)
    if pattern is not None and not pattern.fullmatch(value):
        return f"{spec.name} is not {spec.fmt}"
    return None
