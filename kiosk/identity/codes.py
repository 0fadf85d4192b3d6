"""Reference code lists: provinces (as used in CCCD numbers and BHYT codes) and BHYT groups.

Provinces: the 63 provincial codes of the national administrative-unit list (QĐ 124/2004/QĐ-TTg),
used zero-padded to 3 digits as the first digits of CCCD numbers (Thông tư 07/2016/TT-BCA,
59/2021/TT-BCA) and as 2 digits in BHYT card codes and MA_DKBD. The 2025 province mergers do not
renumber CCCD numbers already issued, so the 63-code list stays the validation list.
"""
from __future__ import annotations

PROVINCES: dict[str, str] = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang",
    "10": "Lào Cai", "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái",
    "17": "Hòa Bình", "19": "Thái Nguyên", "20": "Lạng Sơn", "22": "Quảng Ninh", "24": "Bắc Giang",
    "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh", "30": "Hải Dương", "31": "Hải Phòng",
    "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định", "37": "Ninh Bình",
    "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình", "45": "Quảng Trị",
    "46": "Thừa Thiên Huế", "48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "52": "Bình Định",
    "54": "Phú Yên", "56": "Khánh Hòa", "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum",
    "64": "Gia Lai", "66": "Đắk Lắk", "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước",
    "72": "Tây Ninh", "74": "Bình Dương", "75": "Đồng Nai", "77": "Bà Rịa - Vũng Tàu",
    "79": "Hồ Chí Minh", "80": "Long An", "82": "Tiền Giang", "83": "Bến Tre", "84": "Trà Vinh",
    "86": "Vĩnh Long", "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang", "92": "Cần Thơ",
    "93": "Hậu Giang", "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}
assert len(PROVINCES) == 63

# CCCD numbers: 3-digit form of the same codes.
CCCD_PROVINCES: dict[str, str] = {"0" + k: v for k, v in PROVINCES.items()}

# BHYT card codes: the provinces, plus the social-insurance agencies of the armed forces and the
# government cipher board, which issue cards under their own codes (97 BQP, 98 CAND, 99 Ban Cơ yếu).
# The last three are reported by facility software, not confirmed from the decision text.
BHYT_PROVINCES: dict[str, str] = {**PROVINCES, "97": "BHXH Bộ Quốc phòng", "98": "BHXH Công an nhân dân",
                                  "99": "Ban Cơ yếu Chính phủ"}

# Beneficiary group codes of the 15-char BHYT code, as listed in QĐ 1351/QĐ-BHXH (2015), grouped as
# there: employer+employee pay; the BHXH fund pays; the state budget pays; the state budget supports;
# households. The decision text itself could not be fetched here; this list matches the widely used
# facility-software copies of it. Later decisions may add codes: see `identity_bhyt_extra_groups`.
BHYT_GROUPS: dict[str, str] = {
    # 1. người lao động và người sử dụng lao động đóng
    "DN": "Người lao động trong doanh nghiệp", "HX": "Người lao động trong hợp tác xã",
    "CH": "Người lao động trong cơ quan nhà nước, đơn vị sự nghiệp",
    "NN": "Người lao động làm việc cho tổ chức nước ngoài", "TK": "Người lao động trong tổ chức khác",
    "HC": "Cán bộ, công chức, viên chức", "XK": "Người hoạt động không chuyên trách ở xã",
    # 2. tổ chức bảo hiểm xã hội đóng
    "HT": "Người hưởng lương hưu, trợ cấp mất sức lao động", "TB": "Người hưởng trợ cấp TNLĐ-BNN",
    "NO": "Người lao động nghỉ việc ốm dài ngày", "CT": "Người từ 80 tuổi hưởng trợ cấp tuất",
    "XB": "Cán bộ xã hưởng trợ cấp BHXH", "TN": "Người hưởng trợ cấp thất nghiệp",
    "CS": "Công nhân cao su nghỉ việc hưởng trợ cấp",
    # 3. ngân sách nhà nước đóng
    "QN": "Quân nhân", "CA": "Công an nhân dân", "CY": "Người làm công tác cơ yếu",
    "XN": "Cán bộ xã nghỉ việc hưởng trợ cấp từ ngân sách", "MS": "Người thôi hưởng trợ cấp mất sức lao động",
    "CC": "Người có công với cách mạng", "CK": "Người có công với cách mạng (khác)",
    "CB": "Cựu chiến binh", "KC": "Người tham gia kháng chiến", "HD": "Đại biểu Quốc hội, HĐND",
    "TE": "Trẻ em dưới 6 tuổi", "BT": "Người hưởng trợ cấp bảo trợ xã hội", "HN": "Người thuộc hộ nghèo",
    "DT": "Người dân tộc thiểu số vùng khó khăn", "DK": "Người sống ở vùng đặc biệt khó khăn",
    "XD": "Người sống ở xã đảo, huyện đảo", "TS": "Thân nhân liệt sĩ", "TC": "Thân nhân người có công",
    "TQ": "Thân nhân quân nhân", "TV": "Thân nhân người làm việc trong quân đội",
    "TA": "Thân nhân công an nhân dân", "TY": "Thân nhân người làm công tác cơ yếu",
    "HG": "Người hiến bộ phận cơ thể", "LS": "Lưu học sinh nước ngoài được cấp học bổng",
    "PV": "Người phục vụ người có công",
    # 4. ngân sách nhà nước hỗ trợ
    "CN": "Người thuộc hộ cận nghèo", "HS": "Học sinh", "SV": "Sinh viên",
    "GB": "Hộ nông, lâm, ngư, diêm nghiệp có mức sống trung bình",
    # 5. hộ gia đình
    "GD": "Người tham gia theo hộ gia đình",
}

BENEFIT_LEVELS = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}  # percent of covered costs


def province_name(code: str) -> str | None:
    """Name for a 2-digit (BHYT) or 3-digit (CCCD) province code."""
    return CCCD_PROVINCES.get(code) if len(code) == 3 else BHYT_PROVINCES.get(code)
