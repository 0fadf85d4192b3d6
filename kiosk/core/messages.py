"""Patient-facing texts the check-in core produces itself (Vietnamese first, then English)."""
from __future__ import annotations

from kiosk.core.views import Message

UNREADABLE = Message("unreadable", "Không đọc được mã. Vui lòng thử lại.",
                     "The code could not be read. Please try again.")
SCAN_INCOMPLETE = Message("unreadable",
                          "Chưa đọc được trọn mã. Xin đưa mã lại gần máy quét và giữ yên. "
                          "Nếu vẫn không được, mời ông/bà báo nhân viên.",
                          "The code was only partly read. Please hold it still in front of the scanner "
                          "again. If that does not help, please ask a staff member.")
NOT_ME = Message("not_me",
                 "Xin quét lại giấy tờ của chính ông/bà. Nếu thông tin vẫn sai, mời ông/bà đến quầy "
                 "tiếp đón: nhân viên sẽ giúp.",
                 "Please scan your own document again. If the details are still wrong, please go to the "
                 "reception desk: the staff will help you.")
CARD_REMOVED = Message("card_removed", "Thẻ đã bị nhấc ra. Vui lòng đặt lại thẻ lên đầu đọc.",
                       "The card was moved away. Please lay it on the reader again.")
CHIP_REJECTED = Message("rejected", "Không xác thực được thẻ. Mời ông/bà đến quầy tiếp đón.",
                        "The card could not be verified. Please go to the reception desk.")
READ_TIMEOUT = Message("timeout", "Đọc thẻ quá lâu. Vui lòng thử lại.",
                       "Reading took too long. Please try again.")
ISSUE_TIMEOUT = Message("issue_failed", "Chưa cấp được số thứ tự. Mời ông/bà đến quầy tiếp đón.",
                        "No ticket could be issued. Please go to the reception desk.")
CHECKING = Message("checking", "Đang kiểm tra thẻ BHYT…", "Checking the health-insurance card…")
PROVISIONAL = Message("provisional",
                      "Chưa kiểm tra được thẻ BHYT lúc này; thẻ sẽ được tự động kiểm tra lại sau.",
                      "The insurance card could not be checked now; it will be checked again "
                      "automatically later.")

IDENTITY_TO_CONFIRM = Message("identity_to_confirm",
                              "Máy chưa có thông tin của số này. Ông/bà vẫn lấy được số thứ tự; mời mang giấy tờ "
                              "đến quầy tiếp đón để xác nhận thông tin.",
                              "This kiosk has no details for this number yet. You can still take a ticket; please "
                              "bring your card to the reception desk to confirm your details.")


def already_issued(number: str | None = None) -> Message:
    """The patient already holds an active ticket for this service today (its number if known)."""
    n = f" ({number})" if number else ""
    return Message("already_issued",
                   f"Ông/bà đã có số thứ tự cho dịch vụ này hôm nay{n}. Mời đến quầy tiếp đón nếu cần in lại.",
                   f"You already have a ticket for this service today{n}. Please ask at the desk to reprint it.")
