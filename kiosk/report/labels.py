"""What the department's staff read: Vietnamese labels (with English) for every code in the report."""
from __future__ import annotations

from kiosk.core import idmethods as m
from kiosk.core.priority import LABELS as PRIORITY
from kiosk.core.views import PriorityCategory

ID_METHOD = {
    m.CHIP_PA: ("Chip CCCD (xác thực thụ động)", "CCCD chip, passive authentication"),
    m.CHIP_NO_PA: ("Chip CCCD (chưa xác thực)", "CCCD chip, not verified"),
    m.CCCD_QR: ("QR trên CCCD", "CCCD QR"),
    m.VNEID_QR: ("QR VNeID", "VNeID QR"),
    m.BHYT_QR: ("QR thẻ BHYT / VssID", "BHYT / VssID QR"),
    m.TYPED: ("Nhập số tại kiosk", "Number typed at the kiosk"),
    m.DESK_MANUAL: ("Nhập tay tại quầy", "Manual at the desk"),
    m.OTHER: ("Khác", "Other"),
    "unknown": ("Chưa ghi nhận", "Not recorded"),
}

UPLOAD_KIND = {"checkin": ("Hồ sơ check-in (XML0)", "Check-in (XML0)"),
               "dossier": ("Hồ sơ KCB (XML1–15)", "Visit dossier (XML1-15)")}

PROVISIONAL = {"confirmed": ("Đã xác nhận hợp lệ", "Confirmed valid"),
               "desk": ("Chuyển quầy xử lý", "Sent to the desk"),
               "cancelled": ("Đã huỷ lượt khám", "Visit cancelled"),
               "pending": ("Chưa có kết quả", "Still pending")}

VERDICT = {"valid": ("Hợp lệ", "Valid"), "valid_new_card": ("Hợp lệ (thẻ mới)", "Valid, new card"),
           "needs_desk": ("Cần quầy kiểm tra", "Needs the desk"),
           "config_fault": ("Lỗi cấu hình", "Configuration fault"),
           "retry_later": ("Cổng không trả lời", "No answer, retry later"),
           "provisional": ("Tạm chấp nhận", "Provisional")}


def priority(code: str) -> tuple[str, str]:
    try:
        return PRIORITY[PriorityCategory(code)]
    except ValueError:
        return code, code


def id_method(code: str) -> tuple[str, str]:
    return ID_METHOD.get(code, (code, code))
