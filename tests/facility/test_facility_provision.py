"""Provisioning with a facility hub: the hub confirms or assigns the kiosk id, refuses an id held by
another machine (nothing written), and an unreachable hub leaves the enrolment to the kiosk's next
start (the facility link confirms it, or stops when the hub refuses it). Real PostgreSQL."""
from __future__ import annotations

import json
import socket
import time

import pytest

from kiosk.cli import main
from kiosk.config import load
from kiosk.facility.enrol import PENDING_KEY, enrol
from tests.facility.helpers import hub_rows
from tests.technician.test_technician_provision import PROVISIONING, snapshot


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def kiosks(tmp_path, dev_identity, monkeypatch, hub):
    """write(name, kiosk_id, machine, dsn=None) -> the provisioning file of kiosk `name`."""
    monkeypatch.setenv("TEST_GW_PASSWORD", "mat-khau-rat-bi-mat")
    monkeypatch.setenv("TEST_ADMIN_PIN", "739251")
    (tmp_path / "officer").write_text("079190000999\n")
    (tmp_path / "pin").write_text("604918\n")
    c = hub.cluster
    real = f"host={c.socket_dir} port={c.port} dbname={hub.dbname} user=hub_kiosk"

    def write(name: str, kiosk_id: str | None, machine: str, dsn: str | None = None):
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        text = PROVISIONING.format(code="79001", data=root / "data", key=root / "keys" / "db.key",
                                   officer=tmp_path / "officer", p12=dev_identity.p12_path,
                                   p12pass=dev_identity.password_file, pin=tmp_path / "pin")
        text = text.replace('id = "2"\n', "" if kiosk_id is None else f'id = "{kiosk_id}"\n')
        text += (f'\n[hub]\ndsn = "{dsn or real}"\npassword_file = "{hub.secrets / "hub_kiosk.password"}"\n'
                 f'machine = "{machine}"\n')
        path = root / "provisioning.toml"
        path.write_text(text, encoding="utf-8")
        return root, path
    return write, real


