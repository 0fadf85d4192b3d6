"""XML-DSig inside <CHUKYDONVI>: verified by xmlsec1 (an independent verifier) for a PKCS#12 key and
for a PKCS#11 key in a SoftHSM2 token set up here; tampered documents refused; the simulator
accepts what the token signed."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from gateway_helpers import FOLLOW_UP, REFERRAL, checkin, make_client, need_tool, softhsm_token, summary, write
from lxml import etree

from kiosk.gateway.sim.devcert import generate_key_and_cert
from kiosk.gateway.results import UploadOutcome
from kiosk.gateway.signing import Pkcs11Identity, SigningError, XmlDsigSigner, pkcs12_signer
from kiosk.gateway.xml import build_dossier, build_xml0

DS = "{http://www.w3.org/2000/09/xmldsig#}"


def xmlsec_verify(tmp_path, signed: bytes, cert_pem: bytes) -> subprocess.CompletedProcess:
    tool = need_tool("xmlsec1")
    doc, cert = write(tmp_path, "signed.xml", signed), write(tmp_path, "cert.pem", cert_pem)
    return subprocess.run([tool, "--verify", "--pubkey-cert-pem", str(cert), str(doc)], capture_output=True, text=True)


def assert_signature_shape(signed: bytes, c14n: str) -> None:
    root = etree.fromstring(signed)
    holder = root[-1]
    assert holder.tag == "CHUKYDONVI" and len(holder) == 1 and holder[0].tag == DS + "Signature"
    sig = holder[0]
    assert sig.find(f"{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm").endswith("rsa-sha256")
    assert sig.find(f"{DS}SignedInfo/{DS}CanonicalizationMethod").get("Algorithm") == c14n
    ref = sig.find(f"{DS}SignedInfo/{DS}Reference")
    assert ref.get("URI") == ""
    assert ref.find(f"{DS}DigestMethod").get("Algorithm").endswith("xmlenc#sha256")
    assert [t.get("Algorithm") for t in ref.find(f"{DS}Transforms")][0].endswith("enveloped-signature")
    assert sig.find(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate") is not None


@pytest.mark.parametrize("c14n,uri", [("inclusive", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"),
                                      ("exclusive", "http://www.w3.org/2001/10/xml-exc-c14n#")])
def test_pkcs12_envelope_and_xml0_verify_with_xmlsec1(tmp_path, dev_identity, c14n, uri):
    signer = pkcs12_signer(dev_identity.p12_path, dev_identity.password, c14n=c14n)
    for doc in (build_xml0(checkin()), build_dossier(summary(), follow_up=FOLLOW_UP, referral=REFERRAL)):
        signed = signer.sign(doc)
        assert_signature_shape(signed, uri)
        result = xmlsec_verify(tmp_path, signed, dev_identity.cert_pem)
        assert result.returncode == 0 and "OK" in result.stderr, result.stderr


def test_xml0_signed_content_covers_the_table(tmp_path, signer, dev_identity):
    signed = signer.sign(build_xml0(checkin()))
    # Changing anything between <CHI_TIEU_TRANG_THAI_KCB> and </DSACH_TRANG_THAI_KCB> breaks the signature.
    for old, new in ((b"<STT>1</STT>", b"<STT>2</STT>"), (b"<NGAY_VAO>202611200815", b"<NGAY_VAO>202611200816"),
                     (b"</TRANG_THAI_KCB></DSACH", b"</TRANG_THAI_KCB><TRANG_THAI_KCB/></DSACH")):
        assert old in signed
        result = xmlsec_verify(tmp_path, signed.replace(old, new, 1), dev_identity.cert_pem)
        assert result.returncode != 0


def test_tampered_envelope_and_wrong_certificate_refused(tmp_path, signer, dev_identity):
    signed = signer.sign(build_dossier(summary()))
    tampered = signed.replace(b"<NGAYLAP>20261120", b"<NGAYLAP>20261121")
    assert tampered != signed
    assert xmlsec_verify(tmp_path, tampered, dev_identity.cert_pem).returncode != 0
    _, other_cert = generate_key_and_cert("someone else")
    assert xmlsec_verify(tmp_path, signed, other_cert.public_bytes(serialization.Encoding.PEM)).returncode != 0


def test_signer_refuses_documents_without_a_signature_holder(signer):
    with pytest.raises(SigningError, match="CHUKYDONVI"):
        signer.sign(b"<TONG_HOP><MA_LK>1</MA_LK></TONG_HOP>")
    with pytest.raises(SigningError):
        signer.sign(b"<not-xml")


def test_key_and_certificate_must_match(dev_identity):
    key, _ = generate_key_and_cert("a")
    _, cert = generate_key_and_cert("b")
    with pytest.raises(SigningError, match="certificate"):
        XmlDsigSigner(key, cert)
    with pytest.raises(SigningError, match="PKCS#12"):
        pkcs12_signer(dev_identity.p12_path, b"wrong password")


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    need_tool("softhsm2-util")
    if not os.path.exists("/usr/lib/softhsm/libsofthsm2.so"):
        pytest.skip("SoftHSM2 module not installed")
    work = tmp_path_factory.mktemp("softhsm")
    (work / "tokens").mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    key, cert = generate_key_and_cert("CSKCB 79001 token test")
    key_pem = write(work, "key.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    info = softhsm_token(work, key_pem, cert.public_bytes(serialization.Encoding.DER))
    key_pem.unlink()
    ident = Pkcs11Identity(info["module"], info["pin"], info["key_label"], info["token_label"])
    yield ident, cert
    ident.close()
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def test_pkcs11_softhsm_signature_verifies_with_xmlsec1(tmp_path, softhsm):
    ident, cert = softhsm
    assert ident.certificate == cert
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    signer = ident.signer()
    for doc in (build_xml0(checkin()), build_dossier(summary(), follow_up=FOLLOW_UP)):
        signed = signer.sign(doc)
        assert_signature_shape(signed, "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
        result = xmlsec_verify(tmp_path, signed, cert_pem)
        assert result.returncode == 0 and "OK" in result.stderr, result.stderr
        tampered = signed.replace(b"<MA_CSKCB>79001", b"<MA_CSKCB>79002").replace(b"<MACSKCB>79001", b"<MACSKCB>79002")
        assert tampered != signed
        assert xmlsec_verify(tmp_path, tampered, cert_pem).returncode != 0


def test_pkcs11_key_cannot_be_exported(softhsm):
    ident, _ = softhsm
    with pytest.raises(NotImplementedError):
        ident.key.private_numbers()


@pytest.mark.parametrize("key_label,token_label,error", [
    ("no-such-key", "kiosk-test", "NoSuchKey"),
    ("facility", "no-such-token", "NoSuchToken"),
])
def test_pkcs11_misconfiguration_is_a_signing_error(softhsm, key_label, token_label, error):
    with pytest.raises(SigningError, match=error):
        Pkcs11Identity("/usr/lib/softhsm/libsofthsm2.so", "123456", key_label, token_label)


def test_pkcs11_second_identity_in_the_same_process_works(softhsm, tmp_path):
    ident, cert = softhsm          # already logged in: a second session must still sign
    other = Pkcs11Identity("/usr/lib/softhsm/libsofthsm2.so", "123456", "facility", "kiosk-test")
    signed = other.signer().sign(build_xml0(checkin()))
    assert xmlsec_verify(tmp_path, signed, cert.public_bytes(serialization.Encoding.PEM)).returncode == 0


def test_pkcs11_wrong_pin_is_a_signing_error(softhsm):
    # In a fresh process: this one is logged in to the token already (PKCS#11 login is per process).
    code = ("from kiosk.gateway.signing import Pkcs11Identity, SigningError\n"
            "try:\n    Pkcs11Identity('/usr/lib/softhsm/libsofthsm2.so', '999999', 'facility', 'kiosk-test')\n"
            "except SigningError as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "PKCS#11: PinIncorrect", out.stderr


def test_simulator_accepts_token_signed_upload_and_refuses_unregistered_cert(sim, softhsm, signer):
    ident, cert = softhsm
    c = make_client(sim.url)
    token_signed = ident.signer().sign(build_xml0(checkin("LK-HSM")))
    refused = c.upload_checkin(token_signed)      # the sim knows only the devcert for 79001
    assert refused.outcome is UploadOutcome.REJECTED and "chữ ký" in refused.message
    sim.register_facility("79001", cert.public_bytes(serialization.Encoding.PEM))
    assert c.upload_checkin(token_signed).outcome is UploadOutcome.ACCEPTED
    assert c.upload_checkin(signer.sign(build_xml0(checkin("LK-P12")))).outcome is UploadOutcome.REJECTED
