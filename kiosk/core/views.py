"""What the patient's screens may show: masked, minimal views carried by check-in states.

These are the only data a state holds. Nothing here can identify a person on its own: names and
numbers arrive already masked, and the full identity stays inside the check-in service's session.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class ReadSource(str, enum.Enum):
    QR = "qr"          # a scanned QR (CCCD, BHYT/VssID, VNeID)
    CHIP = "chip"      # the CCCD chip on the reader
    TYPED = "typed"    # a number typed on the on-screen keypad


class InsuranceStatus(str, enum.Enum):
    CHECKING = "checking"              # the gateway check is still running
    VALID = "valid"                    # card valid (000/001/002)
    VALID_NEW_CARD = "valid_new_card"  # a new card was issued; the visit uses it (003/004)
    PROVISIONAL = "provisional"        # no answer in time / offline: re-checked later by sync
    NEEDS_DESK = "needs_desk"          # expired, revoked, wrong name...: the desk decides
    NO_CARD = "no_card"                # no insurance card presented: fee-paying visit


class PriorityCategory(str, enum.Enum):
    """Priority groups of Luật Khám bệnh, chữa bệnh 2023 (15/2023/QH15), art. 3(2)."""
    ELDERLY = "elderly"        # người từ đủ 75 tuổi trở lên (age configurable: the 2009 elderly law said 80)
    CHILD = "child"            # trẻ em dưới 6 tuổi
    PREGNANT = "pregnant"      # phụ nữ có thai
    DISABILITY = "disability"  # người khuyết tật nặng / đặc biệt nặng
    MERIT = "merit"            # người có công với cách mạng


class ProblemKind(str, enum.Enum):
    """Why a session ended on an error screen."""
    UNREADABLE = "unreadable"            # could not read/parse: try again
    CARD_REMOVED = "card_removed"        # chip card taken away during the read
    UNSUPPORTED = "unsupported"          # a code we do not know (not a CCCD/BHYT/VNeID QR)
    INVALID_NUMBER = "invalid_number"    # typed number malformed / check failed
    NOT_KNOWN = "number_not_known"       # a valid typed number this kiosk has no details for yet
    NOT_ME = "not_me"                    # the patient said the details shown are not theirs
    REJECTED = "rejected"                # forged/cloned chip, failed passive authentication: desk
    CARD_NEEDS_DESK = "card_needs_desk"  # the insurance check says: desk (expired, revoked...)
    ALREADY_ISSUED = "already_issued"    # one active ticket per patient, service and day
    ISSUE_FAILED = "issue_failed"        # the ticket could not be saved (disk, database): desk
    TIMEOUT = "timeout"                  # a step took too long


class PrinterFaultKind(str, enum.Enum):
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"       # any other failure (I/O error, unknown status)
    TIMEOUT = "timeout"   # no answer from the print job in time


@dataclass(frozen=True)
class Message:
    """A patient-facing text in both languages, plus a stable code the UI may translate itself."""
    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class PatientView:
    masked_name: str               # "NGUYỄN V** A"
    birth_year: int | None
    masked_number: str             # "*** *** 1234"
    source: ReadSource
    age: int | None = None         # whole years at check-in (for priority categories)
    gender: int = 3                # 1 male, 2 female, 3 unknown
    returning: bool = False        # seen at this facility before
    held_services: tuple[str, ...] = ()   # services already ticketed today (marked on the choice)
    unconfirmed: bool = False      # a typed number not known here: no name yet, the desk confirms (M7)
    guardian: str = ""             # a child's card: the guardian's name, masked ("LÊ T** M")


@dataclass(frozen=True)
class EligibilityView:
    status: InsuranceStatus
    message: Message               # plain words: "Thẻ BHYT còn hạn đến 31/12/2026" ...
    from_cache: bool = False
    staff_alert: bool = False      # a configuration fault was reported to staff
    result_code: str | None = None  # the gateway's maKetQua, for the desk


@dataclass(frozen=True)
class ServiceOption:
    code: str
    name_vi: str
    name_en: str
    room: str
    ticket_letter: str = "A"
    minutes_per_patient: int = 6


@dataclass(frozen=True)
class FollowUpView:
    """A returning patient's booked follow-up, offered first on the service screen."""
    service_code: str
    date: str                      # yyyy-mm-dd


@dataclass(frozen=True)
class TicketView:
    ticket_id: int
    number: str                    # "A1-023" (priority: "A1-U023" by the default format)
    service_code: str
    service_name_vi: str
    service_name_en: str
    room: str
    priority: PriorityCategory | None
    expected_wait_minutes: int | None
    qr_payload: str                # what the ticket QR encodes (no personal data)
    issued_at_local: str           # "2026-11-20 08:30" facility time
    provisional: bool = False
    desk_check: bool = False       # the card needs the desk (expired, 050...): go there with this ticket
    fee_paying: bool = False       # no insurance card: "khám dịch vụ", the fee is paid at the desk
    identity_check: bool = False   # a first visit by a typed number: the desk confirms who it is (M7)
    child: bool = False            # under 6: the guardian gives their name at the desk / clinic
    language: str = "vi"           # the patient's screen language: the paper ticket speaks it too
