"""Parsing the gateway's replies into the typed results of kiosk.gateway.results (pure, no I/O)."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import requests

from kiosk.gateway.results import (MALFORMED_CODE, CardCheckResult, GatewayRejected, GatewayUnavailable,
                                   HistoryEntry, ReceivedInfo, RecentCheck, UploadOutcome, UploadResult,
                                   VneidIdentity, code_info)

# How a gateway message says "this MA_LK is already held" (the live wording is not published).
# Strict on purpose: a validation message that merely contains "trùng" (e.g. overlapping times)
# must stay a rejection, never count as acked.
DUPLICATE_PATTERNS = re.compile(
    r"(MA_LK|mã liên kết|ma lien ket|hồ sơ|ho so)\W+(\w+\W+){0,3}?(trùng|trung|đã tồn tại|da ton tai)"
    r"|duplicate (MA_LK|dossier)", re.IGNORECASE)
RETRY_CODES = {"500", "501", "502", "503", "504", "101"}
AUTH_CODES = {"403"}
DUPLICATE_STATE = "TRUNG_LAP"   # trangThai of a duplicate-marked copy in the received listing
HASH_FIELD = "hashHoSo"         # SHA-256 (hex) of the file as received, in the look-up listing (UNCONFIRMED)


class MalformedReply(Exception):
    """The reply was not the documented JSON object."""


def json_body(resp: requests.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(resp.content.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


MAX_TOKEN_LIFE = timedelta(days=30)   # a longer (or absurd) lifetime is treated as unknown


def _seconds(value: float, now: datetime) -> datetime | None:
    if not (0 < value <= MAX_TOKEN_LIFE.total_seconds()):   # NaN, inf, epoch-ms... : unknown
        return None
    return now + timedelta(seconds=value)


def parse_expiry(value: Any, now: datetime) -> datetime | None:
    """`expires_in` is documented only as "(UTC)": accept seconds or an ISO-8601 time, else None.
    Anything absurd (infinite, epoch milliseconds, years away) is unknown: the 401 rule takes over."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _seconds(float(value), now)
    text = str(value).strip()[:64]
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _seconds(float(text), now)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    try:
        return moment if moment - now <= MAX_TOKEN_LIFE else None
    except (OverflowError, TypeError):
        return None


