"""The trusted CSCA store: PEM/DER certificates and ICAO master lists from one directory."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from drivers.card.errors import MalformedDataError
from drivers.card.icao.sod import parse_master_list

log = logging.getLogger(__name__)


@dataclass
class CscaStore:
    certificates: list[x509.Certificate] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)   # file names that held no certificate

    def issuers_of(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """Candidate CSCAs for `cert`: same subject name as its issuer, key id matching if known."""
        out = [c for c in self.certificates if c.subject == cert.issuer]
        try:
            aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        except x509.ExtensionNotFound:
            return out
        def ski(c: x509.Certificate) -> bytes | None:
            try:
                return c.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                return None
        matching = [c for c in out if ski(c) in (aki, None)]
        return matching or out

    def __len__(self) -> int:
        return len(self.certificates)


def _certs_from_bytes(raw: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" in raw:
        return x509.load_pem_x509_certificates(raw)
    try:
        return [x509.load_der_x509_certificate(raw)]
    except ValueError:
        pass
    return [x509.load_der_x509_certificate(der) for der in parse_master_list(raw)]


def load_store(path: Path | str | None) -> CscaStore:
    """Every certificate in the files of `path` (a directory, or one file). Missing: empty store."""
    store = CscaStore()
    if not path:
        return store
    p = Path(path)
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p] if p.is_file() else []
    for f in files:
        try:
            store.certificates.extend(_certs_from_bytes(f.read_bytes()))
        except (ValueError, MalformedDataError, OSError):
            store.unreadable.append(f.name)
            log.warning("CSCA store: %s holds no certificate or master list", f.name)
    return store
