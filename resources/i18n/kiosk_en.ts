<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="vi_VN">
<context>
    <name>ChipStep</name>
    <message>
        <source>Đang kết nối với thẻ</source>
        <translation>Connecting to the card</translation>
    </message>
    <message>
        <source>Đang mở khóa chip</source>
        <translation>Unlocking the chip</translation>
    </message>
    <message>
        <source>Đang đọc danh mục dữ liệu</source>
        <translation>Reading the list of data</translation>
    </message>
    <message>
        <source>Đang đọc thông tin thẻ</source>
        <translation>Reading the card details</translation>
    </message>
    <message>
        <source>Đang đọc thông tin cá nhân</source>
        <translation>Reading the personal details</translation>
    </message>
    <message>
        <source>Đang đọc ảnh</source>
        <translation>Reading the photo</translation>
    </message>
    <message>
        <source>Đang đọc dữ liệu bảo mật</source>
        <translation>Reading the security data</translation>
    </message>
    <message>
        <source>Đang đọc chữ ký số của thẻ</source>
        <translation>Reading the card's digital signature</translation>
    </message>
    <message>
        <source>Đang xác thực thẻ</source>
        <translation>Verifying the card</translation>
    </message>
    <message>
        <source>Đã đọc xong</source>
        <translation>Finished reading</translation>
    </message>
    <message>
        <source>Đang đọc thẻ</source>
        <translation>Reading the card</translation>
    </message>
</context>
<context>
    <name>ConfirmScreen</name>
    <message>
        <source>Đọc từ mã QR</source>
        <translation>Read from the QR code</translation>
    </message>
    <message>
        <source>Đọc từ chip thẻ căn cước</source>
        <translation>Read from the ID card's chip</translation>
    </message>
    <message>
        <source>Theo số đã nhập</source>
        <translation>From the number you typed</translation>
    </message>
    <message>
        <source>Ông/bà có phải là người này?</source>
        <translation>Is this you?</translation>
    </message>
    <message>
        <source>Năm sinh</source>
        <translation>Year of birth</translation>
    </message>
    <message>
        <source>Số giấy tờ</source>
        <translation>Document number</translation>
    </message>
    <message>
        <source>Bảo hiểm y tế</source>
        <translation>Health insurance</translation>
    </message>
    <message>
        <source>Đúng, tiếp tục</source>
        <translation>Yes, continue</translation>
    </message>
    <message>
        <source>Không phải tôi</source>
        <translation>This is not me</translation>
    </message>
    <message>
        <source>Xin chờ trong giây lát.</source>
        <translation>Please wait a moment.</translation>
    </message>
    <message>
        <source>Xin chờ kiểm tra thẻ…</source>
        <translation>Please wait while the card is checked…</translation>
    </message>
    <message>
        <source>Thông tin trên có đúng là của ông/bà không?</source>
        <translation>Are these details yours?</translation>
    </message>
    <message>
        <source>Nếu đúng là ông/bà, xin bấm Đúng, tiếp tục.</source>
        <translation>If this is you, please press Yes, continue.</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <source>Số thứ tự của ông/bà đã được cấp và được giữ nguyên.</source>
        <translation>Your queue number has been issued and is kept.</translation>
    </message>
    <message>
        <source>Nhân viên đã được báo. Ông/bà có thể in lại, hoặc xem số trên màn hình.</source>
        <translation>Staff have been told. You can print again, or see the number on the screen.</translation>
    </message>
    <message>
        <source>In lại</source>
        <translation>Print again</translation>
    </message>
    <message>
        <source>Xem số trên màn hình</source>
        <translation>Show the number on screen</translation>
    </message>
    <message>
        <source>Ông/bà có thể thử lại ngay: quét lại mã, đặt lại thẻ, hoặc nhập số.</source>
        <translation>You can try again now: scan the code again, lay the card again, or type the number.</translation>
    </message>
    <message>
        <source>Đã hiểu</source>
        <translation>I understand</translation>
    </message>
    <message>
        <source>Thử lại</source>
        <translation>Try again</translation>
    </message>
</context>
<context>
    <name>IdleScreen</name>
    <message>
        <source>Xin mời ông/bà làm thủ tục khám bệnh</source>
        <translation>Welcome — please check in for your visit</translation>
    </message>
    <message>
        <source>Chọn một trong ba cách dưới đây</source>
        <translation>Choose one of the three ways below</translation>
    </message>
    <message>
        <source>Quét mã QR</source>
        <translation>Scan a QR code</translation>
    </message>
    <message>
        <source>Mã trên ứng dụng VNeID, thẻ căn cước (CCCD) hoặc thẻ BHYT: đưa mã vào ô quét, cách khoảng 10 cm.</source>
        <translation>The code in the VNeID app, on the citizen ID card (CCCD) or on the health-insurance card: hold it about 10 cm in front of the scanner window.</translation>
    </message>
    <message>
        <source>Đặt thẻ căn cước gắn chip</source>
        <translation>Lay your chip ID card down</translation>
    </message>
    <message>
        <source>Đặt thẻ lên đầu đọc thẻ và giữ yên cho đến khi đọc xong.</source>
        <translation>Lay the card on the card reader and keep it still until reading is finished.</translation>
    </message>
    <message>
        <source>Nhập số</source>
        <translation>Type a number</translation>
    </message>
    <message>
        <source>Số căn cước hoặc mã thẻ BHYT.</source>
        <translation>Your citizen ID number or health-insurance card code.</translation>
    </message>
    <message>
        <source>Bấm để nhập số</source>
        <translation>Tap to type the number</translation>
    </message>
    <message>
        <source>Cần giúp đỡ? Mời ông/bà đến quầy tiếp đón.</source>
        <translation>Need help? Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Xin mời quét mã QR, đặt thẻ căn cước lên đầu đọc, hoặc bấm để nhập số.</source>
        <translation>Please scan a QR code, lay your ID card on the reader, or tap to type a number.</translation>
    </message>