def birth_date_param(value: date | str) -> str:
    """`ngaySinh` as sent: dd/MM/yyyy, or yyyy for a year-only birth date."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return text
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return f"{m[3]}/{m[2]}/{m[1]}"
    m = re.fullmatch(r"(\d{2})/?(\d{2})/?(\d{4})", text)
    if m:
        return f"{m[1]}/{m[2]}/{m[3]}"
    raise ValueError("birth date must be yyyy-mm-dd, dd/MM/yyyy, ddMMyyyy or yyyy")


def _s(reply: dict, key: str) -> str:
    value = reply.get(key)
    return "" if value is None else str(value)


def card_result(code: str, reply: dict[str, Any]) -> CardCheckResult:
    info = code_info(code)
    checks = tuple(RecentCheck(_s(c, "userKT"), _s(c, "thoiGianKT"), _s(c, "thongBao"), _s(c, "maLoi"))
                   for c in (reply.get("dsLichSuKT2018") or []) if isinstance(c, dict))
    return CardCheckResult(
        verdict=info.verdict, code=code, message_vi=info.message_vi, message_en=info.message_en,
        staff_detail=info.staff_detail, desk_flag=info.desk_flag, alert=info.alert,
        gateway_note=_s(reply, "ghiChu"), card_number=_s(reply, "maThe"), full_name=_s(reply, "hoTen"),
        birth_date=_s(reply, "ngaySinh"), gender=_s(reply, "gioiTinh"), address=_s(reply, "diaChi"),
        ma_dkbd=_s(reply, "maDKBD"), issuer=_s(reply, "cqBHXH"), valid_from=_s(reply, "gtTheTu"),
        valid_to=_s(reply, "gtTheDen"), area_code=_s(reply, "maKV"), five_years_from=_s(reply, "ngayDu5Nam"),
        social_insurance_no=_s(reply, "maSoBHXH"), old_card_number=_s(reply, "maTheCu"),
        new_card_number=_s(reply, "maTheMoi"), new_valid_from=_s(reply, "gtTheTuMoi"),
        new_valid_to=_s(reply, "gtTheDenMoi"), new_ma_dkbd=_s(reply, "maDKBDMoi"),
        new_dkbd_name=_s(reply, "tenDKBDMoi"), recent_checks=checks, raw=dict(reply))


def parse_stamp(text: str) -> datetime | None:
    """yyyyMMddHHmm or yyyyMMddHHmmss (facility local time, returned naive)."""
    text = (text or "").strip()
    fmt = {14: "%Y%m%d%H%M%S", 12: "%Y%m%d%H%M"}.get(len(text))
    if fmt is None or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def history_entries(reply: dict[str, Any]) -> list[HistoryEntry]:
    rows = reply.get("dsLichSuKCB2025")
    if rows is None:
        code = _s(reply, "maKetQua")
        if code not in ("", "000", "200"):
            raise GatewayRejected(code, _s(reply, "ghiChu") or _s(reply, "thongDiep"))
        return []
    if not isinstance(rows, list):
        raise MalformedReply("history")
    return [HistoryEntry(_s(r, "maHoSo"), _s(r, "maCSKCB"), parse_stamp(_s(r, "ngayVao")),
                         parse_stamp(_s(r, "ngayRa")), _s(r, "tenBenh"), _s(r, "tinhTrang"), _s(r, "kqDieuTri"),
                         _s(r, "lyDoVV"), raw=dict(r)) for r in rows if isinstance(r, dict)]


SUCCESS_MESSAGES = ("", "tiếp nhận thành công", "tiếp nhận hồ sơ thành công")   # thongDiep of a real 200


def _is_json(resp: requests.Response) -> bool:
    kind = (resp.headers.get("Content-Type", "") or "").split(";")[0].strip().lower()
    return kind in ("application/json", "text/json") or kind.endswith("+json")


def upload_result(resp: requests.Response) -> UploadResult | None:
    """Classify an upload reply on `maKetQua` first; None means 401 (the caller logs in again once).

    ACCEPTED needs `maKetQua` 200, a receipt (`maGiaoDich`) and a success message. A 200 whose
    message says the MA_LK is already held is DUPLICATE, which is *not* an ack: the worker acks it
    only when the look-up shows the held copy is ours. Any other 200 is UNCONFIRMED. A non-200 is
    never a duplicate, whatever its wording: it is a refusal (dead letter with the gateway's words),
    a retry (5xx-like codes) or an auth problem.
    """
    status = resp.status_code
    if status == 401:
        return None
    if 300 <= status < 400:
        from kiosk.gateway.transport import redirect_note
        return UploadResult(UploadOutcome.RETRY, code=f"HTTP {status}", message=redirect_note(resp))
    if status >= 500 or status in (404, 405, 408, 429):
        return UploadResult(UploadOutcome.RETRY, code=f"HTTP {status}", message=f"HTTP {status}")
    body = json_body(resp)
    if body is None:
        if status in (400, 413, 415, 422):
            return UploadResult(UploadOutcome.REJECTED, code=f"HTTP {status}", message=resp.text[:500])
        return UploadResult(UploadOutcome.RETRY, code=MALFORMED_CODE, message="malformed reply")
    raw_code = body.get("maKetQua")
    if isinstance(raw_code, bool) or (raw_code is not None and not isinstance(raw_code, (str, int))):
        return UploadResult(UploadOutcome.RETRY, code=MALFORMED_CODE, message="maKetQua is not a code")
    code = _s(body, "maKetQua").strip()
    message = _s(body, "thongDiep")[:500]
    receipt = dict(ma_giao_dich=_s(body, "maGiaoDich").strip(),
                   received_at=parse_stamp(_s(body, "thoiGianTiepNhan")), code=code, message=message)
    if code == "401":
        return None
    if code == "200":
        if not _is_json(resp):
            return UploadResult(UploadOutcome.RETRY, code=MALFORMED_CODE,
                                message="200 without a JSON Content-Type: not taken as a receipt")
        if DUPLICATE_PATTERNS.search(message):
            return UploadResult(UploadOutcome.DUPLICATE, **receipt)
        if receipt["ma_giao_dich"] and message.strip().lower() in SUCCESS_MESSAGES:
            return UploadResult(UploadOutcome.ACCEPTED, **receipt)
        why = "no maGiaoDich" if not receipt["ma_giao_dich"] else "unexpected thongDiep"
        return UploadResult(UploadOutcome.UNCONFIRMED, **{**receipt, "message": f"200 with {why}: {message}"})
    if code in AUTH_CODES:
        return UploadResult(UploadOutcome.AUTH, **receipt)
    if code in RETRY_CODES or not code:
        return UploadResult(UploadOutcome.RETRY, **receipt)
    return UploadResult(UploadOutcome.REJECTED, **receipt)


def received_info(reply: dict[str, Any], ma_lk: str, loai_ho_so: str,
                  payload_sha256: str = "") -> ReceivedInfo | None:
    """The copy the gateway holds for MA_LK: with `payload_sha256`, the held (non-duplicate) copy
    with that hash first; otherwise the held copy, else a duplicate-marked one, else None."""
    code = _s(reply, "maKetQua")
    if code in RETRY_CODES:
        raise GatewayUnavailable(f"lookup: maKetQua {code}")
    rows = reply.get("dsHoSo")
    if rows is None and code not in ("", "200", "000"):
        raise GatewayRejected(code, _s(reply, "thongDiep"))
    if not isinstance(rows or [], list):
        raise MalformedReply("lookup")
    found = []
    for r in rows or []:
        if not isinstance(r, dict) or _s(r, "maLK") != ma_lk or _s(r, "loaiHoSo") not in ("", loai_ho_so):
            continue
        found.append(ReceivedInfo(ma_lk, loai_ho_so, _s(r, "maGiaoDich"), parse_stamp(_s(r, "thoiGianTiepNhan")),
                                  duplicate=_s(r, "trangThai") == DUPLICATE_STATE,
                                  payload_sha256=_s(r, HASH_FIELD).strip().lower(), raw=dict(r)))
    wanted = payload_sha256.lower()
    for pick in ((lambda i: not i.duplicate and wanted and i.payload_sha256 == wanted),
                 (lambda i: not i.duplicate), (lambda i: True)):
        for info in found:
            if pick(info):
                return info
    return None


def vneid_identity(reply: dict[str, Any]) -> VneidIdentity | None:
    code = _s(reply, "maKetQua")
    if code in ("404", "050"):
        return None
    if code != "200":
        raise GatewayRejected(code, _s(reply, "thongDiep"))
    return VneidIdentity(_s(reply, "soCCCD"), _s(reply, "hoTen"), _s(reply, "ngaySinh"), _s(reply, "gioiTinh"),
                         _s(reply, "diaChi"), _s(reply, "maTheBHYT"), raw=dict(reply))
