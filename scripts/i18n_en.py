"""English for the kiosk's Vietnamese source strings: `python scripts/i18n_en.py` refreshes
resources/i18n/kiosk_en.ts with pyside6-lupdate, fills the translations below, and lists any
source string still untranslated (exit 1). The .ts file is the source of truth that is shipped;
this table is how we keep it filled when strings are added.

After lupdate it also writes the "Message" context: every static patient message of the Qt-free
core (kiosk.core.views.Message pairs, code tables, identity error classes, health texts) with the
Vietnamese as source and the pair's English as translation, so the UI can show them through Qt
(`UiContext.message`). Texts built at run time (dates, numbers) keep their own English."""
from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "i18n" / "kiosk_en.ts"
MESSAGE_CONTEXT = "Message"    # = kiosk.ui.patient.base.MESSAGE_CONTEXT

EN = {
    "Đang kết nối với thẻ": "Connecting to the card",
    "Đang mở khóa chip": "Unlocking the chip",
    "Đang đọc danh mục dữ liệu": "Reading the list of data",
    "Đang đọc thông tin thẻ": "Reading the card details",
    "Đang đọc thông tin cá nhân": "Reading the personal details",
    "Đang đọc ảnh": "Reading the photo",
    "Đang đọc dữ liệu bảo mật": "Reading the security data",
    "Đang đọc chữ ký số của thẻ": "Reading the card's digital signature",
    "Đang xác thực thẻ": "Verifying the card",
    "Đã đọc xong": "Finished reading",
    "Đang đọc thẻ": "Reading the card",
    "Xin quét mã QR ở mặt trước thẻ căn cước": "Please scan the QR code on the front of your ID card",
    "Để đọc chip, ki-ốt cần mã QR in trên thẻ. Cứ để thẻ trên đầu đọc và đưa mã QR vào ô quét.":
        "To read the chip the kiosk needs the QR code printed on the card. Leave the card on the reader "
        "and hold the QR code to the scanner.",
    "Đọc từ mã QR": "Read from the QR code",
    "Đọc từ chip thẻ căn cước": "Read from the ID card's chip",
    "Theo số đã nhập": "From the number you typed",
    "Ông/bà có phải là người này?": "Is this you?",
    "Năm sinh": "Year of birth",
    "Số giấy tờ": "Document number",
    "Bảo hiểm y tế": "Health insurance",
    "Đúng, tiếp tục": "Yes, continue",
    "Không phải tôi": "This is not me",
    "Xin chờ trong giây lát.": "Please wait a moment.",
    "Xin chờ kiểm tra thẻ…": "Please wait while the card is checked…",
    "Thông tin trên có đúng là của ông/bà không?": "Are these details yours?",
    "Khi đã ghi lại số, xin bấm “Tôi đã ghi nhớ”.": "When you have written the number down, please press “I have noted it”.",
    "Tôi đã ghi nhớ": "I have noted it",
    "Ông/bà đã có số cho khoa này hôm nay": "You already have a number for this clinic today",
    "Ông/bà còn ở đây không? Xin chạm vào màn hình để tiếp tục.":
        "Are you still there? Please touch the screen to continue.",
    "Thông tin vừa rồi không phải của ông/bà": "The details shown were not yours",
    "Ưu tiên theo tuổi được áp dụng tự động.": "Priority by age is applied automatically.",
    "Xin quét lại giấy tờ của chính ông/bà. Nếu thông tin vẫn sai, mời ông/bà đến quầy tiếp đón: nhân viên sẽ giúp.":
        "Please scan your own document again. If the details are still wrong, please go to the "
        "reception desk: the staff will help you.",
    "Máy chưa có thông tin của số này": "This kiosk has no details for this number yet",
    "Máy in đang hết giấy hoặc bị lỗi. Ông/bà vẫn lấy được số thứ tự: số sẽ hiện trên màn hình để ghi lại.":
        "The printer is out of paper or has a fault. You can still get a queue number: it is shown on "
        "the screen for you to write down.",
    "Thẻ bảo hiểm y tế cần kiểm tra tại quầy. Ông/bà vẫn lấy được số khám.":
        "The health-insurance card needs a check at the desk. You still get a queue number.",
    "Khám dịch vụ (tự trả phí): mời ông/bà qua quầy tiếp đón để đóng phí trước khi vào phòng khám.":
        "Fee-paying visit: please pay at the reception desk before going to the consulting room.",
    "Mời ông/bà qua quầy tiếp đón để kiểm tra thẻ bảo hiểm y tế trước khi vào phòng khám.":
        "Please have your health-insurance card checked at the reception desk before going to the "
        "consulting room.",
    "Thẻ bảo hiểm y tế sẽ được tự động kiểm tra lại; ông/bà không cần đến quầy.":
        "The health-insurance card will be checked again automatically; you need not go to the desk.",
    "Chưa kiểm tra được thẻ bảo hiểm y tế lúc này. Ông/bà vẫn được khám; thẻ sẽ được tự động kiểm tra lại, không cần đến quầy.":
        "The health-insurance card could not be checked just now. You will still be seen; the card "
        "will be checked again automatically, no need to go to the desk.",
    "Chưa đọc được trọn mã. Xin đưa mã lại gần máy quét và giữ yên. Nếu vẫn không được, mời ông/bà báo nhân viên.":
        "The code was only partly read. Please hold it still in front of the scanner again. If that "
        "does not help, please ask a staff member.",
    "Nếu đúng là ông/bà, xin bấm Đúng, tiếp tục.": "If this is you, please press Yes, continue.",
    "Số thứ tự của ông/bà đã được cấp và được giữ nguyên.": "Your queue number has been issued and is kept.",
    "Nhân viên đã được báo. Ông/bà có thể in lại, hoặc xem số trên màn hình.":
        "Staff have been told. You can print again, or see the number on the screen.",
    "In lại": "Print again",
    "Xem số trên màn hình": "Show the number on screen",
    "Ông/bà có thể thử lại ngay: quét lại mã, đặt lại thẻ, hoặc nhập số.":
        "You can try again now: scan the code again, lay the card again, or type the number.",
    "Đã hiểu": "I understand",
    "Thử lại": "Try again",
    "Xin mời ông/bà làm thủ tục khám bệnh": "Welcome — please check in for your visit",
    "Chọn một trong ba cách dưới đây": "Choose one of the three ways below",
    "Quét mã QR": "Scan a QR code",
    "Mã trên ứng dụng VNeID, thẻ căn cước (CCCD) hoặc thẻ BHYT: đưa mã vào ô quét, cách khoảng 10 cm.":
        "The code in the VNeID app, on the citizen ID card (CCCD) or on the health-insurance card: "
        "hold it about 10 cm in front of the scanner window.",
    "Đặt thẻ căn cước gắn chip": "Lay your chip ID card down",
    "Đặt thẻ lên đầu đọc thẻ và giữ yên cho đến khi đọc xong.":
        "Lay the card on the card reader and keep it still until reading is finished.",
    "Nhập số": "Type a number",
    "Số căn cước hoặc mã thẻ BHYT.": "Your citizen ID number or health-insurance card code.",
    "Bấm để nhập số": "Tap to type the number",
    "Cần giúp đỡ? Mời ông/bà đến quầy tiếp đón.": "Need help? Please go to the reception desk.",
    "Xin mời quét mã QR, đặt thẻ căn cước lên đầu đọc, hoặc bấm để nhập số.":
        "Please scan a QR code, lay your ID card on the reader, or tap to type a number.",
    "Đang kiểm tra thẻ bảo hiểm y tế…": "Checking the health-insurance card…",
    "Thẻ bảo hiểm y tế còn hiệu lực": "The health-insurance card is valid",
    "Thẻ bảo hiểm y tế còn hiệu lực (lần khám này dùng thẻ mới)":
        "The health-insurance card is valid (this visit uses your new card)",
    "Chưa kiểm tra được thẻ bảo hiểm y tế lúc này. Ông/bà vẫn được khám; thẻ sẽ được kiểm tra lại sau.":
        "The health-insurance card could not be checked right now. You will still be seen; "
        "the card will be checked again later.",
    "Thẻ bảo hiểm y tế cần được kiểm tra tại quầy tiếp đón":
        "The health-insurance card needs to be checked at the reception desk",
    "Không dùng thẻ bảo hiểm y tế (khám dịch vụ)": "No health-insurance card used (fee-paying visit)",
    "Nhập số giấy tờ": "Type your document number",
    "12 số trên thẻ căn cước, hoặc mã thẻ BHYT (chữ cái bấm ABC).":
        "The 12 digits on the citizen ID card, or the health-insurance card code (letters: press ABC).",
    "Xóa hết": "Clear",
    "Quay lại": "Back",
    "Xong": "Done",
    "Chữ to": "Large text",
    "Tương phản cao": "High contrast",
    "Đọc to": "Read aloud",
    "Máy in hết giấy": "The printer is out of paper",
    "Nắp máy in đang mở": "The printer cover is open",
    "Máy in không hoạt động": "The printer is not working",
    "Máy in bị lỗi": "The printer has a fault",
    "Máy in không phản hồi": "The printer does not answer",
    "Người cao tuổi": "Elderly person",
    "Trẻ em dưới 6 tuổi": "Child under 6",
    "Phụ nữ có thai": "Pregnant woman",
    "Người khuyết tật": "Person with a disability",
    "Người có công với cách mạng": "Person with merit to the revolution",
    "Chưa đọc được giấy tờ": "The document could not be read",
    "Thẻ đã bị nhấc ra": "The card was moved away",
    "Mã này không dùng được ở đây": "This code cannot be used here",
    "Số vừa nhập chưa đúng": "The number you typed is not right",
    "Không xác thực được thẻ": "The card could not be verified",
    "Thẻ bảo hiểm y tế cần kiểm tra tại quầy": "The insurance card must be checked at the desk",
    "Ông/bà đã có số thứ tự hôm nay": "You already have a queue number today",
    "Chưa cấp được số thứ tự": "No queue number could be issued",
    "Đã quá thời gian chờ": "The time ran out",
    "Hủy": "Cancel",
    "Đang đọc thẻ căn cước": "Reading your ID card",
    "Xin giữ yên thẻ trên đầu đọc, không nhấc thẻ ra.": "Please keep the card still on the reader; do not lift it.",
    "Đang tìm thông tin của ông/bà": "Looking up your details",
    "Bước {done}/{count}": "Step {done} of {count}",
    "Thẻ đã bị nhấc ra. Xin đặt lại thẻ lên đầu đọc và giữ yên.":
        "The card was moved away. Please lay it on the reader again and keep it still.",
    "Xin giữ yên thẻ trên đầu đọc.": "Please keep the card still on the reader.",
    "Mời ông/bà chọn nơi khám": "Please choose where you will be seen",
    "Ông/bà thuộc diện ưu tiên?": "Do you qualify for priority?",
    "Chọn nếu đúng; nhân viên có thể kiểm tra giấy tờ.": "Choose only if it applies; staff may check your papers.",
    "Khoa / phòng khám": "Department / clinic",
    "Phòng {room}": "Room {room}",
    "Tái khám theo lịch hẹn": "Booked follow-up",
    "Ông/bà có lịch tái khám hôm nay (ngày {date}).": "You have a follow-up appointment today ({date}).",
    "Số thứ tự của ông/bà": "Your queue number",
    "Mã QR của phiếu": "Ticket QR code",
    "Đang cấp số thứ tự…": "Issuing your queue number…",
    "Mời ông/bà đến phòng {room}": "Please go to room {room}",
    "Thời gian chờ dự kiến: dưới 1 phút": "Expected wait: under 1 minute",
    "Thời gian chờ dự kiến: khoảng {n} phút": "Expected wait: about {n} minutes",
    "Ưu tiên: {category}": "Priority: {category}",
    "Thẻ bảo hiểm y tế sẽ được kiểm tra lại tại quầy.": "Your health-insurance card will be checked again at the desk.",
    "Đang in phiếu…": "Printing your ticket…",
    "Xin nhận phiếu ở khe bên dưới.": "Please take the ticket from the slot below.",
    "Đã lấy số thành công": "You are checked in",
    "Máy in đang lỗi: xin ghi lại số này hoặc chụp ảnh màn hình.":
        "The printer has a problem: please note this number or take a photo of the screen.",
    "Chạm vào màn hình để kết thúc.": "Touch the screen to finish.",
    "Số của ông/bà là {number}. Mời đến phòng {room}.": "Your number is {number}. Please go to room {room}.",
    # issue 14 M7 (a first visit by a typed number) and minor 6 (a child's guardian)
    "Lần đầu đến khám? Ông/bà vẫn lấy được số": "First visit? You can still take a ticket",
    "Tiếp tục lấy số": "Continue to a ticket",
    "Hủy": "Cancel",
    "Đây có phải là thông tin của trẻ đi cùng ông/bà?": "Are these the details of the child with you?",
    "Không phải": "No, it is not",
    "Trẻ dưới 6 tuổi: người giám hộ đi cùng trẻ xin cho biết họ tên của mình khi vào khám.":
        "Child under 6: the guardian with the child please gives their own name at the examination.",
    "Người giám hộ đi cùng trẻ xin cho biết họ tên của mình khi vào khám.":
        "The guardian with the child please gives their own name at the examination.",
    "Người giám hộ trên thẻ: {name}": "Guardian on the card: {name}",
    "Mời ông/bà mang thẻ căn cước hoặc thẻ BHYT đến quầy tiếp đón để xác nhận thông tin trước khi vào phòng khám.":
        "Please bring your ID card or health-insurance card to the reception desk to confirm your details "
        "before going to the clinic.",
}


