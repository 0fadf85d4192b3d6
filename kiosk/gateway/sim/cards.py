"""Gateway simulator: synthetic insurance cards covering every card-check result code, and the
card-check decision itself (pure: fields in, reply dict out).

All people here are invented. `CARDS_BY_CODE` names one card per gateway code so tests and the
demo can reach each answer; codes that come from the request rather than the card (051-055,
060/061, 070, 205, 401) are reached by the request fields, see `card_check_reply`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Province codes valid in card numbers (the 63 pre-2025 provinces).
PROVINCES = frozenset("""01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 46
48 49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 94 95 96""".split())
CARD_CODE_RE = re.compile(r"[A-Z]{2}\d{13}")
BHXH_RE = re.compile(r"\d{10}")
CCCD_RE = re.compile(r"\d{12}")
BIRTH_RE = re.compile(r"\d{2}/\d{2}/\d{4}|\d{4}")


@dataclass(frozen=True)
class SimCard:
    card: str                   # 15-char card code
    full_name: str
    birth: str                  # dd/MM/yyyy or yyyy
    gender: str                 # "Nam" / "Nữ"
    status: str = "000"         # the code this card answers when the request matches it
    cccd: str = ""
    address: str = "Phường Bến Nghé, Quận 1, TP Hồ Chí Minh"
    ma_dkbd: str = "79001"
    valid_from: str = "01/01/2026"
    valid_to: str = "31/12/2026"
    new_card: str = ""
    new_valid_from: str = ""
    new_valid_to: str = ""
    note: str = ""
    history: tuple[dict, ...] = field(default=(), compare=False)

    @property
    def bhxh(self) -> str:
        return self.card[5:]


def _visit(ma_ho_so: str, vao: str, ra: str, benh: str) -> dict:
    return {"maHoSo": ma_ho_so, "maCSKCB": "79001", "ngayVao": vao, "ngayRa": ra, "tenBenh": benh,
            "tinhTrang": "1", "kqDieuTri": "1", "lyDoVV": "Khám bệnh"}


_C = SimCard
SYNTHETIC_CARDS: tuple[SimCard, ...] = (
    _C("DN4797900000001", "NGUYỄN VĂN AN", "15/03/1985", "Nam", "000", cccd="079085000001",
       history=(_visit("79001-2026-0001", "202603020815", "202603020930", "Viêm họng cấp"),
                _visit("79001-2026-0002", "202607141000", "202607141045", "Tăng huyết áp vô căn"))),
    _C("QN5797900000002", "TRẦN VĂN BÌNH", "02/09/1978", "Nam", "001", cccd="079078000002",
       note="Thẻ do BHXH Bộ Quốc phòng quản lý"),
    _C("CA5797900000003", "LÊ THỊ CÚC", "20/11/1990", "Nữ", "002", cccd="079190000003",
       note="Thẻ do BHXH Bộ Công an quản lý"),
    _C("HT3797900000004", "PHẠM VĂN DŨNG", "1950", "Nam", "003", cccd="079050000004",
       valid_from="01/01/2025", valid_to="31/12/2025",
       new_card="HT3797900000104", new_valid_from="01/01/2026", new_valid_to="31/12/2026"),
    _C("GD4797900000005", "HOÀNG THỊ ÉN", "08/08/1988", "Nữ", "004", cccd="079188000005",
       new_card="GD4797900000105", new_valid_from="01/10/2026", new_valid_to="30/09/2027"),
    _C("HS4797900000006", "VŨ MINH GIANG", "12/05/2008", "Nam", "010", cccd="079208000006",
       valid_from="01/01/2025", valid_to="31/12/2025"),
    _C("DN4797900000007", "ĐẶNG THỊ HOA", "30/04/1992", "Nữ", "110", cccd="079192000007", note="Thẻ đã thu hồi"),
    _C("DN4797900000120", "BÙI VĂN KHOA", "01/01/1980", "Nam", "120", cccd="079080000120"),
    _C("DN4797900000121", "ĐỖ THỊ LAN", "02/02/1981", "Nữ", "121", cccd="079181000121"),
    _C("DN4797900000122", "HỒ VĂN MINH", "03/03/1982", "Nam", "122", cccd="079082000122"),
    _C("DN4797900000123", "NGÔ THỊ NGA", "04/04/1983", "Nữ", "123", cccd="079183000123"),
    _C("DN4797900000124", "DƯƠNG VĂN PHÚ", "05/05/1984", "Nam", "124", cccd="079084000124"),
    _C("TE1797900000130", "LÝ BẢO QUỲNH", "10/10/2026", "Nữ", "130", cccd="079326000130"),
    _C("DN4797900000100", "MAI VĂN SƠN", "06/06/1986", "Nam", "100", cccd="079086000100"),
    _C("DN4797900000101", "TRỊNH THỊ TÂM", "07/07/1987", "Nữ", "101", cccd="079187000101"),
)
del _C

# One request per gateway code (card, name, birth) that produces it with the default officer.
_BASE = SYNTHETIC_CARDS[0]
CARDS_BY_CODE: dict[str, tuple[str, str, str]] = {c.status: (c.card, c.full_name, c.birth) for c in SYNTHETIC_CARDS}
CARDS_BY_CODE.update({
    "050": ("DN4797999999999", "NGUYỄN VĂN VÔ DANH", "01/01/1970"),
    "051": ("HS4797900000001", _BASE.full_name, _BASE.birth),   # BHXH number known, card code wrong
    "052": ("DN4009900000001", _BASE.full_name, _BASE.birth),   # province 00 does not exist
    "053": ("DN9797900000001", _BASE.full_name, _BASE.birth),   # benefit code 9 does not exist
    "060": (_BASE.card, "TRẦN THỊ KHÁC", _BASE.birth),
    "061": (_BASE.card, "NGUYỄN VĂN ANH", _BASE.birth),
    "070": (_BASE.card, _BASE.full_name, "16/03/1985"),
    "205": ("DN47979", _BASE.full_name, _BASE.birth),
})


def fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).upper().split())


class CardRegistry:
    def __init__(self, cards: tuple[SimCard, ...] | list[SimCard] = SYNTHETIC_CARDS):
        self._by_card: dict[str, SimCard] = {}
        self._by_bhxh: dict[str, SimCard] = {}
        self._by_cccd: dict[str, SimCard] = {}
        for card in cards:
            self.add(card)

    def add(self, card: SimCard) -> None:
        self._by_card[card.card] = card
        self._by_bhxh[card.bhxh] = card
        if card.cccd:
            self._by_cccd[card.cccd] = card

    def all(self) -> list[SimCard]:
        return list(self._by_card.values())

    def find(self, number: str) -> SimCard | None:
        return self._by_card.get(number) or self._by_bhxh.get(number) or self._by_cccd.get(number)

    def known_bhxh(self, bhxh: str) -> bool:
        return bhxh in self._by_bhxh


def _reply(code: str, card: SimCard | None = None, note: str = "") -> dict:
    reply: dict[str, object] = {k: None for k in ("maThe", "hoTen", "ngaySinh", "gioiTinh", "diaChi", "maDKBD", "cqBHXH", "gtTheTu",
                               "gtTheDen", "maKV", "ngayDu5Nam", "maSoBHXH", "maTheCu", "maTheMoi", "gtTheTuMoi",
                               "gtTheDenMoi", "maDKBDMoi", "tenDKBDMoi")}
    reply.update({"maKetQua": code, "ghiChu": note, "dsLichSuKCB2018": None, "dsLichSuKT2018": []})
    if card is not None:
        reply.update({"maThe": card.card, "hoTen": card.full_name, "ngaySinh": card.birth, "gioiTinh": card.gender,
                      "diaChi": card.address, "maDKBD": card.ma_dkbd, "cqBHXH": "BHXH TP Hồ Chí Minh",
                      "gtTheTu": card.valid_from, "gtTheDen": card.valid_to, "maKV": "", "ngayDu5Nam": "",
                      "maSoBHXH": card.bhxh})
        if card.new_card:
            reply.update({"maTheCu": card.card, "maTheMoi": card.new_card, "gtTheTuMoi": card.new_valid_from,
                          "gtTheDenMoi": card.new_valid_to, "maDKBDMoi": card.ma_dkbd,
                          "tenDKBDMoi": "Bệnh viện mô phỏng 79001"})
    return reply


def card_check_reply(registry: CardRegistry, officers: dict[str, str], fields: dict[str, str]) -> dict:
    """The gateway's answer to a card check whose token was already accepted."""
    number = (fields.get("maThe") or "").strip().upper()
    name, birth = fields.get("hoTen") or "", (fields.get("ngaySinh") or "").strip()
    officer_cccd, officer_name = fields.get("cccdCb") or "", fields.get("hoTenCb") or ""
    if officer_cccd not in officers:
        return _reply("054", note="CCCD cán bộ chưa được đăng ký tra cứu tại cơ sở")
    if fold(officers[officer_cccd]) != fold(officer_name):
        return _reply("055", note="Họ tên cán bộ không khớp số CCCD đã đăng ký")
    if not (CARD_CODE_RE.fullmatch(number) or BHXH_RE.fullmatch(number) or CCCD_RE.fullmatch(number)) \
            or not BIRTH_RE.fullmatch(birth) or not name.strip():
        return _reply("205", note="Sai định dạng tham số")
    card = registry.find(number)
    if card is None:
        if CARD_CODE_RE.fullmatch(number):
            if number[2] not in "12345":
                return _reply("053", note="Mã quyền lợi (ký tự thứ 3) không đúng")
            if number[3:5] not in PROVINCES:
                return _reply("052", note="Mã tỉnh (ký tự 4-5) không đúng")
            if registry.known_bhxh(number[5:]):
                return _reply("051", note="Mã thẻ không đúng")
        return _reply("050", note="Không có thông tin thẻ")
    if fold(card.full_name) != fold(name):
        same_first = fold(card.full_name)[:1] == fold(name)[:1]
        return _reply("061" if same_first else "060", note="Họ tên không đúng")
    if card.birth != birth:
        return _reply("070", note="Ngày sinh không đúng")
    if card.status in ("100", "101"):
        return _reply(card.status, note="Lỗi khi lấy dữ liệu" if card.status == "100" else "Lỗi máy chủ")
    return _reply(card.status, card, note=card.note)
