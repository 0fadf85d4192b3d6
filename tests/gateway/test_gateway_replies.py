"""Reply parsing (pure): token expiry formats, birth-date parameter, upload classification."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from kiosk.gateway.replies import birth_date_param, parse_expiry, parse_stamp, upload_result
from kiosk.gateway.results import UploadOutcome

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value,expected", [
    (3600, NOW + timedelta(hours=1)), ("1800", NOW + timedelta(minutes=30)),
    ("2026-11-20T02:00:00Z", datetime(2026, 11, 20, 2, tzinfo=timezone.utc)),
    ("2026-11-20T09:00:00+07:00", datetime(2026, 11, 20, 2, tzinfo=timezone.utc)),
    ("2026-11-20T02:00:00", datetime(2026, 11, 20, 2, tzinfo=timezone.utc)),   # "(UTC)": naive means UTC
    ("(UTC)", None), ("", None), (None, None), (0, None), (True, None),
])
def test_parse_expiry(value, expected):
    assert parse_expiry(value, NOW) == expected


@pytest.mark.parametrize("value,expected", [
    (date(1985, 3, 5), "05/03/1985"), ("1985-03-05", "05/03/1985"), ("05/03/1985", "05/03/1985"),
    ("05031985", "05/03/1985"), ("1950", "1950"),
])
def test_birth_date_param(value, expected):
    assert birth_date_param(value) == expected


def test_birth_date_param_refuses_garbage():
    with pytest.raises(ValueError):
        birth_date_param("5 March 1985")


def test_parse_stamp_lengths():
    assert parse_stamp("20261120081530") == datetime(2026, 11, 20, 8, 15, 30)
    assert parse_stamp("202611200815") == datetime(2026, 11, 20, 8, 15)
    assert parse_stamp("2026112008") is None and parse_stamp("") is None


def response(status: int, body) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    if not isinstance(body, bytes):
        r.headers["Content-Type"] = "application/json; charset=utf-8"
    return r


@pytest.mark.parametrize("status,body,outcome", [
    (200, {"maKetQua": "200", "maGiaoDich": "G1", "thoiGianTiepNhan": "20261120081530"}, UploadOutcome.ACCEPTED),
    (200, {"maKetQua": "200", "maGiaoDich": "G1", "thongDiep": "Hồ sơ trùng MA_LK"}, UploadOutcome.DUPLICATE),
    (200, {"maKetQua": "500", "thongDiep": "MA_LK đã tồn tại"}, UploadOutcome.RETRY),   # maKetQua first
    (200, {"maKetQua": "400", "thongDiep": "XML1: sai định dạng NGAY_RA"}, UploadOutcome.REJECTED),
    (200, {"maKetQua": "403"}, UploadOutcome.AUTH),
    (200, {"maKetQua": "503"}, UploadOutcome.RETRY),
    (200, {"thongDiep": "no code"}, UploadOutcome.RETRY),
    (200, b"<html>proxy error</html>", UploadOutcome.RETRY),
    (200, b"[1, 2]", UploadOutcome.RETRY),
    (502, b"Bad Gateway", UploadOutcome.RETRY),
    (404, b"Not Found", UploadOutcome.RETRY),
    (429, b"slow down", UploadOutcome.RETRY),
    (400, b"bad request", UploadOutcome.REJECTED),
])
def test_upload_classification(status, body, outcome):
    assert upload_result(response(status, body)).outcome is outcome


def test_upload_401_asks_for_relogin_and_receipt_is_parsed():
    assert upload_result(response(401, b"")) is None
    assert upload_result(response(200, {"maKetQua": "401"})) is None
    ok = upload_result(response(200, {"maKetQua": "200", "maGiaoDich": "G9", "thoiGianTiepNhan": "20261120081530",
                                      "thongDiep": "Tiếp nhận thành công"}))
    assert (ok.ma_giao_dich, ok.received_at, ok.code, ok.acked) == ("G9", datetime(2026, 11, 20, 8, 15, 30), "200", True)


@pytest.mark.parametrize("message,duplicate", [
    ("Hồ sơ trùng MA_LK đã tồn tại; bản gửi lại được đánh dấu lỗi", True),
    ("MA_LK đã tồn tại", True),
    ("Mã liên kết bị trùng", True),
    ("duplicate MA_LK: already received", True),
    ("XML1: NGAY_RA trùng với NGAY_VAO của lượt khám khác", False),
    ("Thời gian khám trùng với bác sĩ khác", False),
])
def test_duplicate_wording_is_recognised_strictly(message, duplicate):
    result = upload_result(response(200, {"maKetQua": "200", "maGiaoDich": "G1", "thongDiep": message}))
    assert result.outcome is (UploadOutcome.DUPLICATE if duplicate else UploadOutcome.UNCONFIRMED)
    assert not result.acked
    # a refusal is never a duplicate because of its wording (H1)
    refused = upload_result(response(200, {"maKetQua": "400", "thongDiep": message}))
    assert refused.outcome is UploadOutcome.REJECTED and refused.message == message


def test_reprs_of_personal_results_hide_names_numbers_and_health_data():
    # A stray `%r` in a log line or an exception must not carry the patient (like kiosk.identity's reprs).
    from gateway_helpers import REFERRAL, checkin, summary

    from kiosk.gateway.replies import card_result, history_entries, vneid_identity
    person = {"maThe": "DN4797900000001", "hoTen": "NGUYỄN VĂN AN", "ngaySinh": "15/03/1985",
              "diaChi": "12 Lê Lợi", "maSoBHXH": "7900000001", "maTheMoi": "DN4797900000101",
              "maTheCu": "DN4797900000009", "ghiChu": "Thẻ của NGUYỄN VĂN AN",
              "dsLichSuKT2018": [{"userKT": "TRẦN THỊ TRA CỨU", "thoiGianKT": "202611200815"}]}
    history = {"dsLichSuKCB2025": [{"maHoSo": "H1", "tenBenh": "Viêm họng cấp", "tinhTrang": "Ổn định",
                                    "kqDieuTri": "Khỏi bệnh", "lyDoVV": "Đau họng, sốt"}]}
    vneid = {"maKetQua": "200", "soCCCD": "079085000001", "hoTen": "NGUYỄN VĂN AN", "ngaySinh": "15/03/1985",
             "diaChi": "12 Lê Lợi", "maTheBHYT": "DN4797900000001"}
    shown = " ".join(repr(x) for x in (
        card_result("003", person), history_entries(history)[0], vneid_identity(vneid),
        checkin(), summary(note="Dị ứng penicillin", phone="0912345678", treatment="Kháng sinh"), REFERRAL))
    for secret in ("NGUYỄN", "TRẦN", "DN4797900000", "079085000001", "7900000001", "15/03/1985", "1985-03-15",
                   "Lê Lợi", "Viêm họng", "Ổn định", "Khỏi bệnh", "Đau họng", "J02.9", "I10",
                   "penicillin", "0912345678", "Kháng sinh", "Sốt cao", "Bến Nghé"):
        assert secret not in shown, secret
    assert "code='003'" in shown and "ma_lk='79001-K1-20261120-0001'" in shown and "ma_ho_so='H1'" in shown


def test_card_check_code_500_is_a_retry_not_the_desk():
    from kiosk.gateway.results import Verdict, code_info
    info = code_info("500")
    assert info.verdict is Verdict.RETRY_LATER and not info.alert
