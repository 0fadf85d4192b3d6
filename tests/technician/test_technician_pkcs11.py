"""Provisioning with a PKCS#11 token: a real SoftHSM2 token is opened with the PIN before anything
is written; a wrong PIN or key label names its field."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from kiosk.technician import provision as tp
pytestmark = [pytest.mark.integration]

MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def token(tmp_path):
    util = shutil.which("softhsm2-util")
    if util is None or not os.path.exists(MODULE):
        pytest.skip("SoftHSM2 is not installed (./dev.sh setup installs it)")
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass
    from kiosk.gateway.sim.devcert import generate_key_and_cert
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    key, cert = generate_key_and_cert("CSKCB 79001 desk token")
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    subprocess.run([util, "--init-token", "--free", "--label", "desk", "--so-pin", "00001234", "--pin", "246813"],
                   check=True, capture_output=True)
    subprocess.run([util, "--import", str(key_pem), "--token", "desk", "--label", "facility", "--id", "01",
                    "--pin", "246813"], check=True, capture_output=True)
    key_pem.unlink()
    lib = pkcs11.lib(MODULE)
    lib.reinitialize()
    with lib.get_token(token_label="desk").open(rw=True, user_pin="246813") as session:
        der = cert.public_bytes(serialization.Encoding.DER)
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                               Attribute.TOKEN: True, Attribute.LABEL: "facility", Attribute.ID: b"\x01",
                               Attribute.VALUE: der, Attribute.SUBJECT: cert.subject.public_bytes()})
    yield
    lib.reinitialize()
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def doc(tmp_path, **signing):
    return {"facility": {"code": "79001", "name": "BV"}, "gateway": {"url": "http://127.0.0.1:9", "username": "u"},
            "kiosk": {"id": "3", "data_dir": str(tmp_path / "data"), "key_file": str(tmp_path / "k" / "db.key")},
            "signing": {"source": "pkcs11", "pkcs11_module": MODULE, "token_label": "desk", "key_label": "facility",
                        "pin_env": "TOKEN_PIN", **signing},
            "staff": [{"username": "admin", "role": "admin", "pin_env": "ADMIN_PIN"}]}


@pytest.mark.parametrize("changes, env_pin, field", [
    ({}, "999999", "signing.pin"),
    ({"key_label": "nope"}, "246813", "signing.key_label"),
])
def test_a_token_that_cannot_sign_names_the_field_and_changes_nothing(tmp_path, token, changes, env_pin, field):
    with pytest.raises(tp.ProvisionError) as err:
        tp.plan_from_dict(doc(tmp_path, **changes), tmp_path / "conf" / "kiosk.toml",
                          {"TOKEN_PIN": env_pin, "ADMIN_PIN": "739251"})
    assert field in err.value.fields and env_pin not in str(err.value)
    assert not (tmp_path / "conf").exists() and not (tmp_path / "data").exists()


def test_a_usable_token_is_provisioned(tmp_path, token):
    from kiosk.config import load
    from kiosk.settings_map import signer as signer_from_config
    plan = tp.plan_from_dict(doc(tmp_path), tmp_path / "conf" / "kiosk.toml",
                             {"TOKEN_PIN": "246813", "ADMIN_PIN": "739251"})
    tp.apply(plan)
    cfg = load(tmp_path / "conf" / "kiosk.toml", env={})
    assert (cfg.signing_source, cfg.pkcs11_key_label, cfg.pkcs11_pin) == ("pkcs11", "facility", "246813")
    assert signer_from_config(cfg).certificate.subject.rfc4514_string().startswith("CN=CSKCB 79001 desk token")