def run(root, path, capsys, *extra):
    code = main(["--config", str(root / "conf" / "kiosk.toml"), "provision", "--file", str(path), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_hub_confirms_assigns_and_refuses_kiosk_ids(kiosks, hub, capsys):
    write, _ = kiosks
    a_root, a = write("a", "2", "front-1")
    code, out, err = run(a_root, a, capsys)
    assert code == 0, err
    assert "the hub confirmed kiosk id 2" in out and "xác nhận" in out
    assert load(a_root / "conf" / "kiosk.toml", env={}).kiosk_id == "2"
    assert hub_rows(hub, "SELECT kiosk_id, machine FROM kiosk_enrolments") == [("2", "front-1")]

    # another machine asks for the same id: refused, Vietnamese first, and nothing is written
    b_root, b = write("b", "2", "front-2")
    before = snapshot(b_root)
    code, out, err = run(b_root, b, capsys)
    assert code == 2 and "nothing was changed" in err
    assert "  kiosk.id: Máy chủ cơ sở từ chối số hiệu ki-ốt 2" in err
    assert "The facility hub refused kiosk id 2" in err and "another machine" in err
    assert snapshot(b_root) == before and not (b_root / "conf").exists()
    # --check says the same without writing anything at the hub
    code, _, err = run(b_root, b, capsys, "--check")
    assert code == 2 and "refused kiosk id 2" in err
    assert hub_rows(hub, "SELECT count(*) FROM kiosk_enrolments") == [(1,)]

    # no id in the file: the hub assigns the next free one
    c_root, c = write("c", None, "front-3")
    code, out, err = run(c_root, c, capsys)
    assert code == 0, err
    assert "the hub assigned kiosk id 3" in out
    assert load(c_root / "conf" / "kiosk.toml", env={}).kiosk_id == "3"

    # the same machine again: the same id, nothing changed (idempotent), no audit entry
    code, out, _ = run(a_root, a, capsys)
    assert code == 0 and "nothing changed" in out and "confirmed kiosk id 2" in out


def test_an_unreachable_hub_leaves_the_enrolment_to_the_next_start(kiosks, hub, capsys):
    write, real = kiosks
    dead = f"host=127.0.0.1 port={_free_port()} dbname={hub.dbname} user=hub_kiosk"
    root, path = write("a", "2", "front-1", dsn=dead)
    code, out, err = run(root, path, capsys)
    assert code == 0, err
    assert "warning: Không kết nối được máy chủ cơ sở" in err and "next start" in err
    cfg = load(root / "conf" / "kiosk.toml", env={})
    assert cfg.kiosk_id == "2"
    from kiosk.commands._store import open_for_cli
    with open_for_cli(cfg) as store:
        assert json.loads(store.settings.get(PENDING_KEY)) == {"facility_code": "79001", "kiosk_id": "2",
                                                               "machine": "front-1"}
    from kiosk.doctor import OK, WARN, check_hub
    doctor = {c.name: c for c in check_hub(cfg)}       # kiosk doctor: the hub is away, the id awaits it
    assert doctor["hub connect"].status == WARN and not doctor["hub connect"].required
    assert doctor["hub enrolment"].status == WARN and "awaits the hub" in doctor["hub enrolment"].detail
    # without an id there is nothing to go on with
    root2, path2 = write("b", None, "front-2", dsn=dead)
    code, _, err = run(root2, path2, capsys)
    assert code == 2 and "  kiosk.id: required: the facility hub is unreachable" in err

    # the kiosk starts with the hub up: the link confirms the enrolment, then works as usual
    from kiosk.facility.runner import FacilityLink
    from kiosk.store.keys import FileKeyProvider
    key = FileKeyProvider(cfg.key_file, cfg.data_dir).load()
    link = FacilityLink(cfg.replace(hub_dsn=real, hub_password_file=hub.secrets / "hub_kiosk.password",
                                    hub_push_seconds=0.2), key).start()
    try:
        deadline = time.monotonic() + 20
        while not link.online and time.monotonic() < deadline:
            time.sleep(0.05)
        assert link.online and link.enrol_refused is None
    finally:
        link.stop()
    assert hub_rows(hub, "SELECT kiosk_id, machine FROM kiosk_enrolments") == [("2", "front-1")]
    with open_for_cli(cfg) as store:
        assert store.settings.get(PENDING_KEY) is None
    up = cfg.replace(hub_dsn=real, hub_password_file=hub.secrets / "hub_kiosk.password")
    assert [(c.name, c.status) for c in check_hub(up)] == [
        ("hub connect", OK), ("hub role", OK), ("hub tls", OK), ("hub schema", OK), ("hub enrolment", OK)]


def test_a_pending_id_taken_meanwhile_stops_the_link(kiosks, hub, capsys):
    write, real = kiosks
    dead = f"host=127.0.0.1 port={_free_port()} dbname={hub.dbname} user=hub_kiosk"
    root, path = write("a", "2", "front-1", dsn=dead)
    assert run(root, path, capsys)[0] == 0
    with hub.connect() as conn:                       # meanwhile another machine enrolled as 2
        assert enrol(conn, "79001", "front-9", "2") == ("2", True)
    cfg = load(root / "conf" / "kiosk.toml", env={})
    from kiosk.facility.runner import FacilityLink
    from kiosk.store.keys import FileKeyProvider
    key = FileKeyProvider(cfg.key_file, cfg.data_dir).load()
    link = FacilityLink(cfg.replace(hub_dsn=real, hub_password_file=hub.secrets / "hub_kiosk.password",
                                    hub_push_seconds=0.2), key).start()
    try:
        assert link._thread is not None
        link._thread.join(20)
        assert not link._thread.is_alive()           # the link stopped: it pushes nothing
        assert not link.online and link.rounds == 0
        assert link.enrol_refused is not None and "từ chối số hiệu ki-ốt 2" in link.enrol_refused
    finally:
        link.stop()
    assert hub_rows(hub, "SELECT count(*) FROM hub_kiosks WHERE kiosk_id = '2'") == [(0,)]
    from kiosk.commands._store import open_for_cli
    with open_for_cli(cfg) as store:                  # kept: every start says it again
        assert "refused" in json.loads(store.settings.get(PENDING_KEY))
    from kiosk.doctor import FAIL, check_hub
    enrolment = check_hub(cfg.replace(hub_dsn=real, hub_password_file=hub.secrets / "hub_kiosk.password"))[-1]
    assert enrolment.status == FAIL and "từ chối số hiệu ki-ốt 2" in enrolment.detail and enrolment.required
