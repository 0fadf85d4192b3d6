"""XML builders: exact bytes of XML0 for a fixed synthetic visit, field order of every table as
written in the reference, date formats, escaping, refusal of a missing required field."""
from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from gateway_helpers import FOLLOW_UP, REFERRAL, checkin, summary
from lxml import etree

from kiosk.gateway.xml import (XmlBuildError, build_dossier, build_envelope, build_xml0, build_xml1,
                               build_xml13, build_xml14)

EXPECTED_XML0 = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB><MA_LK>79001-K1-20261120-0001</MA_LK>"
    "<STT>1</STT><MA_BN>BN000001</MA_BN><HO_TEN>NGUYỄN VĂN AN</HO_TEN><SO_CCCD>079085000001</SO_CCCD>"
    "<NGAY_SINH>198503150000</NGAY_SINH><GIOI_TINH>1</GIOI_TINH><MA_THE_BHYT>DN4797900000001</MA_THE_BHYT>"
    "<MA_DKBD>79001</MA_DKBD><GT_THE_TU>20260101</GT_THE_TU><GT_THE_DEN>20261231</GT_THE_DEN>"
    "<MA_DOITUONG_KCB>1.1</MA_DOITUONG_KCB><NGAY_VAO>202611200815</NGAY_VAO><NGAY_VAO_NOI_TRU></NGAY_VAO_NOI_TRU>"
    "<LY_DO_VNT></LY_DO_VNT><MA_LY_DO_VNT></MA_LY_DO_VNT><MA_LOAI_KCB>01</MA_LOAI_KCB><MA_CSKCB>79001</MA_CSKCB>"
    "<MA_DICH_VU>K01</MA_DICH_VU><TEN_DICH_VU>Khám Nội tổng quát</TEN_DICH_VU><MA_THUOC></MA_THUOC>"
    "<TEN_THUOC></TEN_THUOC><MA_VAT_TU></MA_VAT_TU><TEN_VAT_TU></TEN_VAT_TU><NGAY_YL>202611200815</NGAY_YL>"
    "<DU_PHONG></DU_PHONG></TRANG_THAI_KCB></DSACH_TRANG_THAI_KCB><CHUKYDONVI/></CHI_TIEU_TRANG_THAI_KCB>"
).encode("utf-8")

