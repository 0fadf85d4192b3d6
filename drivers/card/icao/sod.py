"""EF.SOD: a CMS SignedData over the LDS Security Object (DG number → hash), per 9303 part 10."""
from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import algos, cms, core, x509 as ax509

from drivers.card.errors import MalformedDataError
from drivers.card.icao import tlv

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
CSCA_MASTER_LIST_OID = "2.23.136.1.1.2"


class DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashValues(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LdsSecurityObject(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


class CertificateSet(core.SetOf):
    _child_spec = ax509.Certificate


class CscaMasterList(core.Sequence):
    _fields = [("version", core.Integer), ("cert_list", CertificateSet)]


@dataclass(frozen=True)
class Sod:
    hash_algorithm: str                 # asn1crypto name: sha1, sha256, ...
    dg_hashes: dict[int, bytes]
    econtent: bytes                     # DER of the LDS security object (what the digest covers)
    signer: cms.SignerInfo
    certificates: tuple[bytes, ...]     # DER of the certificates carried in the SignedData
    digest_algorithm: str               # the SignerInfo's digest algorithm


def _signed_data(raw: bytes, what: str) -> cms.SignedData:
    info = cms.ContentInfo.load(raw)
    if info["content_type"].native != "signed_data":
        raise MalformedDataError(f"{what} is not a CMS SignedData")
    return info["content"]


def parse_sod(data: bytes) -> Sod:
    """Parse EF.SOD (outer tag 0x77) into its parts; raises MalformedDataError."""
    try:
        sd = _signed_data(tlv.unwrap(data, 0x77), "EF.SOD")
        encap = sd["encap_content_info"]
        if encap["content_type"].dotted != LDS_SECURITY_OBJECT_OID:
            raise MalformedDataError("EF.SOD does not carry an LDS security object")
        econtent = encap["content"].native
        if not isinstance(econtent, bytes):
            raise MalformedDataError("EF.SOD has no encapsulated content")
        lso = LdsSecurityObject.load(econtent)
        hashes = {int(h["data_group_number"].native): h["data_group_hash_value"].native
                  for h in lso["data_group_hash_values"]}
        signers = sd["signer_infos"]
        if len(signers) != 1:
            raise MalformedDataError("EF.SOD must have exactly one signer")
        certs = () if isinstance(sd["certificates"], core.Void) else tuple(
            c.chosen.dump() for c in sd["certificates"] if c.name == "certificate")
        return Sod(lso["hash_algorithm"]["algorithm"].native, hashes, econtent, signers[0], certs,
                   signers[0]["digest_algorithm"]["algorithm"].native)
    except MalformedDataError:
        raise
    except (ValueError, TypeError, KeyError, tlv.TlvError) as exc:
        raise MalformedDataError("EF.SOD cannot be parsed") from exc


def parse_master_list(raw: bytes) -> list[bytes]:
    """DER certificates of an ICAO CSCA master list (CMS SignedData over CscaMasterList).

    The master list's own signature is not checked here: the file is trusted as configured.
    """
    try:
        sd = _signed_data(raw, "master list")
        encap = sd["encap_content_info"]
        if encap["content_type"].dotted != CSCA_MASTER_LIST_OID:
            raise MalformedDataError("CMS content is not a CSCA master list")
        ml = CscaMasterList.load(encap["content"].native)
        return [c.dump() for c in ml["cert_list"]]
    except MalformedDataError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedDataError("master list cannot be parsed") from exc
