"""`kiosk provision`: idempotent, checks everything first, names the bad field, changes nothing."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load

PROVISIONING = """
[facility]
code = "{code}"
name = "Bệnh viện Đa khoa Thử nghiệm"
head_code = "GD79001"

[kiosk]
id = "2"
language = "vi"
data_dir = "{data}"
key_file = "{key}"
printer = "sim"

[gateway]
url = "http://127.0.0.1:9"
username = "79001_kiosk"
password_env = "TEST_GW_PASSWORD"
officer_name = "NGUYỄN THỊ TRA CỨU"
officer_cccd_file = "{officer}"

[signing]
source = "pkcs12"
pkcs12 = "{p12}"
password_file = "{p12pass}"

[[services]]
code = "K01"
name_vi = "Khám Nội"
name_en = "Internal medicine"
room = "101"
ticket_letter = "A"

[[staff]]
username = "admin"
display_name = "Quản trị"
role = "admin"
pin_env = "TEST_ADMIN_PIN"

[[staff]]
username = "le.tan"
display_name = "Lễ tân"
role = "reception"
pin_file = "{pin}"
"""


@pytest.fixture
def prov(tmp_path, dev_identity, monkeypatch):
    monkeypatch.setenv("TEST_GW_PASSWORD", "mat-khau-rat-bi-mat")
    monkeypatch.setenv("TEST_ADMIN_PIN", "739251")
    (tmp_path / "officer").write_text("079190000999\n")
    (tmp_path / "pin").write_text("604918\n")
    values = dict(code="79001", data=tmp_path / "data", key=tmp_path / "keys" / "db.key", officer=tmp_path / "officer",
                  p12=dev_identity.p12_path, p12pass=dev_identity.password_file, pin=tmp_path / "pin")

    def write(**changes):
        path = tmp_path / "provisioning.toml"
        path.write_text(PROVISIONING.format(**{**values, **changes}), encoding="utf-8")
        return path
    return tmp_path, write


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "provisioning.toml" and not p.name.endswith(("-wal", "-shm")):
            out[str(p.relative_to(root))] = (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
    return out


def run(tmp_path, path, capsys):
    code = main(["--config", str(tmp_path / "conf" / "kiosk.toml"), "provision", "--file", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_provision_twice_gives_the_same_state(prov, capsys):
    tmp_path, write = prov
    path = write()
    code, out, err = run(tmp_path, path, capsys)
    assert code == 0, err
    assert "mat-khau" not in out + err and "604918" not in out + err and "079190000999" not in out + err
    conf = tmp_path / "conf" / "kiosk.toml"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    cfg = load(conf, env={})
    # minor 25: the gateway password and the officer's CCCD live in the key store, not in kiosk.toml
    text = conf.read_text(encoding="utf-8")
    assert "mat-khau-rat-bi-mat" not in text and "079190000999" not in text
    assert (cfg.facility_code, cfg.kiosk_id, cfg.gateway_password, cfg.gateway_officer_cccd) == ("79001", "2", "", "")
    from kiosk.settings_map import gateway_client, key_store_secret
    assert key_store_secret(cfg.gateway_password, cfg.gateway_password_file, "p") == "mat-khau-rat-bi-mat"
    assert key_store_secret(cfg.gateway_officer_cccd, cfg.gateway_officer_cccd_file, "c") == "079190000999"
    for name in ("gateway.pass", "officer.cccd"):
        assert stat.S_IMODE((tmp_path / "conf" / "secrets" / name).stat().st_mode) == 0o600
    client = gateway_client(cfg.replace(gateway_allow_http=True))
    from kiosk.gateway.client import md5_upper
    assert (client._password_md5, client.officer_cccd) == (md5_upper("mat-khau-rat-bi-mat"), "079190000999")
    assert cfg.signing_pkcs12 == tmp_path / "conf" / "secrets" / "facility.p12"
    from kiosk.settings_map import signer as signer_from_config
    assert signer_from_config(cfg).certificate is not None        # the imported key signs
    first = snapshot(tmp_path)
    from kiosk.commands._store import open_for_cli
    with open_for_cli(cfg) as store:
        staff = [(a.username, a.role, a.pin_hash) for a in store.staff.list()]
        audit_count = store.audit.count()
    assert [s[:2] for s in staff] == [("admin", "admin"), ("le.tan", "reception")]

    code, out, _ = run(tmp_path, path, capsys)
    assert code == 0 and "nothing changed" in out
    second = snapshot(tmp_path)
    assert {k: v for k, v in second.items() if k != "data/kiosk.db"} == \
        {k: v for k, v in first.items() if k != "data/kiosk.db"}
    with open_for_cli(cfg) as store:
        assert [(a.username, a.role, a.pin_hash) for a in store.staff.list()] == staff
        assert store.audit.count() == audit_count
        from kiosk.security.audit_log import AuditLog
        assert AuditLog(store).verify().ok


@pytest.mark.parametrize("changes, field", [
    ({"code": "7900A"}, "facility.code"),
    ({"code": "790011"}, "facility.code"),
    ({"p12": "/nonexistent/facility.p12"}, "signing.pkcs12"),
    ({"p12pass": "/nonexistent/pass"}, "signing.password_file"),
])
def test_bad_file_names_the_field_and_changes_nothing(prov, capsys, changes, field):
    tmp_path, write = prov
    code, _, err = run(tmp_path, write(**changes), capsys)
    assert code == 2 and f"  {field}:" in err and "nothing was changed" in err
    assert snapshot(tmp_path).keys() <= {"officer", "pin"}


def test_unreadable_database_key_file_changes_nothing_on_a_provisioned_kiosk(prov, capsys):
    tmp_path, write = prov
    assert run(tmp_path, write(), capsys)[0] == 0
    before = snapshot(tmp_path)
    bad_key = tmp_path / "keys" / "short.key"
    bad_key.write_bytes(b"not a key")
    code, _, err = run(tmp_path, write(key=bad_key, code="79002"), capsys)
    assert code == 2 and "  kiosk.key_file:" in err
    after = snapshot(tmp_path)
    after.pop("keys/short.key")
    assert {k: v for k, v in after.items() if k != "data/kiosk.db"} == \
        {k: v for k, v in before.items() if k != "data/kiosk.db"}
    assert load(tmp_path / "conf" / "kiosk.toml", env={}).facility_code == "79001"


def test_inline_secrets_are_refused(prov, capsys):
    tmp_path, write = prov
    path = write()
    path.write_text(path.read_text().replace('password_env = "TEST_GW_PASSWORD"', 'password = "x"'))
    code, _, err = run(tmp_path, path, capsys)
    assert code == 2 and "gateway.password:" in err and '"x"' not in err


def test_staff_list_and_add_from_the_cli(prov, capsys, monkeypatch):
    tmp_path, write = prov
    assert run(tmp_path, write(), capsys)[0] == 0
    conf = str(tmp_path / "conf" / "kiosk.toml")
    monkeypatch.setenv("NEW_PIN", "815237")
    monkeypatch.setenv("ADMIN_PIN", "000000")
    assert main(["--config", conf, "staff", "add", "bac.si", "--name", "Bác sĩ", "--role", "clinician",
                 "--pin-env", "NEW_PIN", "--admin", "admin", "--admin-pin-env", "ADMIN_PIN"]) == 1
    assert "wrong user or PIN" in capsys.readouterr().err
    monkeypatch.setenv("ADMIN_PIN", "739251")
    assert main(["--config", conf, "staff", "add", "bac.si", "--name", "Bác sĩ", "--role", "clinician",
                 "--pin-env", "NEW_PIN", "--admin", "admin", "--admin-pin-env", "ADMIN_PIN"]) == 0
    capsys.readouterr()
    assert main(["--config", conf, "staff", "list"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[:2] for line in out.splitlines()] == [["admin", "admin"], ["bac.si", "clinician"],
                                                              ["le.tan", "reception"]]
    assert "815237" not in out


def test_check_names_the_missing_pin_not_a_missing_admin(tmp_path):
    """QA minor 25: an admin row whose PIN variable is unset is reported as that PIN only."""
    from kiosk.technician import provision as tp
    doc = {"facility": {"code": "79001", "name": "BV"}, "kiosk": {"id": "1", "data_dir": str(tmp_path / "d"),
                                                                   "key_file": str(tmp_path / "k" / "db.key")},
           "gateway": {"url": "https://egw.example", "username": "u"},
           "staff": [{"username": "admin", "role": "admin", "pin_env": "NOT_SET_ANYWHERE"}]}
    with pytest.raises(tp.ProvisionError) as err:
        tp.plan_from_dict(doc, tmp_path / "conf" / "kiosk.toml", env={})
    fields = err.value.fields
    assert "staff[0].pin_env" in fields and "staff" not in fields


def test_provision_is_audited_as_the_os_user_with_the_key_file(prov, capsys):
    """Red-team L3: provisioning creates an admin with no admin PIN; the audit must say who could."""
    import json
    import os
    tmp_path, write = prov
    code, _, err = run(tmp_path, write(), capsys)
    assert code == 0, err
    from kiosk.commands._store import open_for_cli
    with open_for_cli(load(tmp_path / "conf" / "kiosk.toml", env={})) as store:
        entry = store.audit.list(limit=1, action="provision.apply")[0]
    details = json.loads(entry.details)
    assert entry.role == "os-user" and entry.actor.startswith("cli:")
    assert details["uid"] == os.getuid() and details["authority"] == "OS user with the database key file"
    assert "739251" not in entry.details and "mat-khau" not in entry.details
