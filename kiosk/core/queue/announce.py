"""What a call says: the Vietnamese text and the clip sequence that speaks it.

Numbers are read digit by digit ("A1-023" -> "A một không hai ba"), rooms too ("101" ->
"một không một"). The text shown keeps the prefix as printed: "Mời người bệnh số A1 không hai ba
đến phòng 101". Clip names are plain ASCII so a hospital can re-record them: chime, invite,
to_room, to_counter, digit_0..digit_9, letter_a..letter_z.
"""
from __future__ import annotations

DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
LETTERS_VI = {"A": "a", "B": "bê", "C": "xê", "D": "dê", "E": "e", "F": "ép", "G": "giê", "H": "hát",
              "I": "i", "J": "gi", "K": "ca", "L": "lờ", "M": "mờ", "N": "nờ", "O": "o", "P": "pê",
              "Q": "quy", "R": "rờ", "S": "ét", "T": "tê", "U": "u", "V": "vê", "W": "vê kép",
              "X": "ích", "Y": "i dài", "Z": "dét"}
PHRASES_VI = {"invite": "Mời người bệnh số", "to_room": "đến phòng", "to_counter": "đến quầy"}


def _clip_of(ch: str) -> str | None:
    if ch.isdigit():
        return f"digit_{ch}"
    if ch.upper() in LETTERS_VI:
        return f"letter_{ch.lower()}"
    return None     # '-', spaces: a pause is not needed between clips


def segments(number: str, place: str, *, counter: bool = False) -> list[str]:
    """The clips of one announcement, chime first."""
    out = ["chime", "invite"]
    out += [c for c in (_clip_of(ch) for ch in number) if c]
    out.append("to_counter" if counter else "to_room")
    out += [c for c in (_clip_of(ch) for ch in place) if c]
    return out


def clip_text(name: str) -> str:
    """What a clip says (to generate the default set)."""
    if name.startswith("digit_"):
        return DIGITS_VI[int(name[-1])]
    if name.startswith("letter_"):
        return LETTERS_VI[name[-1].upper()]
    return PHRASES_VI[name]


def all_clips() -> list[str]:
    return (list(PHRASES_VI) + [f"digit_{d}" for d in range(10)]
            + [f"letter_{c.lower()}" for c in LETTERS_VI])


def spoken_text(number: str, place: str, *, counter: bool = False) -> str:
    """The whole announcement as words (what the espeak-ng engine reads)."""
    words = [clip_text(s) for s in segments(number, place, counter=counter)[1:]]
    return " ".join(words)


def display_text(number: str, place: str, *, counter: bool = False) -> str:
    """'Mời người bệnh số A1 không hai ba đến phòng 101': the prefix as printed, the sequence read out."""
    head, _, seq = number.rpartition("-")
    if not head:
        head, seq = "", number
    digits = " ".join(DIGITS_VI[int(c)] if c.isdigit() else c for c in seq)
    said = f"{head} {digits}".strip()
    where = PHRASES_VI["to_counter" if counter else "to_room"]
    return f"{PHRASES_VI['invite']} {said} {where} {place}"


def display_text_en(number: str, place: str, *, counter: bool = False) -> str:
    return f"Patient number {number}, please go to {'counter' if counter else 'room'} {place}"
