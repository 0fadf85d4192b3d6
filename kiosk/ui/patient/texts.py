"""Patient texts for the core's enums (insurance status, priority categories, problems, printer faults).

Vietnamese source strings marked for lupdate with QT_TRANSLATE_NOOP; looked up at render time so a
language switch re-reads them.
"""
from __future__ import annotations

from kiosk.core.views import InsuranceStatus, PrinterFaultKind, PriorityCategory, ProblemKind
from kiosk.ui.qt import QCoreApplication, QT_TRANSLATE_NOOP

_INSURANCE = {
    InsuranceStatus.CHECKING: ("warn", QT_TRANSLATE_NOOP("Insurance", "Đang kiểm tra thẻ bảo hiểm y tế…")),
    InsuranceStatus.VALID: ("good", QT_TRANSLATE_NOOP("Insurance", "Thẻ bảo hiểm y tế còn hiệu lực")),
    InsuranceStatus.VALID_NEW_CARD: ("good", QT_TRANSLATE_NOOP(
        "Insurance", "Thẻ bảo hiểm y tế còn hiệu lực (lần khám này dùng thẻ mới)")),
    InsuranceStatus.PROVISIONAL: ("warn", QT_TRANSLATE_NOOP(
        "Insurance", "Chưa kiểm tra được thẻ bảo hiểm y tế lúc này. Ông/bà vẫn được khám; "
                     "thẻ sẽ được tự động kiểm tra lại, không cần đến quầy.")),
    # never red next to a green "continue": the patient still gets a ticket (issue 14 B3)
    InsuranceStatus.NEEDS_DESK: ("warn", QT_TRANSLATE_NOOP(
        "Insurance", "Thẻ bảo hiểm y tế cần kiểm tra tại quầy. Ông/bà vẫn lấy được số khám.")),
    InsuranceStatus.NO_CARD: ("warn", QT_TRANSLATE_NOOP(
        "Insurance", "Không dùng thẻ bảo hiểm y tế (khám dịch vụ)")),
}

_PRIORITY = {
    PriorityCategory.ELDERLY: QT_TRANSLATE_NOOP("Priority", "Người cao tuổi"),
    PriorityCategory.CHILD: QT_TRANSLATE_NOOP("Priority", "Trẻ em dưới 6 tuổi"),
    PriorityCategory.PREGNANT: QT_TRANSLATE_NOOP("Priority", "Phụ nữ có thai"),
    PriorityCategory.DISABILITY: QT_TRANSLATE_NOOP("Priority", "Người khuyết tật"),
    PriorityCategory.MERIT: QT_TRANSLATE_NOOP("Priority", "Người có công với cách mạng"),
}
PRIORITY_ICONS = {
    PriorityCategory.ELDERLY: "elderly", PriorityCategory.CHILD: "child",
    PriorityCategory.PREGNANT: "pregnancy", PriorityCategory.DISABILITY: "disability",
    PriorityCategory.MERIT: "merit",
}

_PROBLEM_TITLE = {
    ProblemKind.UNREADABLE: QT_TRANSLATE_NOOP("Problem", "Chưa đọc được giấy tờ"),
    ProblemKind.CARD_REMOVED: QT_TRANSLATE_NOOP("Problem", "Thẻ đã bị nhấc ra"),
    ProblemKind.UNSUPPORTED: QT_TRANSLATE_NOOP("Problem", "Mã này không dùng được ở đây"),
    ProblemKind.INVALID_NUMBER: QT_TRANSLATE_NOOP("Problem", "Số vừa nhập chưa đúng"),
    ProblemKind.NOT_KNOWN: QT_TRANSLATE_NOOP("Problem", "Máy chưa có thông tin của số này"),
    ProblemKind.NOT_ME: QT_TRANSLATE_NOOP("Problem", "Thông tin vừa rồi không phải của ông/bà"),
    ProblemKind.REJECTED: QT_TRANSLATE_NOOP("Problem", "Không xác thực được thẻ"),
    ProblemKind.CARD_NEEDS_DESK: QT_TRANSLATE_NOOP("Problem", "Thẻ bảo hiểm y tế cần kiểm tra tại quầy"),
    ProblemKind.ALREADY_ISSUED: QT_TRANSLATE_NOOP("Problem", "Ông/bà đã có số thứ tự hôm nay"),
    ProblemKind.ISSUE_FAILED: QT_TRANSLATE_NOOP("Problem", "Chưa cấp được số thứ tự"),
    ProblemKind.TIMEOUT: QT_TRANSLATE_NOOP("Problem", "Đã quá thời gian chờ"),
}

_PRINTER = {
    PrinterFaultKind.PAPER_OUT: QT_TRANSLATE_NOOP("Printer", "Máy in hết giấy"),
    PrinterFaultKind.COVER_OPEN: QT_TRANSLATE_NOOP("Printer", "Nắp máy in đang mở"),
    PrinterFaultKind.OFFLINE: QT_TRANSLATE_NOOP("Printer", "Máy in không hoạt động"),
    PrinterFaultKind.ERROR: QT_TRANSLATE_NOOP("Printer", "Máy in bị lỗi"),
    PrinterFaultKind.TIMEOUT: QT_TRANSLATE_NOOP("Printer", "Máy in không phản hồi"),
}


def insurance(status: InsuranceStatus) -> tuple[str, str]:
    """(theme role, plain words) for an insurance status."""
    role, text = _INSURANCE[status]
    return role, QCoreApplication.translate("Insurance", text)


def priority(category: PriorityCategory) -> str:
    return QCoreApplication.translate("Priority", _PRIORITY[category])


def problem_title(kind: ProblemKind) -> str:
    return QCoreApplication.translate("Problem", _PROBLEM_TITLE.get(kind, _PROBLEM_TITLE[ProblemKind.UNREADABLE]))


def printer_fault(kind: PrinterFaultKind) -> str:
    return QCoreApplication.translate("Printer", _PRINTER.get(kind, _PRINTER[PrinterFaultKind.ERROR]))