def lupdate() -> None:
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kiosk" / "ui").rglob("*.py"))
    subprocess.run([str(tool), *sources, "-no-obsolete", "-locations", "none",
                    "-source-language", "vi_VN", "-target-language", "en_GB", "-ts", str(TS)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def fill() -> list[str]:
    tree = ET.parse(TS)
    missing = []
    for message in tree.iter("message"):
        source = message.find("source").text or ""
        translation = message.find("translation")
        english = EN.get(source)
        if english is None:
            if not (translation.text or "").strip():
                missing.append(source)
            continue
        translation.text = english
        translation.attrib.pop("type", None)
    _write(tree)
    return missing


class MessageConflict(ValueError):
    """One Vietnamese source with two different English texts: one .ts entry cannot hold both."""


def _add(out: dict[str, str], vi: str, en: str, origin: str) -> None:
    if not vi or not en:
        return
    if out.get(vi, en) != en:
        raise MessageConflict(f"{origin}: {vi!r} has two English texts: {out[vi]!r} / {en!r}")
    out[vi] = en


def _literal_messages(path: Path) -> list[tuple[str, str, str]]:
    """Static `Message("code", "vi", "en")` calls and `_MESSAGES = {code: (vi, en)}` tables of a
    module read as source (modules outside core/gateway/identity are not imported)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message" and len(node.args) == 3:
            args = node.args
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                found.append((args[0].value, args[1].value, args[2].value))
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_MESSAGES" for t in node.targets):
            for code, (vi, en) in ast.literal_eval(node.value).items():
                found.append((code, vi, en))
    return found


LITERAL_SOURCES = ("kiosk/devices/chip_watch.py", "kiosk/checkin/resolver.py", "kiosk/ops/health.py")


def static_messages() -> dict[str, str]:
    """{vi: en} of every static patient message the core can produce."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from kiosk.core import eligibility, messages
    from kiosk.core.views import Message
    from kiosk.gateway import results
    from kiosk.identity import errors

    import importlib
    import pkgutil

    import kiosk.core
    import kiosk.identity

    out: dict[str, str] = {}
    # every core/identity module: Message constants anywhere in core, IdentityError subclasses
    # defined outside errors.py (kiosk.identity.chip's ChipDataError...)
    modules = [messages]
    for package in (kiosk.core, kiosk.identity):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, Message):
                _add(out, value.vi, value.en, f"{module.__name__}.{name}")
    for code, info in [*results.CARD_CODES.items(), ("unknown", results.UNKNOWN_CODE_INFO)]:
        _add(out, info.message_vi, info.message_en, f"kiosk.gateway.results code {code}")
    # eligibility.view_of over every verdict, and every code of both tables (no dates: static)
    codes = sorted(set(results.CARD_CODES) | set(eligibility._DESK)) + [None]
    views = [eligibility.no_card(), eligibility.provisional()]
    for verdict in results.Verdict:
        for code in codes:
            info = results.code_info(code) if code else None
            views.append(eligibility.view_of(eligibility.CardAnswer(
                verdict.name, code, message_vi=info.message_vi if info else "",
                message_en=info.message_en if info else "")))
    for view in views:
        _add(out, view.message.vi, view.message.en, f"kiosk.core.eligibility {view.message.code}")
    classes, todo = set(errors.ALL_ERRORS), [errors.IdentityError]
    while todo:
        cls = todo.pop()
        classes.add(cls)
        todo += cls.__subclasses__()
    for cls in sorted(classes, key=lambda k: k.__name__):
        _add(out, cls.vi, cls.en, f"kiosk.identity.errors.{cls.__name__}")
    for rel in LITERAL_SOURCES:
        for code, vi, en in _literal_messages(ROOT / rel):
            _add(out, vi, en, f"{rel} {code}")
    return out


def write_message_context(pairs: dict[str, str]) -> None:
    """Replace the "Message" context of the .ts with `pairs`, sorted by source, contexts in name order."""
    tree = ET.parse(TS)
    ts = tree.getroot()
    for ctx in ts.findall("context"):
        if ctx.findtext("name") == MESSAGE_CONTEXT:
            ts.remove(ctx)
    ctx = ET.Element("context")
    ctx.text = "\n    "
    name = ET.SubElement(ctx, "name")
    name.text = MESSAGE_CONTEXT
    name.tail = "\n    "
    items = sorted(pairs.items())
    for i, (vi, en) in enumerate(items):
        message = ET.SubElement(ctx, "message")
        message.text = "\n        "
        source = ET.SubElement(message, "source")
        source.text, source.tail = vi, "\n        "
        translation = ET.SubElement(message, "translation")
        translation.text, translation.tail = en, "\n    "
        message.tail = "\n    " if i < len(items) - 1 else "\n"
    if not items:
        name.tail = "\n"
    ctx.tail = "\n"
    contexts = ts.findall("context")
    position = next((i for i, c in enumerate(contexts) if (c.findtext("name") or "") > MESSAGE_CONTEXT),
                    len(contexts))
    ts.insert(list(ts).index(contexts[position]) if position < len(contexts) else len(ts), ctx)
    _write(tree)


def _write(tree: ET.ElementTree) -> None:
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    text = TS.read_text(encoding="utf-8").replace("<?xml version='1.0' encoding='utf-8'?>",
                                                   '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>')
    TS.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


if __name__ == "__main__":
    if "--no-lupdate" not in sys.argv:
        lupdate()
    missing = fill()
    write_message_context(static_messages())
    for source in missing:
        print(f"untranslated: {source!r}")
    sys.exit(1 if missing else 0)
