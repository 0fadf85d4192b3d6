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
        <source>Lần đầu đến khám? Ông/bà vẫn lấy được số</source>
        <translation>First visit? You can still take a ticket</translation>
    </message>
    <message>
        <source>Tiếp tục lấy số</source>
        <translation>Continue to a ticket</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Đây có phải là thông tin của trẻ đi cùng ông/bà?</source>
        <translation>Are these the details of the child with you?</translation>
    </message>
    <message>
        <source>Không phải</source>
        <translation>No, it is not</translation>
    </message>
    <message>
        <source>Người giám hộ đi cùng trẻ xin cho biết họ tên của mình khi vào khám.</source>
        <translation>The guardian with the child please gives their own name at the examination.</translation>
    </message>
    <message>
        <source>Người giám hộ trên thẻ: {name}</source>
        <translation>Guardian on the card: {name}</translation>
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
        <source>Máy in đang hết giấy hoặc bị lỗi. Ông/bà vẫn lấy được số thứ tự: số sẽ hiện trên màn hình để ghi lại.</source>
        <translation>The printer is out of paper or has a fault. You can still get a queue number: it is shown on the screen for you to write down.</translation>
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
        <source>Chưa kiểm tra được thẻ bảo hiểm y tế lúc này. Ông/bà vẫn được khám; thẻ sẽ được tự động kiểm tra lại, không cần đến quầy.</source>
        <translation>The health-insurance card could not be checked just now. You will still be seen; the card will be checked again automatically, no need to go to the desk.</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế cần kiểm tra tại quầy. Ông/bà vẫn lấy được số khám.</source>
        <translation>The health-insurance card needs a check at the desk. You still get a queue number.</translation>
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
    <name>Message</name>
    <message>
        <source>Bạn đã được cấp thẻ BHYT mới; thẻ mới sẽ được sử dụng.</source>
        <translation>A new insurance card was issued to you; the new card will be used.</translation>
    </message>
    <message>
        <source>Chưa có thông tin của số này trên máy. Vui lòng quét mã QR trên thẻ hoặc đến quầy tiếp đón.</source>
        <translation>This number is not known here yet. Please scan the QR code on your card or go to the desk.</translation>
    </message>
    <message>
        <source>Chưa cấp được số thứ tự. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>No ticket could be issued. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Chưa kiểm tra được thẻ BHYT lúc này. Bạn vẫn được tiếp nhận; quầy sẽ kiểm tra lại.</source>
        <translation>The insurance card could not be checked right now. You are received; the desk will re-check.</translation>
    </message>
    <message>
        <source>Chưa kiểm tra được thẻ BHYT lúc này; thẻ sẽ được tự động kiểm tra lại sau.</source>
        <translation>The insurance card could not be checked now; it will be checked again automatically later.</translation>
    </message>
    <message>
        <source>Chưa đọc được trọn mã. Xin đưa mã lại gần máy quét và giữ yên. Nếu vẫn không được, mời ông/bà báo nhân viên.</source>
        <translation>The code was only partly read. Please hold it still in front of the scanner again. If that does not help, please ask a staff member.</translation>
    </message>
    <message>
        <source>Các giấy tờ không cùng một người, vui lòng đến quầy tiếp đón.</source>
        <translation>The documents do not belong to the same person. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Họ tên không khớp hoàn toàn với thẻ BHYT. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The name partly does not match the card. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Họ tên không khớp hoàn toàn với thẻ BHYT. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The name does not fully match the insurance card. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Họ tên không khớp với thẻ BHYT. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The name does not match the insurance card. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Họ tên không khớp với thẻ BHYT. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The name does not match the insurance card. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Không có thẻ BHYT: khám dịch vụ (tự trả phí).</source>
        <translation>No insurance card: fee-paying visit.</translation>
    </message>
    <message>
        <source>Không nhận được dữ liệu, vui lòng quét lại.</source>
        <translation>Nothing was received. Please scan again.</translation>
    </message>
    <message>
        <source>Không tìm thấy thông tin thẻ BHYT. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>No insurance card information was found. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Không tìm thấy thông tin thẻ BHYT. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>No insurance card information was found. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Không xác thực được thẻ. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The card could not be verified. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Không đọc được dòng mã trên thẻ, vui lòng thử lại.</source>
        <translation>The machine-readable lines could not be read. Please try again.</translation>
    </message>
    <message>
        <source>Không đọc được dữ liệu trên chip của thẻ, vui lòng đến quầy tiếp đón.</source>
        <translation>The card chip's data could not be read. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Không đọc được giấy tờ, vui lòng thử lại hoặc đến quầy tiếp đón.</source>
        <translation>The document could not be read. Please try again or go to the reception desk.</translation>
    </message>
    <message>
        <source>Không đọc được giấy tờ, vui lòng đến quầy tiếp đón.</source>
        <translation>The document could not be read. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Không đọc được mã QR, vui lòng thử lại.</source>
        <translation>The QR code could not be read. Please try again.</translation>
    </message>
    <message>
        <source>Không đọc được mã VNeID, vui lòng mở lại mã trên ứng dụng.</source>
        <translation>The VNeID code could not be read. Please open the code in the app again.</translation>
    </message>
    <message>
        <source>Không đọc được mã. Vui lòng thử lại.</source>
        <translation>The code could not be read. Please try again.</translation>
    </message>
    <message>
        <source>Không đọc được đúng số thẻ. Vui lòng quét lại hoặc đến quầy tiếp đón.</source>
        <translation>The card number could not be read correctly. Please scan again or go to the desk.</translation>
    </message>
    <message>
        <source>Máy chưa có thông tin của số này. Ông/bà vẫn lấy được số thứ tự; mời mang giấy tờ đến quầy tiếp đón để xác nhận thông tin.</source>
        <translation>This kiosk has no details for this number yet. You can still take a ticket; please bring your card to the reception desk to confirm your details.</translation>
    </message>
    <message>
        <source>Máy chưa đọc được mã VNeID. Vui lòng dùng thẻ CCCD hoặc thẻ BHYT.</source>
        <translation>VNeID codes cannot be used here yet. Please use your CCCD or insurance card.</translation>
    </message>
    <message>
        <source>Máy quét chưa đọc đúng tiếng Việt. Vui lòng báo nhân viên hỗ trợ.</source>
        <translation>The scanner could not read Vietnamese text. Please ask a staff member for help.</translation>
    </message>
    <message>
        <source>Máy tạm ngừng nhận đăng ký: bộ nhớ sắp đầy. Xin mời đến quầy tiếp đón.</source>
        <translation>Check-in is paused: the kiosk's storage is nearly full. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Máy tạm thời không kiểm tra được thẻ. Vui lòng đến quầy tiếp đón.</source>
        <translation>The kiosk cannot check cards at the moment. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Máy đang bảo trì. Xin mời đến quầy tiếp đón.</source>
        <translation>The kiosk is under maintenance. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Máy đang bảo trì: bộ nhớ đã đầy. Xin mời đến quầy tiếp đón.</source>
        <translation>The kiosk is under maintenance: its storage is full. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Mã QR không khớp với thẻ trên đầu đọc. Vui lòng nhấc thẻ ra, quét mã QR trên mặt trước của chính thẻ đó rồi đặt lại thẻ.</source>
        <translation>The QR code does not match the card on the reader. Please lift the card, scan the QR code on the front of that card, then lay it down again.</translation>
    </message>
    <message>
        <source>Mã QR trên thẻ bảo hiểm y tế không hợp lệ, vui lòng thử lại.</source>
        <translation>The QR code on the health-insurance card is not valid. Please try again.</translation>
    </message>
    <message>
        <source>Mã QR trên thẻ căn cước không hợp lệ, vui lòng thử lại.</source>
        <translation>The QR code on the citizen ID card is not valid. Please try again.</translation>
    </message>
    <message>
        <source>Mã này không mở được chip của thẻ. Vui lòng quét mã QR ở mặt trước thẻ căn cước.</source>
        <translation>This code cannot open the card's chip. Please scan the QR code on the front of your citizen identity card.</translation>
    </message>
    <message>
        <source>Mã quyền lợi trên thẻ BHYT không đúng. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The benefit code on the card is wrong. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Mã số bảo hiểm xã hội không hợp lệ, vui lòng kiểm tra lại.</source>
        <translation>The social-insurance number is not valid. Please check it.</translation>
    </message>
    <message>
        <source>Mã thẻ bảo hiểm y tế không hợp lệ, vui lòng kiểm tra lại.</source>
        <translation>The health-insurance card code is not valid. Please check it.</translation>
    </message>
    <message>
        <source>Mã tỉnh trên thẻ BHYT không đúng. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The province code on the card is wrong. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Ngày sinh không khớp với thẻ BHYT. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The date of birth does not match the card. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Ngày sinh không khớp với thẻ BHYT. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The date of birth does not match the insurance card. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Ngày tháng trên giấy tờ không hợp lệ, vui lòng đến quầy tiếp đón.</source>
        <translation>A date on the document is not valid. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Số chứng minh nhân dân không hợp lệ, vui lòng kiểm tra lại.</source>
        <translation>The old ID card number is not valid. Please check it.</translation>
    </message>
    <message>
        <source>Số căn cước không hợp lệ, vui lòng kiểm tra lại.</source>
        <translation>The citizen ID number is not valid. Please check it.</translation>
    </message>
    <message>
        <source>Số giấy tờ không hợp lệ, vui lòng kiểm tra lại.</source>
        <translation>The document number is not valid. Please check it.</translation>
    </message>
    <message>
        <source>Số thẻ BHYT không đúng. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The insurance card number is wrong. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Thông tin trên thẻ căn cước không khớp, vui lòng đến quầy tiếp đón.</source>
        <translation>The citizen ID card details do not match. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Thẻ BHYT cần được kiểm tra tại quầy. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The insurance card needs a check at the desk. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Thẻ BHYT hợp lệ (đã có thẻ mới, sẽ dùng thẻ mới).</source>
        <translation>Insurance card valid (a new card was issued; the new card is used).</translation>
    </message>
    <message>
        <source>Thẻ BHYT hợp lệ.</source>
        <translation>Insurance card valid.</translation>
    </message>
    <message>
        <source>Thẻ BHYT đã bị thu hồi. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The insurance card has been revoked. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Thẻ BHYT đã bị thu hồi. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The insurance card was revoked. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Thẻ BHYT đã hết hạn. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The insurance card has expired. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Thẻ BHYT đã hết hạn. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The insurance card has expired. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Thẻ BHYT đã được báo giảm. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The insurance card was reported reduced. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Thẻ đã bị nhấc ra. Vui lòng đặt lại thẻ lên đầu đọc.</source>
        <translation>The card was moved away. Please lay it on the reader again.</translation>
    </message>
    <message>
        <source>Trẻ em chưa có thẻ BHYT. Mời ông/bà đến quầy tiếp đón.</source>
        <translation>The child has no insurance card yet. Please go to the reception desk.</translation>
    </message>
    <message>
        <source>Trẻ em chưa có thẻ BHYT. Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>The child has no insurance card yet. Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Vui lòng đến quầy tiếp đón để được hỗ trợ.</source>
        <translation>Please go to the reception desk for help.</translation>
    </message>
    <message>
        <source>Xin quét lại giấy tờ của chính ông/bà. Nếu thông tin vẫn sai, mời ông/bà đến quầy tiếp đón: nhân viên sẽ giúp.</source>
        <translation>Please scan your own document again. If the details are still wrong, please go to the reception desk: the staff will help you.</translation>
    </message>
    <message>
        <source>Đang kiểm tra thẻ BHYT…</source>
        <translation>Checking the health-insurance card…</translation>
    </message>
    <message>
        <source>Đọc thẻ quá lâu. Vui lòng thử lại.</source>
        <translation>Reading took too long. Please try again.</translation>
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
    <message>
        <source>Ông/bà còn ở đây không? Xin chạm vào màn hình để tiếp tục.</source>
        <translation>Are you still there? Please touch the screen to continue.</translation>
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
        <source>Máy chưa có thông tin của số này</source>
        <translation>This kiosk has no details for this number yet</translation>
    </message>
    <message>
        <source>Thông tin vừa rồi không phải của ông/bà</source>
        <translation>The details shown were not yours</translation>
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
        <source>Ông/bà đã có số cho khoa này hôm nay</source>
        <translation>You already have a number for this clinic today</translation>
    </message>
    <message>
        <source>Ưu tiên theo tuổi được áp dụng tự động.</source>
        <translation>Priority by age is applied automatically.</translation>
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
        <source>Khám dịch vụ (tự trả phí): mời ông/bà qua quầy tiếp đón để đóng phí trước khi vào phòng khám.</source>
        <translation>Fee-paying visit: please pay at the reception desk before going to the consulting room.</translation>
    </message>
    <message>
        <source>Mời ông/bà mang thẻ căn cước hoặc thẻ BHYT đến quầy tiếp đón để xác nhận thông tin trước khi vào phòng khám.</source>
        <translation>Please bring your ID card or health-insurance card to the reception desk to confirm your details before going to the clinic.</translation>
    </message>
    <message>
        <source>Mời ông/bà qua quầy tiếp đón để kiểm tra thẻ bảo hiểm y tế trước khi vào phòng khám.</source>
        <translation>Please have your health-insurance card checked at the reception desk before going to the consulting room.</translation>
    </message>
    <message>
        <source>Thẻ bảo hiểm y tế sẽ được tự động kiểm tra lại; ông/bà không cần đến quầy.</source>
        <translation>The health-insurance card will be checked again automatically; you need not go to the desk.</translation>
    </message>
    <message>
        <source>Trẻ dưới 6 tuổi: người giám hộ đi cùng trẻ xin cho biết họ tên của mình khi vào khám.</source>
        <translation>Child under 6: the guardian with the child please gives their own name at the examination.</translation>
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
        <source>Khi đã ghi lại số, xin bấm “Tôi đã ghi nhớ”.</source>
        <translation>When you have written the number down, please press “I have noted it”.</translation>
    </message>
    <message>
        <source>Tôi đã ghi nhớ</source>
        <translation>I have noted it</translation>
    </message>
    <message>
        <source>Số của ông/bà là {number}. Mời đến phòng {room}.</source>
        <translation>Your number is {number}. Please go to room {room}.</translation>
    </message>
</context>
</TS>