</context>
<context>
    <name>Insurance</name>
    <message>
        <source>Đang kiểm tra thẻ bảo hiểm y tế…</source>
        <translation>Checking the health-insurance card…</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế còn hiệu lực</source>
        <translation>The health-insurance card is valid</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế còn hiệu lực (lần khám này dùng thẻ mới)</source>
        <translation>The health-insurance card is valid (this visit uses your new card)</translation>
    </message>
    <message>
        <source>Chưa kiểm tra được thẻ bảo hiểm y tế lúc này. Ông/bà vẫn được khám; thẻ sẽ được kiểm tra lại sau.</source>
        <translation>The health-insurance card could not be checked right now. You will still be seen; the card will be checked again later.</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế cần được kiểm tra tại quầy tiếp đón</source>
        <translation>The health-insurance card needs to be checked at the reception desk</translation>
    </message>
    <message>
        <source>Không dùng thẻ bảo hiểm y tế (khám dịch vụ)</source>
        <translation>No health-insurance card used (fee-paying visit)</translation>
    </message>
</context>
<context>
    <name>KeypadScreen</name>
    <message>
        <source>Nhập số giấy tờ</source>
        <translation>Type your document number</translation>
    </message>
    <message>
        <source>12 số trên thẻ căn cước, hoặc mã thẻ BHYT (chữ cái bấm ABC).</source>
        <translation>The 12 digits on the citizen ID card, or the health-insurance card code (letters: press ABC).</translation>
    </message>
    <message>
        <source>Xóa hết</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>Quay lại</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Xong</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>PatientWindow</name>
    <message>
        <source>Chữ to</source>
        <translation>Large text</translation>
    </message>
    <message>
        <source>Tương phản cao</source>
        <translation>High contrast</translation>
    </message>
    <message>
        <source>Đọc to</source>
        <translation>Read aloud</translation>
    </message>
</context>
<context>
    <name>Printer</name>
    <message>
        <source>Máy in hết giấy</source>
        <translation>The printer is out of paper</translation>
    </message>
    <message>
        <source>Nắp máy in đang mở</source>
        <translation>The printer cover is open</translation>
    </message>
    <message>
        <source>Máy in không hoạt động</source>
        <translation>The printer is not working</translation>
    </message>
    <message>
        <source>Máy in bị lỗi</source>
        <translation>The printer has a fault</translation>
    </message>
    <message>
        <source>Máy in không phản hồi</source>
        <translation>The printer does not answer</translation>
    </message>
</context>
<context>
    <name>Priority</name>
    <message>
        <source>Người cao tuổi</source>
        <translation>Elderly person</translation>
    </message>
    <message>
        <source>Trẻ em dưới 6 tuổi</source>
        <translation>Child under 6</translation>
    </message>
    <message>
        <source>Phụ nữ có thai</source>
        <translation>Pregnant woman</translation>
    </message>
    <message>
        <source>Người khuyết tật</source>
        <translation>Person with a disability</translation>
    </message>
    <message>
        <source>Người có công với cách mạng</source>
        <translation>Person with merit to the revolution</translation>
    </message>
</context>
<context>
    <name>Problem</name>
    <message>
        <source>Chưa đọc được giấy tờ</source>
        <translation>The document could not be read</translation>
    </message>
    <message>
        <source>Thẻ đã bị nhấc ra</source>
        <translation>The card was moved away</translation>
    </message>
    <message>
        <source>Mã này không dùng được ở đây</source>
        <translation>This code cannot be used here</translation>
    </message>
    <message>
        <source>Số vừa nhập chưa đúng</source>
        <translation>The number you typed is not right</translation>
    </message>
    <message>
        <source>Không xác thực được thẻ</source>
        <translation>The card could not be verified</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế cần kiểm tra tại quầy</source>
        <translation>The insurance card must be checked at the desk</translation>
    </message>
    <message>
        <source>Ông/bà đã có số thứ tự hôm nay</source>
        <translation>You already have a queue number today</translation>
    </message>
    <message>
        <source>Chưa cấp được số thứ tự</source>
        <translation>No queue number could be issued</translation>
    </message>
    <message>
        <source>Đã quá thời gian chờ</source>
        <translation>The time ran out</translation>
    </message>
