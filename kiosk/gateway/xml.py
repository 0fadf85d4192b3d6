"""Builders of the tables the kiosk sends: XML0 (check-in), XML1 (summary), XML14 (follow-up),
XML13 (referral) and the GIAMDINHHS envelope, from typed visit data (lxml, UTF-8). XML13 and
XML14 follow the gateway revision (`revision`, default QĐ 3176; see kiosk.gateway.xml_spec).

Every field of a table is written, in the order of kiosk.gateway.xml_spec (empty when unknown);
a missing required field or a value of the wrong length/format raises XmlBuildError naming the
field (never its value). XML0 and the envelope end with an empty <CHUKYDONVI/> for the signer.
Times: aware datetimes are converted to facility time (UTC+7); naive ones are taken as facility time.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from kiosk.core.clock import VN_TZ
from kiosk.gateway import codes
from kiosk.gateway.xml_spec import DEFAULT_REVISION, ENVELOPE_ROOT, SIGNATURE_HOLDER, XML0, TableSpec, check_value, tables

ICD10_RE = re.compile(r"[A-Z]\d{2}(\.?[0-9A-Z]{1,2})?")


class XmlBuildError(ValueError):
    """A visit that cannot become a valid table; the message names the table and field."""


# ---- value formatting
def dt12(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment.strftime("%Y%m%d%H%M")


def d8(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = (day.astimezone(VN_TZ) if day.tzinfo else day).date()
    return day.strftime("%Y%m%d")


def birth12(birth: date | str) -> str:
    """NGAY_SINH: yyyyMMdd0000 (time unknown), or yyyy00000000 when only the year is known."""
    if isinstance(birth, datetime):
        birth = birth.date()
    if isinstance(birth, date):
        return birth.strftime("%Y%m%d") + "0000"
    text = str(birth).strip()
    if re.fullmatch(r"\d{4}", text):
        return text + "00000000"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
    if m is None:
        raise XmlBuildError("NGAY_SINH: birth date must be yyyy-mm-dd, dd/MM/yyyy or yyyy")
    y, mo, d = (m[1], m[2], m[3]) if len(m[1]) == 4 else (m[3], m[2], m[1])
    return f"{y}{mo}{d}0000"


def money(value: Decimal | int | float | str) -> str:
    q = Decimal(str(value)).quantize(Decimal("0.01"))
    text = format(q, "f")
    return text[:-3] if text.endswith(".00") else text.rstrip("0")


def _str(value) -> str:
    return "" if value is None else str(value)


# ---- typed visit data
@dataclass(frozen=True)
class CheckinRecord:
    """XML0: what is known when the patient is received."""
    ma_lk: str
    ma_bn: str
    full_name: str = field(repr=False)
    birth: date | str = field(repr=False)
    gender: int                      # 1 male, 2 female, 3 unknown
    ma_cskcb: str
    admitted: datetime               # NGAY_VAO
    ma_doituong_kcb: str = codes.REGISTERED_FACILITY   # "1.1", "2" emergency, "1.3"... (kiosk.gateway.codes)
    ma_loai_kcb: str = codes.OUTPATIENT_EXAM           # "01" outpatient examination
    stt: int = 1
    cccd: str = field(default="", repr=False)
    card_number: str = field(default="", repr=False)  # MA_THE_BHYT as checked at reception
    ma_dkbd: str = ""
    card_valid_from: date | None = None
    card_valid_to: date | None = None
    service_code: str = ""           # MA_DICH_VU (the examination ordered)
    service_name: str = ""
    ordered_at: datetime | None = None   # NGAY_YL: when the examination service was ordered


@dataclass(frozen=True)
class VisitSummary:
    """XML1: the visit as closed at the desk (cost fields are the billing system's: 0 by default)."""
    ma_lk: str
    ma_bn: str
    full_name: str = field(repr=False)
    birth: date | str = field(repr=False)
    gender: int
    ma_cskcb: str
    admitted: datetime
    discharged: datetime
    diagnosis: str = field(repr=False)  # CHAN_DOAN_RV (text)
    icd_main: str = field(repr=False)  # MA_BENH_CHINH (ICD-10)
    outcome: int = 1                 # KET_QUA_DTRI: 1 cured, 2 improved, 3 unchanged, 4 worse, 5 died ...
    discharge_type: int = 1          # MA_LOAI_RV: 1 discharged, 2 referred, 3 left, 4 on request ...
    icd_other: tuple[str, ...] = field(default=(), repr=False)  # MA_BENH_KT, joined with ';'
    ma_doituong_kcb: str = codes.REGISTERED_FACILITY
    ma_loai_kcb: str = codes.OUTPATIENT_EXAM
    stt: int = 1
    cccd: str = field(default="", repr=False)
    card_number: str = field(default="", repr=False)
    ma_dkbd: str = ""
    card_valid_from: date | None = None
    card_valid_to: date | None = None
    address: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)
    nationality: str = "000"         # MA_QUOCTICH (000 Vietnam)
    ethnicity: str = ""              # MA_DANTOC
    occupation: str = ""             # MA_NGHE_NGHIEP
    admission_reason: str = field(default="", repr=False)  # LY_DO_VV
    admission_diagnosis: str = field(default="", repr=False)  # CHAN_DOAN_VAO
    treatment: str = field(default="", repr=False)  # PP_DIEU_TRI
    department: str = ""             # MA_KHOA
    note: str = field(default="", repr=False)  # GHI_CHU
    referral_number: str = ""        # GIAY_CHUYEN_TUYEN (the paper the patient came with)
    ma_noi_di: str = ""              # MA_NOI_DI: the facility that referred the patient HERE ("" if none)
    ma_noi_den: str = ""
    follow_up_on: date | None = None  # NGAY_TAI_KHAM
    settled_at: datetime | None = None  # NGAY_TTOAN
    head_code: str = ""              # MA_TTDV
    costs: dict[str, Decimal] = field(default_factory=dict)   # T_THUOC ... T_BHTT_GDV


