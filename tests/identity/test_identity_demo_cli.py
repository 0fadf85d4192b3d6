import datetime as dt
import json
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.identity import Kind, parse
from kiosk.demo.people import BY_KEY, DEMO_PEOPLE

TODAY = dt.date(2026, 11, 21)


def test_demo_people_cover_the_cases():
    keys = set(BY_KEY)
    assert {"valid_bhyt", "expired_bhyt", "child_te", "elderly", "cccd_only", "returning"} <= keys
    assert 6 <= len(DEMO_PEOPLE) <= 8 and len(keys) == len(DEMO_PEOPLE)
    assert BY_KEY["child_te"].identity.bhyt.group == "TE"
    assert BY_KEY["child_te"].identity.birth_date.age_on(TODAY) < 6
    assert BY_KEY["elderly"].identity.birth_date.age_on(TODAY) >= 75
    assert BY_KEY["cccd_only"].identity.bhyt is None and BY_KEY["cccd_only"].bhyt_qr is None
    assert BY_KEY["returning"].returning


@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=[p.key for p in DEMO_PEOPLE])
def test_demo_qr_payloads_parse_back_to_the_person(person):
    want = person.identity
    for payload in (person.cccd_qr, person.bhyt_qr):
        if payload is None:
            continue
        got = parse(payload, today=TODAY)
        assert got.person == want.person
        if got.kind is Kind.CCCD_QR:
            assert got.cccd == want.cccd and not got.warnings
        else:
            assert got.bhyt == want.bhyt
            assert [w.code for w in got.warnings] == (["bhyt_expired"] if person.key == "expired_bhyt" else [])


def test_cli_parse_masked_by_default(capsys):
    rc = main(["identity", "parse", "--today", "2026-11-21", "--text", BY_KEY["valid_bhyt"].cccd_qr])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["kind"] == "cccd_qr" and out["masked"] is True
    assert out["person"]["full_name"] == "NGUYỄN V** T" and out["person"]["birth_date"] == "1985"
    assert out["cccd"]["number"] == "*** *** 0101" and "address" not in out["person"]
    assert "001085000101" not in json.dumps(out, ensure_ascii=False)


def test_cli_parse_unmasked(capsys):
    rc = main(["identity", "parse", "--unmasked", "--text", "001085000101"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["cccd"]["number"] == "001085000101" and out["person"]["birth_date"] == "1985"


def test_cli_parse_error_exit_1(capsys):
    rc = main(["identity", "parse", "--text", "12345"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["error"]["code"] == "number_invalid" and out["error"]["vi"] and out["error"]["en"]


def test_cli_bad_today_is_a_usage_error(capsys):
    assert main(["identity", "parse", "--today", "2026-02-30", "--text", "001085000101"]) == 2
    assert "--today" in capsys.readouterr().err


def test_cli_reads_stdin_bytes_with_crlf(tmp_path):
    payload = BY_KEY["elderly"].bhyt_qr.encode() + b"\r\n"
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "identity", "parse"],
                          input=payload, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["kind"] == "bhyt_qr" and out["bhyt"]["code15"] == "*** *** 0404"