</context>
<context>
    <name>ReadingScreen</name>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Xin quét mã QR ở mặt trước thẻ căn cước</source>
        <translation>Please scan the QR code on the front of your ID card</translation>
    </message>
    <message>
        <source>Để đọc chip, ki-ốt cần mã QR in trên thẻ. Cứ để thẻ trên đầu đọc và đưa mã QR vào ô quét.</source>
        <translation>To read the chip the kiosk needs the QR code printed on the card. Leave the card on the reader and hold the QR code to the scanner.</translation>
    </message>
    <message>
        <source>Đang đọc thẻ căn cước</source>
        <translation>Reading your ID card</translation>
    </message>
    <message>
        <source>Xin giữ yên thẻ trên đầu đọc, không nhấc thẻ ra.</source>
        <translation>Please keep the card still on the reader; do not lift it.</translation>
    </message>
    <message>
        <source>Đang tìm thông tin của ông/bà</source>
        <translation>Looking up your details</translation>
    </message>
    <message>
        <source>Xin chờ trong giây lát.</source>
        <translation>Please wait a moment.</translation>
    </message>
    <message>
        <source>Bước {done}/{count}</source>
        <translation>Step {done} of {count}</translation>
    </message>
    <message>
        <source>Đang kết nối với thẻ</source>
        <translation>Connecting to the card</translation>
    </message>
    <message>
        <source>Thẻ đã bị nhấc ra. Xin đặt lại thẻ lên đầu đọc và giữ yên.</source>
        <translation>The card was moved away. Please lay it on the reader again and keep it still.</translation>
    </message>
    <message>
        <source>Xin giữ yên thẻ trên đầu đọc.</source>
        <translation>Please keep the card still on the reader.</translation>
    </message>
</context>
<context>
    <name>ServiceScreen</name>
    <message>
        <source>Mời ông/bà chọn nơi khám</source>
        <translation>Please choose where you will be seen</translation>
    </message>
    <message>
        <source>Ông/bà thuộc diện ưu tiên?</source>
        <translation>Do you qualify for priority?</translation>
    </message>
    <message>
        <source>Chọn nếu đúng; nhân viên có thể kiểm tra giấy tờ.</source>
        <translation>Choose only if it applies; staff may check your papers.</translation>
    </message>
    <message>
        <source>Khoa / phòng khám</source>
        <translation>Department / clinic</translation>
    </message>
    <message>
        <source>Quay lại</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Phòng {room}</source>
        <translation>Room {room}</translation>
    </message>
    <message>
        <source>Tái khám theo lịch hẹn</source>
        <translation>Booked follow-up</translation>
    </message>
    <message>
        <source>Ông/bà có lịch tái khám hôm nay (ngày {date}).</source>
        <translation>You have a follow-up appointment today ({date}).</translation>
    </message>
</context>
<context>
    <name>TicketScreen</name>
    <message>
        <source>Số thứ tự của ông/bà</source>
        <translation>Your queue number</translation>
    </message>
    <message>
        <source>Mã QR của phiếu</source>
        <translation>Ticket QR code</translation>
    </message>
    <message>
        <source>Xong</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Đang cấp số thứ tự…</source>
        <translation>Issuing your queue number…</translation>
    </message>
    <message>
        <source>Xin chờ trong giây lát.</source>
        <translation>Please wait a moment.</translation>
    </message>
    <message>
        <source>Mời ông/bà đến phòng {room}</source>
        <translation>Please go to room {room}</translation>
    </message>
    <message>
        <source>Thời gian chờ dự kiến: dưới 1 phút</source>
        <translation>Expected wait: under 1 minute</translation>
    </message>
    <message>
        <source>Thời gian chờ dự kiến: khoảng {n} phút</source>
        <translation>Expected wait: about {n} minutes</translation>
    </message>
    <message>
        <source>Ưu tiên: {category}</source>
        <translation>Priority: {category}</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế sẽ được kiểm tra lại tại quầy.</source>
        <translation>Your health-insurance card will be checked again at the desk.</translation>
    </message>
    <message>
        <source>Đang in phiếu…</source>
        <translation>Printing your ticket…</translation>
    </message>
    <message>
        <source>Xin nhận phiếu ở khe bên dưới.</source>
        <translation>Please take the ticket from the slot below.</translation>
    </message>
    <message>
        <source>Đã lấy số thành công</source>
        <translation>You are checked in</translation>
    </message>
    <message>
        <source>Máy in đang lỗi: xin ghi lại số này hoặc chụp ảnh màn hình.</source>
        <translation>The printer has a problem: please note this number or take a photo of the screen.</translation>
    </message>
    <message>
        <source>Chạm vào màn hình để kết thúc.</source>
        <translation>Touch the screen to finish.</translation>
    </message>
    <message>
        <source>Số của ông/bà là {number}. Mời đến phòng {room}.</source>
        <translation>Your number is {number}. Please go to room {room}.</translation>
    </message>
</context>
</TS>
