"""The log filter masks personal data in messages, arguments and exception text, on every handler."""
from __future__ import annotations

import logging

import pytest

from kiosk.config import load
from kiosk.logsetup import PersonalDataFilter, looks_like_name, mask_text, setup_logging

CCCD, CMND, BHXH, BHYT = "079190123456", "381234567", "7932123456", "DN4797932123456"


@pytest.mark.parametrize("text, expected", [
    (f"card {CCCD}", "card [CCCD]"),
    (f"cccd=079 190 123 456 ok", "cccd=[CCCD] ok"),
    (f"cmnd {CMND}.", "cmnd [CMND]."),
    (f"bhxh:{BHXH}", "bhxh:[BHXH]"),
    (f"qr {BHYT}|NGUYỄN VĂN AN|", "qr [BHYT]|[NAME]|"),
    ("dn4797932123456 lower case", "[BHYT] lower case"),
    ("Bệnh nhân Trần Thị Bích Ngọc đến khám", "Bệnh nhân [NAME] đến khám"),
    ("patient Nguyen Van An (no diacritics)", "patient [NAME] (no diacritics)"),
    ("ĐẶNG HỮU PHÚC", "[NAME]"),
    ("cccd 079-190-123-456.", "cccd [CCCD]."),
    ("SO_CCCD 079190123456789 (passport)", "SO_CCCD [ID] (passport)"),
    ("phone +84912345678", "phone +[ID]"),
    ("patient NGUYỄN Văn An checked", "patient [NAME] checked"),
    ("Patient Nguyễn Văn An checked in", "Patient [NAME] checked in"),   # after a capitalised word
    ("GET Trần Thị Bích, Desk Override Lê Văn Tám", "GET [NAME], Desk Override [NAME]"),
])
def test_mask_text(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", [
    "database key does not match /tmp/x/kiosk.db",
    "Outbox Worker Started", "visit 79001-1-20261120-0001 queued", "sha256 3f2a0123456789abcdef",
    "GET /api/token 200 in 12 ms", "room 101, ticket A1-007", "port 8080 pid 12345678",
    "receipt 7900120261120081530000001 stored", "OK Outbox drained", "HTTP Error 503",
])
def test_ordinary_text_is_kept(text):
    assert mask_text(text) == text


def test_looks_like_name():
    assert looks_like_name("Phạm Minh Chính") and looks_like_name("LÝ THỊ LAN")
    assert looks_like_name("Nguyen Thi Lan")          # surname-led without diacritics
    assert not looks_like_name("Open Store") and not looks_like_name("nguyễn văn an thing lower")


def _record(msg, args=(), exc_info=None, **extra):
    rec = logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)
    for k, v in extra.items():
        setattr(rec, k, v)
    return rec


def test_filter_masks_args_name_fields_and_exceptions():
    f, fmt = PersonalDataFilter(), logging.Formatter("%(message)s")
    rec = _record("checked in %s with %s for %s", ("Lê Văn Tám", CCCD, "K01"))
    f.filter(rec)
    assert fmt.format(rec) == "checked in [NAME] with [CCCD] for K01"
    rec = _record("desk fixed %s", ("Xuan Mai",), name_fields=["Xuan Mai"])
    f.filter(rec)
    assert fmt.format(rec) == "desk fixed [NAME]"
    rec = _record("who: %(who)s ok: %(n)d", ({"who": "Anh Thư", "n": 3},), name_fields=["who"])
    f.filter(rec)
    assert fmt.format(rec) == "who: [NAME] ok: 3"
    try:
        raise ValueError(f"bad card {BHYT} for TRƯƠNG VĂN LỢI")
    except ValueError:
        import sys
        rec = _record("lookup failed", exc_info=sys.exc_info())
    f.filter(rec)
    out = fmt.format(rec)
    assert "lookup failed" in out and "ValueError: bad card [BHYT] for [NAME]" in out
    assert BHYT not in out and "TRƯƠNG" not in out


def test_setup_logging_masks_file_and_stderr(tmp_path, capsys):
    cfg = load(None, env={}, overrides={"data_dir": str(tmp_path / "data")})
    path = setup_logging(cfg)
    try:
        assert path == tmp_path / "data" / "logs" / "kiosk.log"
        log = logging.getLogger("kiosk.test")
        log.info("patient %s cccd %s bhyt %s", "NGUYỄN THỊ MINH KHAI", CCCD, BHYT)
        try:
            {}["x"]
        except KeyError:
            log.exception("lookup of %s failed", CMND)
        for h in logging.getLogger().handlers:
            h.flush()
        file_text = path.read_text(encoding="utf-8")
        err = capsys.readouterr().err
        for out in (file_text, err):
            assert "patient [NAME] cccd [CCCD] bhyt [BHYT]" in out
            assert "lookup of [CMND] failed" in out and "KeyError" in out
            for secret in (CCCD, BHYT, CMND, "NGUYỄN", "KHAI"):
                assert secret not in out
        assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters)
                   for h in logging.getLogger().handlers if getattr(h, "_kiosk", False))
        setup_logging(cfg)     # again: replaces, does not duplicate
        assert sum(getattr(h, "_kiosk", False) for h in logging.getLogger().handlers) == 2
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_kiosk", False)]:
            logging.getLogger().removeHandler(h)
            h.close()
