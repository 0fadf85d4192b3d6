"""Gateway simulator: the demo citizens of kiosk.demo.people as cards the gateway knows,
so the demo's QR codes and virtual chip meet matching card-check answers."""
from __future__ import annotations

from datetime import date

from kiosk.gateway.sim.cards import SimCard


def _dmy(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _visit(ma_ho_so: str, ma_cskcb: str, vao: str, ra: str, benh: str) -> dict:
    return {"maHoSo": ma_ho_so, "maCSKCB": ma_cskcb, "ngayVao": vao, "ngayRa": ra, "tenBenh": benh,
            "tinhTrang": "1", "kqDieuTri": "1", "lyDoVV": "Khám bệnh"}


def demo_cards(today: date) -> list[SimCard]:
    """One card per demo person with a BHYT card: valid -> 000, past its validity -> 010."""
    from kiosk.demo.people import DEMO_PEOPLE
    from kiosk.identity.model import Gender

    cards = []
    for p in DEMO_PEOPLE:
        ident = p.identity
        bhyt = ident.bhyt
        if bhyt is None or ident.person is None or ident.birth_date is None:
            continue
        b = ident.birth_date
        birth = str(b.year) if b.year_only else _dmy(b.as_date())
        ma_dkbd = bhyt.ma_dkbd or "79001"
        code = bhyt.code15 or f"DN4{ma_dkbd[:2]}{bhyt.bhxh_number10}"
        expired = bhyt.valid_to is not None and bhyt.valid_to < today
        history: tuple[dict, ...] = ()
        if p.returning:
            history = (_visit(f"{ma_dkbd}-2026-{p.key}", ma_dkbd, "202609150830", "202609150915",
                              "Viêm dạ dày"),)
        name = ident.person.full_name
        assert name is not None  # every demo person has a name
        cards.append(SimCard(code, name, birth, "Nữ" if ident.person.gender is Gender.FEMALE else "Nam",
                             "010" if expired else "000", cccd=ident.cccd.number if ident.cccd else "",
                             address=ident.person.address or "", ma_dkbd=ma_dkbd, valid_from=_dmy(bhyt.valid_from),
                             valid_to=_dmy(bhyt.valid_to), history=history))
    return cards


def demo_vneid_identities() -> list[dict]:
    """Identity fields (resolver reply shape) of every demo person with a CCCD, card or not."""
    from kiosk.demo.people import DEMO_PEOPLE
    from kiosk.identity.model import Gender

    out = []
    for p in DEMO_PEOPLE:
        ident = p.identity
        if ident.cccd is None or ident.person is None or ident.birth_date is None:
            continue
        b = ident.birth_date
        out.append({"soCCCD": ident.cccd.number, "hoTen": ident.full_name,
                    "ngaySinh": str(b.year) if b.year_only else _dmy(b.as_date()),
                    "gioiTinh": {Gender.MALE: "1", Gender.FEMALE: "2"}.get(ident.person.gender, "3"),
                    "diaChi": ident.person.address or "",
                    "maTheBHYT": (ident.bhyt.code15 or ident.bhyt.bhxh_number10) if ident.bhyt else ""})
    return out


def start_demo_simulator(data_dir, port: int = 0, **kwargs):
    """The gateway simulator handed the demo population (cards and VNeID identities)."""
    from kiosk.gateway.sim.server import start_simulator

    kwargs.setdefault("cards", demo_cards)
    kwargs.setdefault("vneid_identities", demo_vneid_identities())
    return start_simulator(data_dir, port, **kwargs)
