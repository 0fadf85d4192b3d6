"""Priority categories of Luật Khám bệnh, chữa bệnh 2023 (art. 3(2)) and who is offered which.

Age-based categories (elderly, children under 6) are applied from the identity's age; the others
(pregnancy, disability, people with merit) are declared by the patient and checked at the desk.
The elderly threshold is a setting: the 2023 law says 75, the 2009 Law on the Elderly said 80.
"""
from __future__ import annotations

from kiosk.core.views import PatientView, PriorityCategory

DEFAULT_ELDERLY_AGE = 75
CHILD_UNDER_AGE = 6

LABELS = {
    PriorityCategory.ELDERLY: ("Người cao tuổi", "Elderly"),
    PriorityCategory.CHILD: ("Trẻ em dưới 6 tuổi", "Child under 6"),
    PriorityCategory.PREGNANT: ("Phụ nữ có thai", "Pregnant woman"),
    PriorityCategory.DISABILITY: ("Người khuyết tật", "Person with a disability"),
    PriorityCategory.MERIT: ("Người có công với cách mạng", "Person with merit to the revolution"),
}


def automatic(age: int | None, elderly_age: int = DEFAULT_ELDERLY_AGE) -> PriorityCategory | None:
    """The category that follows from the age alone, if any."""
    if age is None:
        return None
    if age < CHILD_UNDER_AGE:
        return PriorityCategory.CHILD
    if age >= elderly_age:
        return PriorityCategory.ELDERLY
    return None


def offered(patient: PatientView, elderly_age: int = DEFAULT_ELDERLY_AGE) -> tuple[PriorityCategory, ...]:
    """Categories shown on the service screen: the automatic one first, then the declarable ones."""
    out: list[PriorityCategory] = []
    auto = automatic(patient.age, elderly_age)
    if auto is not None:
        out.append(auto)
    child = auto is PriorityCategory.CHILD
    if not child and patient.gender != 1 and (patient.age is None or 12 <= patient.age <= 60):
        out.append(PriorityCategory.PREGNANT)
    out.append(PriorityCategory.DISABILITY)
    if not child:
        out.append(PriorityCategory.MERIT)
    return tuple(out)