@dataclass(frozen=True)
class FollowUp:
    """XML14: follow-up appointment (giấy hẹn khám lại)."""
    number: str                      # SO_GIAYHEN_KL
    on: date | datetime              # NGAY_HEN_KL (4750: yyyyMMddHHmm, time 0000 for a date; 3176: yyyyMMdd)
    doctor_code: str                 # MA_BAC_SI (practising licence code)
    head_code: str                   # MA_TTDV
    issued_on: date                  # NGAY_CT


@dataclass(frozen=True)
class Referral:
    """XML13: referral (giấy chuyển tuyến)."""
    so_hoso: str
    so_chuyentuyen: str
    giay_chuyen_tuyen: str
    ma_noi_den: str                  # MA_NOI_DEN (4750) / MA_CSKCB_DEN (3176): where the patient goes
    reason_code: int                 # MA_LYDO_CT: 1 meets the referral rules, 2 beyond our capacity, 3 on request
    doctor_code: str
    head_code: str
    clinical_signs: str = field(default="", repr=False)  # DAU_HIEU_LS
    course: str = field(default="", repr=False)  # QT_BENHLY
    results_summary: str = field(default="", repr=False)  # TOMTAT_KQ
    treatment: str = field(default="", repr=False)  # PP_DIEUTRI
    direction: str = field(default="", repr=False)  # HUONG_DIEU_TRI
    transport: str = ""              # PHUONGTIEN_VC
    escort_name: str = field(default="", repr=False)
    escort_title: str = ""
    condition: str = field(default="", repr=False)  # TINH_TRANG_CT (3176): the patient's state at transfer


# ---- generic table writer
def _record(spec: TableSpec, values: dict[str, str], tag: str | None = None) -> etree._Element:
    unknown = set(values) - set(spec.names)
    if unknown:   # a builder bug, not a data problem
        raise XmlBuildError(f"{spec.table}: unknown field {sorted(unknown)[0]}")
    element = etree.Element(tag or spec.path[-1])
    for f in spec.fields:
        text = _str(values.get(f.name, ""))
        problem = check_value(f, text)
        if problem:
            raise XmlBuildError(f"{spec.table}: {problem}")
        try:
            etree.SubElement(element, f.name).text = text
        except ValueError:
            raise XmlBuildError(f"{spec.table}: {f.name} contains characters XML cannot carry") from None
    return element


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _icd(table: str, code: str, name: str = "MA_BENH_CHINH") -> str:
    if code and not ICD10_RE.fullmatch(code):
        raise XmlBuildError(f"{table}: {name} is not an ICD-10 code")
    return code