# Field order copied from reference/xml-4750.md (not from kiosk.gateway.xml_spec).
REF_XML0 = """MA_LK, STT, MA_BN, HO_TEN, SO_CCCD, NGAY_SINH, GIOI_TINH, MA_THE_BHYT, MA_DKBD, GT_THE_TU,
GT_THE_DEN, MA_DOITUONG_KCB, NGAY_VAO, NGAY_VAO_NOI_TRU, LY_DO_VNT, MA_LY_DO_VNT, MA_LOAI_KCB,
MA_CSKCB, MA_DICH_VU, TEN_DICH_VU, MA_THUOC, TEN_THUOC, MA_VAT_TU, TEN_VAT_TU, NGAY_YL, DU_PHONG"""
REF_XML1 = """MA_LK, STT, MA_BN, HO_TEN, SO_CCCD, NGAY_SINH, GIOI_TINH, NHOM_MAU, MA_QUOCTICH, MA_DANTOC,
MA_NGHE_NGHIEP, DIA_CHI, MATINH_CU_TRU, MAHUYEN_CU_TRU, MAXA_CU_TRU, DIEN_THOAI, MA_THE_BHYT,
MA_DKBD, GT_THE_TU, GT_THE_DEN, NGAY_MIEN_CCT, LY_DO_VV, LY_DO_VNT, MA_LY_DO_VNT, CHAN_DOAN_VAO,
CHAN_DOAN_RV, MA_BENH_CHINH, MA_BENH_KT, MA_BENH_YHCT, MA_PTTT_QT, MA_DOITUONG_KCB, MA_NOI_DI,
MA_NOI_DEN, MA_TAI_NAN, NGAY_VAO, NGAY_VAO_NOI_TRU, NGAY_RA, GIAY_CHUYEN_TUYEN, SO_NGAY_DTRI,
PP_DIEU_TRI, KET_QUA_DTRI, MA_LOAI_RV, GHI_CHU, NGAY_TTOAN, T_THUOC, T_VTYT, T_TONGCHI_BV,
T_TONGCHI_BH, T_BNTT, T_BNCCT, T_BHTT, T_NGUONKHAC, T_BHTT_GDV, NAM_QT, THANG_QT, MA_LOAI_KCB,
MA_KHOA, MA_CSKCB, MA_KHUVUC, CAN_NANG, CAN_NANG_CON, NAM_NAM_LIEN_TUC, NGAY_TAI_KHAM, MA_HSBA,
MA_TTDV, DU_PHONG"""
# XML14: the same field list under 4750 (annex) and 3176 (qlbv_public structures) - review 2.3.
REF_XML14 = """MA_LK SO_GIAYHEN_KL MA_CSKCB HO_TEN NGAY_SINH GIOI_TINH DIA_CHI MA_THE_BHYT GT_THE_DEN NGAY_VAO
NGAY_VAO_NOI_TRU NGAY_RA NGAY_HEN_KL CHAN_DOAN_RV MA_BENH_CHINH MA_BENH_KT MA_BENH_YHCT MA_DOITUONG_KCB MA_BAC_SI
MA_TTDV NGAY_CT DU_PHONG"""
# XML13 under QĐ 4750: the annex rows 1-39 (PP_DIEU_TRI is row 30, after TEN_THUOC) - review 2.2.
REF_XML13_4750 = """MA_LK SO_HOSO SO_CHUYENTUYEN GIAY_CHUYEN_TUYEN MA_CSKCB MA_NOI_DI MA_NOI_DEN HO_TEN NGAY_SINH
GIOI_TINH MA_QUOCTICH MA_DANTOC MA_NGHE_NGHIEP DIA_CHI MA_THE_BHYT GT_THE_DEN NGAY_VAO NGAY_VAO_NOI_TRU NGAY_RA
DAU_HIEU_LS CHAN_DOAN_RV QT_BENHLY TOMTAT_KQ PP_DIEUTRI MA_BENH_CHINH MA_BENH_KT MA_BENH_YHCT TEN_DICH_VU TEN_THUOC
PP_DIEU_TRI MA_LOAI_RV MA_LYDO_CT HUONG_DIEU_TRI PHUONGTIEN_VC HOTEN_NGUOI_HT CHUCDANH_NGUOI_HT MA_BAC_SI MA_TTDV
DU_PHONG"""
# XML13 under QĐ 3176: qlbv_public XmlStructures::$expectedStructures3176['XML13'] - review 2.3.
REF_XML13_3176 = """MA_LK, SO_HOSO, SO_CHUYENTUYEN, GIAY_CHUYEN_TUYEN, MA_CSKCB, MA_CSKCB_DI, MA_CSKCB_DEN, HO_TEN,
NGAY_SINH, GIOI_TINH, MA_QUOCTICH, MA_DANTOC, MA_NGHE_NGHIEP, DIA_CHI, MA_THE_BHYT, GT_THE_DEN, NGAY_VAO,
NGAY_VAO_NOI_TRU, NGAY_RA, DAU_HIEU_LS, CHAN_DOAN_RV, QT_BENHLY, TOMTAT_KQ, PP_DIEUTRI, MA_BENH_CHINH, MA_BENH_KT,
MA_BENH_YHCT, TINH_TRANG_CT, MA_LOAI_RV, MA_LYDO_CT, HUONG_DIEU_TRI, PHUONGTIEN_VC, HOTEN_NGUOI_HT,
CHUCDANH_NGUOI_HT, MA_BAC_SI, MA_TTDV, DU_PHONG"""


def names(text: str) -> list[str]:
    return text.replace(",", " ").split()


