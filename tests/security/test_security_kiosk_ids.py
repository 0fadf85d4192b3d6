"""Two kiosks never share a kiosk_id (it is in every MA_LK), and the gateway URL is never cleartext
outside the demo: provisioning refuses, `kiosk doctor` flags (red-team H1 collision, H2)."""
from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.config import load
from kiosk.doctor import FAIL, OK, WARN, check_gateway_url, check_kiosk_id
from kiosk.security.kiosk_ids import kiosk_id_problems


@pytest.mark.parametrize("kiosk_id, ids, bad", [
    ("1", [], "built-in default"),
    ("2", ["1", "2", "2"], "more than once"),
    ("4", ["1", "2", "3"], "not in facility_kiosk_ids"),
])
def test_default_duplicated_or_unlisted_ids_are_problems(kiosk_id, ids, bad):
    problems = kiosk_id_problems(kiosk_id, ids)
    assert problems and bad in problems[0]


@pytest.mark.parametrize("kiosk_id, ids", [("2", []), ("1", ["1", "2"]), ("B", ["A", "B", "C"])])
def test_distinct_listed_ids_pass(kiosk_id, ids):
    assert kiosk_id_problems(kiosk_id, ids) == []


def cfg_with(tmp_path, text: str):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return load(path, env={})


def test_doctor_flags_the_default_kiosk_id_and_http(tmp_path):
    cfg = cfg_with(tmp_path, 'gateway_url = "http://egw.example.invalid"\n')
    kid, tls = check_kiosk_id(cfg), check_gateway_url(cfg)
    assert kid.status == FAIL and "default" in kid.detail and kid.required
    assert tls.status == FAIL and "clear" in tls.detail and "https" in tls.fix
    demo = cfg_with(tmp_path, 'gateway_url = "http://127.0.0.1:9"\ngateway_allow_http = true\n'
                              'kiosk_id = "1"\nfacility_kiosk_ids = ["1", "2"]\n')
    assert check_gateway_url(demo).status == WARN and check_kiosk_id(demo).status == OK
    good = cfg_with(tmp_path, 'kiosk_id = "2"\n')
    assert check_gateway_url(good).status == OK and check_kiosk_id(good).status == OK


PROVISIONING = """
[facility]
code = "79001"
name = "Bệnh viện Thử nghiệm"
[kiosk]
id = "{kid}"
{ids}
data_dir = "{data}"
key_file = "{key}"
[gateway]
url = "https://egw.example.invalid"
username = "79001_kiosk"
"""


@pytest.mark.parametrize("kid, ids, words", [("1", "", "built-in default"),
                                             ("2", 'facility_ids = ["1", "2", "2"]', "more than once")])
def test_provisioning_refuses_a_default_or_duplicated_kiosk_id(tmp_path, capsys, kid, ids, words):
    path = tmp_path / "provisioning.toml"
    path.write_text(PROVISIONING.format(kid=kid, ids=ids, data=tmp_path / "data", key=tmp_path / "k" / "db.key"),
                    encoding="utf-8")
    code = main(["--config", str(tmp_path / "conf" / "kiosk.toml"), "provision", "--file", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "  kiosk.id:" in err and words in err and "nothing was changed" in err
    assert not (tmp_path / "conf" / "kiosk.toml").exists()


def test_identity_parse_text_refuses_lone_surrogates(capsys):
    """Info: invalid UTF-8 in argv became a name with lone surrogates (1,073 red-team inputs)."""
    code = main(["identity", "parse", "--text", "079085000001|\udcc3\udca9|NGUY\udce1N"])
    assert code == 1 and "not valid UTF-8" in capsys.readouterr().err