def _codes(table: str, category: str, kind: str) -> None:
    if category not in codes.MA_DOITUONG_KCB:
        raise XmlBuildError(f"{table}: MA_DOITUONG_KCB is not a code of the list (e.g. 1.1, 2, 3.1)")
    if kind not in codes.MA_LOAI_KCB:
        raise XmlBuildError(f"{table}: MA_LOAI_KCB is not a code of the list (01 ... 09)")


def treatment_days(kind: str, admitted: datetime, discharged: datetime) -> int:
    """SO_NGAY_DTRI (QĐ 4750 annex): 0 for MA_LOAI_KCB 01/07/09; NGAY_RA − NGAY_VAO + 1 for
    02/03/04/06 (and, lacking the drug/service days the rule wants, for 05/08 too)."""
    if kind in codes.NO_TREATMENT_DAYS:
        return 0
    return (datetime.strptime(d8(discharged), "%Y%m%d") - datetime.strptime(d8(admitted), "%Y%m%d")).days + 1


def xml0_values(r: CheckinRecord) -> dict[str, str]:
    _codes("XML0", r.ma_doituong_kcb, r.ma_loai_kcb)
    return {"MA_LK": r.ma_lk, "STT": str(r.stt), "MA_BN": r.ma_bn, "HO_TEN": r.full_name, "SO_CCCD": r.cccd,
            "NGAY_SINH": birth12(r.birth), "GIOI_TINH": str(r.gender), "MA_THE_BHYT": r.card_number,
            "MA_DKBD": r.ma_dkbd, "GT_THE_TU": d8(r.card_valid_from), "GT_THE_DEN": d8(r.card_valid_to),
            "MA_DOITUONG_KCB": r.ma_doituong_kcb, "NGAY_VAO": dt12(r.admitted), "MA_LOAI_KCB": r.ma_loai_kcb,
            "MA_CSKCB": r.ma_cskcb, "MA_DICH_VU": r.service_code, "TEN_DICH_VU": r.service_name,
            "NGAY_YL": dt12(r.ordered_at)}


def build_xml0(records: CheckinRecord | list[CheckinRecord]) -> bytes:
    """CHI_TIEU_TRANG_THAI_KCB/DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB..., then an empty CHUKYDONVI."""
    records = [records] if isinstance(records, CheckinRecord) else list(records)
    if not records:
        raise XmlBuildError("XML0: at least one check-in record")
    root = etree.Element(XML0.path[0])
    rows = etree.SubElement(root, XML0.path[1])
    for r in records:
        rows.append(_record(XML0, xml0_values(r)))
    etree.SubElement(root, SIGNATURE_HOLDER)
    return _bytes(root)


