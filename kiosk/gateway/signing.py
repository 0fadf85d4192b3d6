"""XML-DSig enveloped signatures inside <CHUKYDONVI>, with the facility key from PKCS#12 or PKCS#11.

Where the signature goes: every signed document (the GIAMDINHHS envelope and XML0) carries a
`<CHUKYDONVI>` element as the root's last child, and the `ds:Signature` is placed inside it. The
single Reference has URI="" with the enveloped-signature transform, so the digest covers the
whole root element minus the signature itself. For XML0 that is the content from
`<CHI_TIEU_TRANG_THAI_KCB>` through `</DSACH_TRANG_THAI_KCB>` of the agency's note plus the empty
`<CHUKYDONVI/>` wrapper (the natural reading: the note names the signed table, the wrapper is
where the signature lives). RSA-SHA256, SHA-256 digest, C14N 1.0 (inclusive, default) or
exclusive C14N, the X.509 certificate in KeyInfo/X509Data.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE_HOLDER = "CHUKYDONVI"
_PKCS1v15 = padding.PKCS1v15
C14N = {"inclusive": CanonicalizationMethod.CANONICAL_XML_1_0,
        "exclusive": CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0}


class SigningError(Exception):
    """The key or certificate cannot be used, or the document cannot be signed (no personal data)."""


class Signer(Protocol):
    def sign(self, xml_bytes: bytes) -> bytes: ...


class XmlDsigSigner:
    """Signs a document that has a <CHUKYDONVI> child of its root; returns UTF-8 bytes."""

    def __init__(self, key: rsa.RSAPrivateKey, certificate: x509.Certificate,
                 chain: list[x509.Certificate] | None = None, c14n: str = "inclusive"):
        if c14n not in C14N:
            raise SigningError("c14n is 'inclusive' or 'exclusive'")
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SigningError("the facility key must be RSA")
        if key.public_key().public_numbers() != certificate.public_key().public_numbers():
            raise SigningError("the certificate does not belong to the signing key")
        self.key = key
        self.certificate = certificate
        self._certs = [c.public_bytes(serialization.Encoding.PEM).decode("ascii")
                       for c in [certificate, *(chain or [])]]
        self._c14n = C14N[c14n]
        self._parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)

    def sign(self, xml_bytes: bytes) -> bytes:
        try:
            root = etree.fromstring(xml_bytes, self._parser)
        except etree.XMLSyntaxError as exc:
            raise SigningError(f"not well-formed XML: {exc.msg}") from None
        holders = [child for child in root if child.tag == SIGNATURE_HOLDER]
        if len(holders) != 1:
            raise SigningError(f"<{root.tag}> needs exactly one <{SIGNATURE_HOLDER}> child")
        holder = holders[0]
        for child in list(holder):
            holder.remove(child)
        holder.text = None
        placeholder = etree.SubElement(holder, f"{{{DS_NS}}}Signature", nsmap={"ds": DS_NS})
        placeholder.set("Id", "placeholder")
        signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256,
                           digest_algorithm=DigestAlgorithm.SHA256, c14n_algorithm=self._c14n)
        signer.namespaces = {"ds": DS_NS}
        signed = signer.sign(root, key=self.key, cert=self._certs)
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


# ---- PKCS#12
def load_pkcs12(path: Path, password: bytes | str | None) -> tuple[rsa.RSAPrivateKey, x509.Certificate,
                                                                   list[x509.Certificate]]:
    if isinstance(password, str):
        password = password.encode("utf-8")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(Path(path).read_bytes(), password or None)
    except FileNotFoundError:
        raise SigningError(f"PKCS#12 file not found: {path}") from None
    except ValueError:
        raise SigningError(f"cannot open PKCS#12 file {path}: wrong password or not PKCS#12") from None
    if key is None or cert is None:
        raise SigningError(f"PKCS#12 file {path} lacks a private key or certificate")
    return key, cert, list(extra or [])


def pkcs12_signer(path: Path, password: bytes | str | None, c14n: str = "inclusive") -> XmlDsigSigner:
    key, cert, chain = load_pkcs12(path, password)
    return XmlDsigSigner(key, cert, chain, c14n=c14n)


# ---- PKCS#11
class Pkcs11RsaKey(rsa.RSAPrivateKey):
    """A cryptography RSA private key whose sign() runs on the token (CKM_SHA256_RSA_PKCS)."""

    def __init__(self, token_key, public_key: rsa.RSAPublicKey, lock: threading.Lock | None = None):
        self._token_key = token_key
        self._public_key = public_key
        self._lock = lock or threading.Lock()

    def sign(self, data: bytes, padding: padding.AsymmetricPadding, algorithm) -> bytes:  # noqa: F811
        from pkcs11 import Mechanism
        if not isinstance(padding, _PKCS1v15):
            raise SigningError("the token key signs with PKCS#1 v1.5 padding only")
        if isinstance(algorithm, Prehashed) or not isinstance(algorithm, hashes.SHA256):
            raise SigningError("the token key signs SHA-256 only")
        with self._lock:   # one PKCS#11 session: serialise its use
            return bytes(self._token_key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public_key

    @property
    def key_size(self) -> int:
        return self._public_key.key_size

    def decrypt(self, ciphertext: bytes, padding) -> bytes:
        raise NotImplementedError("the token key is for signing only")

    def private_numbers(self):
        raise NotImplementedError("a token key cannot be exported")

    def private_bytes(self, encoding, format, encryption_algorithm):
        raise NotImplementedError("a token key cannot be exported")

    def __copy__(self) -> "Pkcs11RsaKey":
        return self

    def __deepcopy__(self, memo) -> "Pkcs11RsaKey":
        return self


class Pkcs11Identity:
    """An open session on a PKCS#11 token with the facility key (and its certificate)."""

    def __init__(self, module: Path, pin: str, key_label: str, token_label: str = "", slot: int | None = None,
                 cert_pem: bytes | None = None):
        import pkcs11
        from pkcs11 import Attribute, ObjectClass
        try:
            lib = pkcs11.lib(str(module))
            if slot is not None and slot >= 0:
                slots = [s for s in lib.get_slots(token_present=True) if s.slot_id == slot]
                if not slots:
                    raise SigningError(f"PKCS#11 slot {slot} has no token")
                token = slots[0].get_token()
            else:
                token = lib.get_token(token_label=token_label) if token_label else lib.get_token()
            try:
                self._session = token.open(user_pin=pin)
            except pkcs11.exceptions.UserAlreadyLoggedIn:
                # PKCS#11 login is per process and token: another session of ours already logged in.
                self._session = token.open()
            key = self._session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=key_label)
            if cert_pem is None:
                certs = list(self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                                        Attribute.LABEL: key_label}))
                if not certs:
                    raise SigningError(f"no certificate labelled {key_label!r} on the token")
                cert = x509.load_der_x509_certificate(bytes(certs[0][Attribute.VALUE]))
            else:
                cert = x509.load_pem_x509_certificate(cert_pem)
        except SigningError:
            raise
        except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
            raise SigningError(f"PKCS#11: {type(exc).__name__}") from None
        self.certificate = cert
        self.key = Pkcs11RsaKey(key, cert.public_key())

    def signer(self, c14n: str = "inclusive") -> XmlDsigSigner:
        return XmlDsigSigner(self.key, self.certificate, c14n=c14n)

    def close(self) -> None:
        self._session.close()
