"""Hypothesis strategies for synthetic identities (shared by the property tests and the fuzz bench)."""
import datetime as dt

from hypothesis import strategies as st

from kiosk.identity.codes import BHYT_GROUPS, BHYT_PROVINCES, CCCD_PROVINCES
from kiosk.identity.model import BhytCard, BirthDate, CccdDocument, Gender, Identity, Kind, Person, Source

TODAY = dt.date(2026, 11, 21)
VN_UPPER = "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
VN_LOWER = VN_UPPER.lower()

word = st.text(VN_UPPER, min_size=1, max_size=7)
vn_name = st.lists(word, min_size=2, max_size=5).map(" ".join)
address = st.lists(st.text(VN_LOWER + VN_UPPER + "0123456789/,.-", min_size=1, max_size=10),
                   min_size=1, max_size=8).map(lambda ws: "Số " + " ".join(ws))
digits = lambda n: st.text("0123456789", min_size=n, max_size=n)  # noqa: E731


def dates(lo: dt.date, hi: dt.date):
    return st.integers(lo.toordinal(), hi.toordinal()).map(dt.date.fromordinal)


@st.composite
def cccd_identity(draw):
    born = draw(dates(dt.date(1900, 1, 1), TODAY))
    gender = draw(st.sampled_from([Gender.MALE, Gender.FEMALE]))
    century = {1800: 8, 1900: 0, 2000: 2}[born.year // 100 * 100]
    number = (draw(st.sampled_from(sorted(CCCD_PROVINCES))) + str(century + (gender is Gender.FEMALE))
              + f"{born.year % 100:02d}" + draw(digits(6)))
    issued = draw(st.none() | dates(born, TODAY))
    old = draw(st.none() | digits(9))
    from kiosk.identity.cccd import expected_expiry
    birth = BirthDate.of(born)
    doc = CccdDocument(number, old, issued, expected_expiry(birth, issued) if issued else None)
    return Identity(Person(draw(vn_name), birth, gender, draw(address)), cccd=doc, source=Source.QR,
                    kind=Kind.CCCD_QR)


any_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40).filter(
    lambda s: s == s.strip() and s.strip() and __import__("unicodedata").normalize("NFC", s) == s)
token = st.text("ABCDEFGHJKLMNPQRSTUVWXYZabcdef0123456789-", min_size=1, max_size=20).filter(
    lambda t: t.strip("-"))  # a lone "-" is the QR's own "empty" placeholder


@st.composite
def bhyt_identity(draw):
    born = draw(dates(dt.date(1900, 1, 1), TODAY))
    birth = draw(st.sampled_from([BirthDate.of(born), BirthDate(born.year)]))
    if draw(st.booleans()):
        level = draw(st.integers(1, 5))
        code = draw(st.sampled_from(sorted(BHYT_GROUPS))) + str(level) + draw(
            st.sampled_from(sorted(BHYT_PROVINCES))) + draw(digits(10))
        card_kw = {"code15": code, "benefit_level": level}
    else:
        card_kw = {"bhxh_number10": draw(digits(10)), "benefit_level": draw(st.none() | st.integers(1, 5))}
    vfrom = draw(st.none() | dates(dt.date(2000, 1, 1), dt.date(2035, 1, 1)))
    vto = draw(st.none() | dates(vfrom or dt.date(2000, 1, 1), dt.date(2040, 1, 1)))
    card = BhytCard(**card_kw, valid_from=vfrom, valid_to=vto,
                    ma_dkbd=draw(st.none() | digits(5)),
                    issue_date=draw(st.none() | dates(dt.date(2000, 1, 1), TODAY)),
                    management_code=draw(st.none() | digits(14)), check_string=draw(st.none() | token),
                    guardian_name=draw(st.none() | any_text), living_place_code=draw(st.none() | token),
                    five_years_date=draw(st.none() | dates(dt.date(2000, 1, 1), TODAY)),
                    place_of_issue=draw(st.none() | any_text))
    gender = draw(st.sampled_from(list(Gender)))
    person = Person(draw(any_text), birth, gender, draw(st.none() | any_text))
    return Identity(person, bhyt=card, source=Source.QR, kind=Kind.BHYT_QR)