def xml1_values(s: VisitSummary) -> dict[str, str]:
    costs = {k: money(s.costs.get(k, 0)) for k in ("T_THUOC", "T_VTYT", "T_TONGCHI_BV", "T_TONGCHI_BH", "T_BNTT",
                                                   "T_BNCCT", "T_BHTT", "T_NGUONKHAC", "T_BHTT_GDV")}
    unknown = set(s.costs) - set(costs)
    if unknown:
        raise XmlBuildError(f"XML1: unknown cost field {sorted(unknown)[0]}")
    for name, moment in (("NGAY_VAO", s.admitted), ("NGAY_RA", s.discharged)):
        if not isinstance(moment, datetime):
            raise XmlBuildError(f"XML1: {name} is required (a date and time)")
    if dt12(s.discharged) < dt12(s.admitted):   # both in facility time: naive and aware may mix
        raise XmlBuildError("XML1: NGAY_RA is before NGAY_VAO")
    _codes("XML1", s.ma_doituong_kcb, s.ma_loai_kcb)
    days = treatment_days(s.ma_loai_kcb, s.admitted, s.discharged)
    settled = s.settled_at or s.discharged
    settled_local = settled.astimezone(VN_TZ) if settled.tzinfo else settled
    for code in s.icd_other:
        _icd("XML1", code, "MA_BENH_KT")
    return {"MA_LK": s.ma_lk, "STT": str(s.stt), "MA_BN": s.ma_bn, "HO_TEN": s.full_name, "SO_CCCD": s.cccd,
            "NGAY_SINH": birth12(s.birth), "GIOI_TINH": str(s.gender), "MA_QUOCTICH": s.nationality,
            "MA_DANTOC": s.ethnicity, "MA_NGHE_NGHIEP": s.occupation, "DIA_CHI": s.address,
            "DIEN_THOAI": s.phone, "MA_THE_BHYT": s.card_number, "MA_DKBD": s.ma_dkbd,
            "GT_THE_TU": d8(s.card_valid_from), "GT_THE_DEN": d8(s.card_valid_to), "LY_DO_VV": s.admission_reason,
            "CHAN_DOAN_VAO": s.admission_diagnosis, "CHAN_DOAN_RV": s.diagnosis,
            "MA_BENH_CHINH": _icd("XML1", s.icd_main), "MA_BENH_KT": ";".join(s.icd_other),
            "MA_DOITUONG_KCB": s.ma_doituong_kcb, "MA_NOI_DI": s.ma_noi_di, "MA_NOI_DEN": s.ma_noi_den,
            "NGAY_VAO": dt12(s.admitted),
            "NGAY_RA": dt12(s.discharged), "GIAY_CHUYEN_TUYEN": s.referral_number, "SO_NGAY_DTRI": str(days),
            "PP_DIEU_TRI": s.treatment, "KET_QUA_DTRI": str(s.outcome), "MA_LOAI_RV": str(s.discharge_type),
            "GHI_CHU": s.note, "NGAY_TTOAN": dt12(settled), **costs, "NAM_QT": f"{settled_local.year:04d}",
            "THANG_QT": f"{settled_local.month:02d}", "MA_LOAI_KCB": s.ma_loai_kcb, "MA_KHOA": s.department,
            "MA_CSKCB": s.ma_cskcb, "NGAY_TAI_KHAM": d8(s.follow_up_on), "MA_TTDV": s.head_code}


def build_xml1(summary: VisitSummary, revision: str = DEFAULT_REVISION) -> bytes:
    spec = tables(revision)["XML1"]
    return _bytes(_record(spec, xml1_values(summary), spec.root))


def _appointment(on: date | datetime, revision: str) -> str:
    if revision == "4750":   # annex: 12 characters yyyymmddHHMM
        return dt12(on) if isinstance(on, datetime) else d8(on) + "0000"
    return d8(on)


def build_xml14(summary: VisitSummary, f: FollowUp, revision: str = DEFAULT_REVISION) -> bytes:
    spec = tables(revision)["XML14"]
    values = {"MA_LK": summary.ma_lk, "SO_GIAYHEN_KL": f.number, "MA_CSKCB": summary.ma_cskcb,
              "HO_TEN": summary.full_name, "NGAY_SINH": birth12(summary.birth), "GIOI_TINH": str(summary.gender),
              "DIA_CHI": summary.address, "MA_THE_BHYT": summary.card_number, "GT_THE_DEN": d8(summary.card_valid_to),
              "NGAY_VAO": dt12(summary.admitted), "NGAY_RA": dt12(summary.discharged),
              "NGAY_HEN_KL": _appointment(f.on, revision),
              "CHAN_DOAN_RV": summary.diagnosis, "MA_BENH_CHINH": _icd("XML14", summary.icd_main),
              "MA_BENH_KT": ";".join(summary.icd_other), "MA_DOITUONG_KCB": summary.ma_doituong_kcb,
              "MA_BAC_SI": f.doctor_code, "MA_TTDV": f.head_code, "NGAY_CT": d8(f.issued_on)}
    return _bytes(_record(spec, values, spec.root))


