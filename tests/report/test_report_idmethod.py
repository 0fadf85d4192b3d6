"""How the patient was identified: derived from the confirmed identity and stored with the visit
in the issuing transaction (kiosk) - the desk's manual check-in is tested in tests/desk."""
from __future__ import annotations

import dataclasses
import os
from datetime import date

import pytest

from kiosk.checkin.idmethod import identification_method
from kiosk.checkin.issuing import IssuingSettings, StoreTicketIssuer
from kiosk.checkin.resolver import patient_view
from kiosk.config import DEFAULT_SERVICES
from kiosk.core.clock import FakeClock
from kiosk.core.ports import IssueRequest, Resolution
from kiosk.core.views import ReadSource, ServiceOption
from kiosk.demo.people import DEMO_PEOPLE
from kiosk.identity.model import Identity, Kind, Source, VneidToken
from kiosk.store.migrate import open_store

PERSON = None


def _ident(source, kind, **docs):
    return Identity(PERSON, source=source, kind=kind, **docs)


@pytest.mark.parametrize("source, kind, expected", [
    (Source.CHIP_VERIFIED, Kind.CHIP, "chip_pa"),
    (Source.CHIP_VERIFIED, Kind.MERGED, "chip_pa"),            # chip merged with a QR: the chip counts
    (Source.CHIP_UNVERIFIED, Kind.CHIP, "chip_no_pa"),
    (Source.QR, Kind.CCCD_QR, "cccd_qr"),
    (Source.QR, Kind.VNEID, "vneid_qr"),
    (Source.QR, Kind.BHYT_QR, "bhyt_qr"),
    (Source.TYPED, Kind.TYPED_CCCD, "typed"),
    (Source.TYPED, Kind.TYPED_BHYT, "typed"),
    (Source.TYPED, Kind.TYPED_BHXH, "typed"),
    (Source.TYPED, Kind.TYPED_CMND, "typed"),
    (Source.TYPED, Kind.MRZ, "typed"),
])
def test_method_of_each_read(source, kind, expected):
    assert identification_method(_ident(source, kind)) == expected


def test_merged_qr_reads_name_the_app_then_the_card():
    vneid = VneidToken.__new__(VneidToken)
    assert identification_method(_ident(Source.QR, Kind.MERGED, vneid=vneid)) == "vneid_qr"


def test_issuing_stores_the_method_and_the_provisional_start(tmp_path, signer):
    services = tuple(ServiceOption(code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"], room=s["room"],
                                   ticket_letter=s["ticket_letter"], minutes_per_patient=s["minutes_per_patient"])
                     for s in DEFAULT_SERVICES)
    clock = FakeClock()
    store = open_store(tmp_path / "data", os.urandom(32), create=True, clock=clock)
    try:
        iss = StoreTicketIssuer(store, IssuingSettings("79001", "1", services), signer.sign, clock)
        people = [p for p in DEMO_PEOPLE if getattr(p, "identity", None) is not None][:3]
        got = []
        for i, person in enumerate(people):
            ident = person.identity
            if i == 1:        # the same person read from the chip, passive authentication passed
                ident = dataclasses.replace(ident, source=Source.CHIP_VERIFIED, kind=Kind.CHIP)
            view = patient_view(ident, ReadSource.QR, date(2026, 11, 20), returning=False)
            t = iss.issue(IssueRequest(Resolution(view, ident), "K01", None, provisional=(i == 2)))
            v = store.visits.get(store.tickets.get(t.ticket_id).visit_id)
            got.append((v.id_method, v.checked_provisional, identification_method(ident)))
        assert [g[0] for g in got] == [g[2] for g in got]
        assert got[1][0] == "chip_pa" and [g[1] for g in got] == [0, 0, 1]
        # pinned: a merged CCCD+BHYT QR counts as the CCCD QR; the chip with passive authentication as chip_pa
        assert [g[0] for g in got] == ["cccd_qr", "chip_pa", "cccd_qr"]
    finally:
        store.close()
