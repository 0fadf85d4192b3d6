"""Two kiosks must never share a `kiosk_id`: it is part of every MA_LK, and the gateway keeps one
copy per MA_LK, so a shared ID lets one kiosk's dossier be mistaken for another's (red-team H1).

The technician lists every kiosk ID of the facility in `facility_kiosk_ids` (the same list on every
kiosk; in facility mode the hub assigns the IDs). Provisioning and `kiosk doctor` refuse the
built-in default ID unless that list names it, an ID the list does not name, and a list that
names an ID twice.
"""
from __future__ import annotations

DEFAULT_KIOSK_ID = "1"


def kiosk_id_problems(kiosk_id: str, facility_ids: list[str] | tuple[str, ...]) -> list[str]:
    kiosk_id = str(kiosk_id).strip()
    ids = [str(i).strip() for i in facility_ids or []]
    problems = []
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        problems.append(f"facility_kiosk_ids lists {', '.join(twice)} more than once: two kiosks would "
                        "produce the same MA_LK")
    if ids and kiosk_id not in ids:
        problems.append(f"kiosk_id {kiosk_id!r} is not in facility_kiosk_ids ({', '.join(ids)})")
    elif kiosk_id == DEFAULT_KIOSK_ID and not ids:
        problems.append(f"kiosk_id is the built-in default {DEFAULT_KIOSK_ID!r}: give every kiosk its own ID and "
                        "list them all in facility_kiosk_ids (two kiosks on the default produce the same MA_LK)")
    return problems