def build_xml13(summary: VisitSummary, r: Referral, revision: str = DEFAULT_REVISION) -> bytes:
    """XML13. The referring facility is the one that sent the patient here (XML1 MA_NOI_DI, empty
    when none), never this facility; 3176 names it MA_CSKCB_DI and adds TINH_TRANG_CT."""
    spec = tables(revision)["XML13"]
    if r.reason_code not in codes.MA_LYDO_CT:
        raise XmlBuildError("XML13: MA_LYDO_CT is 1, 2 or 3")
    values = {"MA_LK": summary.ma_lk, "SO_HOSO": r.so_hoso, "SO_CHUYENTUYEN": r.so_chuyentuyen,
              "GIAY_CHUYEN_TUYEN": r.giay_chuyen_tuyen, "MA_CSKCB": summary.ma_cskcb,
              "HO_TEN": summary.full_name, "NGAY_SINH": birth12(summary.birth),
              "GIOI_TINH": str(summary.gender), "MA_QUOCTICH": summary.nationality, "MA_DANTOC": summary.ethnicity,
              "MA_NGHE_NGHIEP": summary.occupation, "DIA_CHI": summary.address, "MA_THE_BHYT": summary.card_number,
              "GT_THE_DEN": d8(summary.card_valid_to), "NGAY_VAO": dt12(summary.admitted),
              "NGAY_RA": dt12(summary.discharged), "DAU_HIEU_LS": r.clinical_signs, "CHAN_DOAN_RV": summary.diagnosis,
              "QT_BENHLY": r.course, "TOMTAT_KQ": r.results_summary, "PP_DIEUTRI": r.treatment,
              "MA_BENH_CHINH": _icd("XML13", summary.icd_main), "MA_BENH_KT": ";".join(summary.icd_other),
              "MA_LOAI_RV": str(summary.discharge_type), "MA_LYDO_CT": str(r.reason_code),
              "HUONG_DIEU_TRI": r.direction, "PHUONGTIEN_VC": r.transport, "HOTEN_NGUOI_HT": r.escort_name,
              "CHUCDANH_NGUOI_HT": r.escort_title, "MA_BAC_SI": r.doctor_code, "MA_TTDV": r.head_code}
    if revision == "4750":
        values.update({"MA_NOI_DI": summary.ma_noi_di, "MA_NOI_DEN": r.ma_noi_den})
    else:
        values.update({"MA_CSKCB_DI": summary.ma_noi_di, "MA_CSKCB_DEN": r.ma_noi_den, "TINH_TRANG_CT": r.condition})
    return _bytes(_record(spec, values, spec.root))


def build_envelope(ma_cskcb: str, made_on: date | datetime, dossiers: list[list[tuple[str, bytes]]]) -> bytes:
    """GIAMDINHHS with one HOSO per dossier, each a list of (LOAIHOSO, table XML bytes)."""
    if not (len(ma_cskcb) == 5 and ma_cskcb.isdigit()):
        raise XmlBuildError("GIAMDINHHS: MACSKCB is 5 digits")
    if not dossiers or any(not files for files in dossiers):
        raise XmlBuildError("GIAMDINHHS: at least one HOSO, each with at least one file")
    root = etree.Element(ENVELOPE_ROOT)
    etree.SubElement(etree.SubElement(root, "THONGTINDONVI"), "MACSKCB").text = ma_cskcb
    info = etree.SubElement(root, "THONGTINHOSO")
    etree.SubElement(info, "NGAYLAP").text = d8(made_on)
    etree.SubElement(info, "SOLUONGHOSO").text = str(len(dossiers))
    listing = etree.SubElement(info, "DANHSACHHOSO")
    for files in dossiers:
        hoso = etree.SubElement(listing, "HOSO")
        for loai, content in files:
            f = etree.SubElement(hoso, "FILEHOSO")
            etree.SubElement(f, "LOAIHOSO").text = loai
            etree.SubElement(f, "NOIDUNGFILE").text = base64.b64encode(content).decode("ascii")
    etree.SubElement(root, SIGNATURE_HOLDER)
    return _bytes(root)


def build_dossier(summary: VisitSummary, follow_up: FollowUp | None = None, referral: Referral | None = None,
                  made_on: date | None = None, revision: str = DEFAULT_REVISION) -> bytes:
    """The unsigned envelope of one closed visit: XML1, then XML13 / XML14 where they apply."""
    files = [("XML1", build_xml1(summary, revision))]
    if referral is not None:
        files.append(("XML13", build_xml13(summary, referral, revision)))
    if follow_up is not None:
        files.append(("XML14", build_xml14(summary, follow_up, revision)))
    return build_envelope(summary.ma_cskcb, made_on or summary.discharged, [files])