def fields(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    return {c.tag: c.text or "" for c in root}


def test_xml0_exact_bytes():
    assert build_xml0(checkin()) == EXPECTED_XML0


@pytest.mark.parametrize("revision,ref13", [("4750", REF_XML13_4750), ("3176", REF_XML13_3176)])
def test_field_order_of_every_table(revision, ref13):
    x0 = etree.fromstring(build_xml0(checkin()))
    assert [c.tag for c in x0.find("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")] == names(REF_XML0)
    assert [c.tag for c in x0] == ["DSACH_TRANG_THAI_KCB", "CHUKYDONVI"]
    head = "0100000001" if revision == "4750" else FOLLOW_UP.head_code   # 4750: MA_TTDV <= 10 (BHXH number)
    s, fu, ref = summary(head_code=head), replace(FOLLOW_UP, head_code=head), replace(REFERRAL, head_code=head)
    for xml, root, ref in ((build_xml1(s, revision), "TONG_HOP", REF_XML1),
                           (build_xml14(s, fu, revision), "CHI_TIEU_GIAYHEN_KHAMLAI", REF_XML14),
                           (build_xml13(s, ref, revision), "CHI_TIEU_GIAYCHUYENTUYEN", ref13)):
        el = etree.fromstring(xml)
        assert el.tag == root and [c.tag for c in el] == names(ref)


def test_default_revision_is_3176():
    assert [c.tag for c in etree.fromstring(build_xml13(summary(), REFERRAL))] == names(REF_XML13_3176)
    assert fields(build_dossier(summary(), referral=REFERRAL)) is not None


def test_xml1_values_and_formats():
    f = fields(build_xml1(summary(costs={"T_BNTT": 150000, "T_THUOC": "12500.5"})))
    assert (f["NGAY_SINH"], f["NGAY_VAO"], f["NGAY_RA"], f["NGAY_TTOAN"]) == (
        "198503150000", "202611200815", "202611200905", "202611200905")
    assert (f["GT_THE_TU"], f["GT_THE_DEN"]) == ("20260101", "20261231")
    assert (f["MA_BENH_CHINH"], f["MA_BENH_KT"], f["CHAN_DOAN_RV"]) == ("J02.9", "I10", "Viêm họng cấp")
    assert (f["NAM_QT"], f["THANG_QT"], f["SO_NGAY_DTRI"], f["MA_QUOCTICH"]) == ("2026", "11", "0", "000")
    assert (f["T_BNTT"], f["T_THUOC"], f["T_BHTT"]) == ("150000", "12500.5", "0")


def test_ma_ttdv_is_10_characters_under_4750_only():
    with pytest.raises(XmlBuildError, match="MA_TTDV"):
        build_xml14(summary(), FOLLOW_UP, "4750")          # a 15-character licence code
    assert fields(build_xml14(summary(), FOLLOW_UP, "3176"))["MA_TTDV"] == FOLLOW_UP.head_code


def test_xml14_appointment_date_per_revision():
    # 4750 annex row 13: 12 characters yyyymmddHHMM; 3176 (qlbv checker, another validator): 8 characters
    f14 = fields(build_xml14(summary(), FOLLOW_UP, "3176"))
    assert (f14["SO_GIAYHEN_KL"], f14["NGAY_HEN_KL"], f14["NGAY_CT"], f14["MA_CSKCB"]) == (
        "HK-2026-0001", "20261127", "20261120", "79001")
    short = replace(FOLLOW_UP, head_code="0100000001")
    assert fields(build_xml14(summary(), short, "4750"))["NGAY_HEN_KL"] == "202611270000"
    timed = replace(short, on=datetime(2026, 11, 27, 14, 30))
    assert fields(build_xml14(summary(), timed, "4750"))["NGAY_HEN_KL"] == "202611271430"
    assert fields(build_xml14(summary(), timed, "3176"))["NGAY_HEN_KL"] == "20261127"


def test_xml13_referring_facility_is_the_one_that_sent_the_patient():
    # MA_NOI_DI (4750) / MA_CSKCB_DI (3176) = XML1's MA_NOI_DI: who referred the patient HERE, empty if none
    f13 = fields(build_xml13(summary(discharge_type=2), replace(REFERRAL, head_code="0100000001"), "4750"))
    assert (f13["MA_NOI_DI"], f13["MA_NOI_DEN"], f13["MA_LOAI_RV"], f13["MA_LYDO_CT"]) == ("", "79002", "2", "1")
    came = summary(discharge_type=2, ma_noi_di="79010", referral_number="GCT-9/2026")
    f13 = fields(build_xml13(came, replace(REFERRAL, condition="Tỉnh, mạch ổn"), "3176"))
    assert (f13["MA_CSKCB_DI"], f13["MA_CSKCB_DEN"], f13["TINH_TRANG_CT"]) == ("79010", "79002", "Tỉnh, mạch ổn")
    assert fields(build_xml1(came))["MA_NOI_DI"] == "79010"


@pytest.mark.parametrize("code", [1, 2, 3])
def test_xml13_reason_codes_1_2_3(code):
    assert fields(build_xml13(summary(), replace(REFERRAL, reason_code=code)))["MA_LYDO_CT"] == str(code)


def test_xml13_refuses_reason_4():
    with pytest.raises(XmlBuildError, match="MA_LYDO_CT"):
        build_xml13(summary(), replace(REFERRAL, reason_code=4))


@pytest.mark.parametrize("kind,days", [("01", 0), ("07", 0), ("09", 0), ("02", 3), ("03", 3), ("04", 3), ("06", 3)])
def test_treatment_days_follow_the_4750_rule(kind, days):
    # 0 for 01/07/09; NGAY_RA - NGAY_VAO + 1 for 02/03/04/06 (20/11 -> 22/11: 3 days)
    s = summary(ma_loai_kcb=kind, discharged=datetime(2026, 11, 22, 9, 5))
    assert fields(build_xml1(s))["SO_NGAY_DTRI"] == str(days)


@pytest.mark.parametrize("field,value", [("ma_doituong_kcb", "1"), ("ma_doituong_kcb", "3"),
                                         ("ma_loai_kcb", "1"), ("ma_loai_kcb", "10a")])
def test_codes_outside_the_lists_are_refused(field, value):
    # "1"/"3" alone are not MA_DOITUONG_KCB codes; MA_LOAI_KCB is "01".."09" (QĐ 824 PL1)
    with pytest.raises(XmlBuildError, match=field.upper()):
        build_xml0(checkin(**{field: value}))


@pytest.mark.parametrize("code", ["1.1", "1.10", "2", "3.1", "7.1", "9"])
def test_category_codes_of_the_list_pass(code):
    assert f"<MA_DOITUONG_KCB>{code}</MA_DOITUONG_KCB>".encode() in build_xml0(checkin(ma_doituong_kcb=code))


def test_dates_year_only_birth_and_utc_times():
    at_utc = datetime(2026, 11, 20, 1, 15, tzinfo=timezone.utc)     # 08:15 in Vietnam
    f = fields(etree.tostring(etree.fromstring(build_xml0(checkin(birth="1950", admitted=at_utc, ordered_at=None)))
                              .find("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")))
    assert (f["NGAY_SINH"], f["NGAY_VAO"], f["NGAY_YL"]) == ("195000000000", "202611200815", "")
    assert fields(etree.tostring(etree.fromstring(build_xml0(checkin(birth=date(2001, 2, 3))))[0][0]))[
        "NGAY_SINH"] == "200102030000"


def test_values_are_escaped():
    tricky = 'LÊ <THỊ> "A&B"'
    xml = build_xml0(checkin(full_name=tricky))
    assert b"L\xc3\x8a &lt;TH\xe1\xbb\x8a&gt; \"A&amp;B\"" in xml
    assert etree.fromstring(xml).findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/HO_TEN") == tricky


@pytest.mark.parametrize("change,field", [
    ({"full_name": ""}, "HO_TEN"), ({"ma_lk": ""}, "MA_LK"), ({"ma_cskcb": "7900"}, "MA_CSKCB"),
    ({"ma_lk": "X" * 101}, "MA_LK"), ({"cccd": "0" * 16}, "SO_CCCD"), ({"gender": 12}, "GIOI_TINH"),
    # XML0 annex lengths: MA_THE_BHYT <= 15, MA_DKBD 5 (GT_THE_* 8: one date, checked in test_xml_spec_lengths)
    ({"card_number": "DN47979000000011"}, "MA_THE_BHYT"), ({"ma_dkbd": "790011"}, "MA_DKBD"),
])
def test_xml0_refuses_bad_or_missing_field(change, field):
    with pytest.raises(XmlBuildError, match=field):
        build_xml0(checkin(**change))


@pytest.mark.parametrize("change,field", [
    ({"diagnosis": ""}, "CHAN_DOAN_RV"), ({"icd_main": ""}, "MA_BENH_CHINH"), ({"icd_main": "viêm"}, "MA_BENH_CHINH"),
    ({"icd_other": ("bad",)}, "MA_BENH_KT"), ({"birth": "15.03.1985"}, "NGAY_SINH"),
    ({"discharged": None}, "NGAY_RA"), ({"admitted": None}, "NGAY_VAO"),
    ({"discharged": datetime(2026, 11, 20, 8, 0)}, "NGAY_RA is before NGAY_VAO"),   # naive = facility time
])
def test_xml1_refuses_bad_or_missing_field(change, field):
    with pytest.raises(XmlBuildError, match=field):
        build_xml1(summary(**change))


def test_error_message_does_not_echo_the_value():
    with pytest.raises(XmlBuildError) as exc:
        build_xml0(checkin(cccd="0791850000019999"))
    assert "0791850000019999" not in str(exc.value)


def test_envelope_layout_and_contents():
    env = etree.fromstring(build_dossier(summary(), follow_up=FOLLOW_UP, referral=REFERRAL))
    assert env.tag == "GIAMDINHHS"
    assert [c.tag for c in env] == ["THONGTINDONVI", "THONGTINHOSO", "CHUKYDONVI"]
    assert env.findtext("THONGTINDONVI/MACSKCB") == "79001"
    assert (env.findtext("THONGTINHOSO/NGAYLAP"), env.findtext("THONGTINHOSO/SOLUONGHOSO")) == ("20261120", "1")
    files = env.findall("THONGTINHOSO/DANHSACHHOSO/HOSO/FILEHOSO")
    assert [f.findtext("LOAIHOSO") for f in files] == ["XML1", "XML13", "XML14"]
    assert base64.b64decode(files[0].findtext("NOIDUNGFILE")) == build_xml1(summary())
    with pytest.raises(XmlBuildError, match="MACSKCB"):
        build_envelope("7900", date(2026, 11, 20), [[("XML1", b"<TONG_HOP/>")]])


def test_xml_spec_lengths():
    from kiosk.gateway.xml_spec import XML0, check_value
    spec = {f.name: f for f in XML0.fields}
    assert check_value(spec["GT_THE_DEN"], "20261231") is None
    assert check_value(spec["GT_THE_DEN"], "20261231;20271231") is not None     # annex: 8 characters
    assert (spec["MA_THE_BHYT"].max_len, spec["MA_DKBD"].max_len) == (15, 5)


@pytest.mark.parametrize("value,ok", [("20260105", True), ("202601051030", True), ("2026010510", False)])
def test_ngay_mien_cct_takes_8_or_12_characters(value, ok):
    from kiosk.gateway.xml_spec import XML1, check_value
    assert (check_value(next(f for f in XML1.fields if f.name == "NGAY_MIEN_CCT"), value) is None) is ok
