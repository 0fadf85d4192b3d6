"""The identity resolver on a real store: parse, cache lookup, masking, cached answers, follow-ups."""
from __future__ import annotations

import dataclasses

import pytest

from kiosk.core.ports import IdentityProblem
from kiosk.core.views import InsuranceStatus, ProblemKind, ReadSource
from kiosk.demo.people import by_key
from kiosk.identity.model import Source
from kiosk.checkin.resolver import StoreIdentityResolver
from kiosk.checkin.records import patient_input
from kiosk.store.eligibility import EligibilityInput


@pytest.fixture
def resolver(store, clock):
    return StoreIdentityResolver(store, clock, cache_hours=12)


def remember(store, key):
    with store.transaction():
        return store.patients.upsert(*patient_input(by_key(key).identity))


def test_new_patient_from_a_cccd_qr_is_masked_and_not_stored(resolver, store):
    r = resolver.resolve(ReadSource.QR, by_key("valid_bhyt").cccd_qr.encode())
    v = r.view
    assert (v.masked_name, v.birth_year, v.masked_number, v.age, v.gender) == ("NGUYỄN V** T", 1985, "*** *** 0101", 41, 1)
    assert not v.returning and r.patient_id is None and r.cached_eligibility is None
    assert store.patients.count() == 0                       # nothing written before confirmation
    assert "NGUYỄN VĂN THỬ" not in repr(r)                    # the identity never shows in a repr


def test_typed_number_of_a_known_patient_gets_its_name_from_the_cache(resolver, store):
    p = remember(store, "returning")
    r = resolver.resolve(ReadSource.TYPED, by_key("returning").identity.cccd.number)
    assert r.view.returning and r.patient_id == p.id and r.view.masked_name.startswith("VŨ V**")
    assert r.identity.bhyt is not None and r.identity.bhyt.bhxh_number10 == "4006000606"


def test_typed_unknown_and_malformed_numbers(resolver, store):
    r = resolver.resolve(ReadSource.TYPED, "001085009999")   # valid, just not cached: never "wrong" (M7)
    assert r.view.unconfirmed and r.patient_id is None and r.view.masked_number == "*** *** 9999"
    assert r.cached_eligibility.status is InsuranceStatus.NEEDS_DESK
    assert r.cached_eligibility.message.code == "identity_to_confirm" and store.patients.count() == 0
    with pytest.raises(IdentityProblem) as e:
        resolver.resolve(ReadSource.TYPED, "12345")
    assert e.value.kind in (ProblemKind.INVALID_NUMBER, ProblemKind.UNSUPPORTED)
    assert e.value.message.vi and e.value.message.en


def test_fresh_cached_answer_is_reused_stale_and_config_faults_are_not(resolver, store, clock):
    p = remember(store, "valid_bhyt")
    card = by_key("valid_bhyt").identity.bhyt.code15
    with store.transaction():
        store.eligibility.insert(EligibilityInput(card, "valid", p.id, "000", card_valid_to="2030-12-31"))
    r = resolver.resolve(ReadSource.QR, by_key("valid_bhyt").bhyt_qr.encode())
    assert r.cached_eligibility.status is InsuranceStatus.VALID and r.cached_eligibility.from_cache
    assert "31/12/2030" in r.cached_eligibility.message.vi and r.cached_check_id
    clock.advance(13 * 3600)
    assert resolver.resolve(ReadSource.QR, by_key("valid_bhyt").bhyt_qr.encode()).cached_eligibility is None
    with store.transaction():
        store.eligibility.insert(EligibilityInput(card, "config_fault", p.id, "054"))
    assert resolver.resolve(ReadSource.QR, by_key("valid_bhyt").bhyt_qr.encode()).cached_eligibility is None


def test_follow_up_is_offered(resolver, store, clock):
    from kiosk.store.visits import VisitInput
    p = remember(store, "returning")
    with store.transaction():
        v = store.visits.create(VisitInput("MA1", p.id, "1", "2026-11-01", "K01"))
        store.visits.close(v.id, "{}", follow_up_date="2026-11-21", follow_up_service="K04")
    r = resolver.resolve(ReadSource.TYPED, by_key("returning").identity.cccd.number)
    assert r.follow_up is not None and (r.follow_up.service_code, r.follow_up.date) == ("K04", "2026-11-21")
    clock.advance(30 * 24 * 3600)
    assert resolver.resolve(ReadSource.TYPED, by_key("returning").identity.cccd.number).follow_up is None


def test_chip_identities(resolver):
    ident = dataclasses.replace(by_key("valid_bhyt").identity, source=Source.CHIP_VERIFIED,
                                source_detail="passive authentication passed (sha256, rsa)")
    res = resolver.resolve(ReadSource.CHIP, ident)
    assert res.view.masked_name == "NGUYỄN V** T" and res.view.source is ReadSource.CHIP
    assert res.identity is ident                       # the card reader's identity, as it is
    # passive authentication is judged once, by the card reader (ChipReadFailed(rejected=True));
    # a chip read that is not an Identity never reaches the resolver as one
    with pytest.raises(IdentityProblem) as e:
        resolver.resolve(ReadSource.CHIP, b"raw chip bytes")
    assert e.value.kind is ProblemKind.UNREADABLE


def test_vneid_without_a_resolver_is_explained(resolver):
    with pytest.raises(IdentityProblem) as e:
        resolver.resolve(ReadSource.QR, b"VNEID:" + b"A1b2C3d4E5f6G7h8J9k0L1m2")
    assert e.value.kind in (ProblemKind.UNSUPPORTED, ProblemKind.UNREADABLE)
