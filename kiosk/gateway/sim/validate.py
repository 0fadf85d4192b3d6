"""Gateway simulator: decode and check an uploaded XML0 or GIAMDINHHS envelope like the gateway.

Checks: base64, well-formed UTF-8 XML, root and record names, every field present in the order of
the table, lengths and date formats, MA_CSKCB equal to the uploader's, one MA_LK per dossier,
and the XML-DSig signature inside <CHUKYDONVI> verified against the facility's registered
certificate, covering the whole document. Rejection messages name fields, never values.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography import x509
from lxml import etree
from signxml import InvalidInput, InvalidSignature, XMLVerifier

from kiosk.gateway.xml_spec import (D8, DEFAULT_REVISION, ENVELOPE_ROOT, ENVELOPE_TABLES, SIGNATURE_HOLDER, XML0,
                                    FieldSpec, TableSpec, check_value)
from kiosk.gateway.xml_spec import tables as revision_tables

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_NGAYLAP = FieldSpec("NGAYLAP", D8, 8, True)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class UploadInvalid(Exception):
    """The upload is refused; str() is the gateway-style message (Vietnamese, English in brackets)."""


@dataclass(frozen=True)
class Dossier:
    ma_lk: str
    tables: tuple[str, ...]        # e.g. ("XML0",) or ("XML1", "XML14")
    summary: dict[str, str] | None = None   # the XML1 fields of a dossier (feeds the visit history)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise UploadInvalid(f"Nội dung {what} không phải base64 hợp lệ ({what} is not valid base64)") from None


def _parse(data: bytes, what: str) -> etree._Element:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadInvalid(f"Tệp {what} không phải UTF-8 ({what} is not UTF-8)") from None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise UploadInvalid(f"Tệp {what} sai cấu trúc XML ({what} is not well-formed XML)") from None


def check_record(record: etree._Element, spec: TableSpec) -> dict[str, str]:
    """Field names and order exactly as the table; values checked. Returns name -> text."""
    names = [child.tag for child in record if isinstance(child.tag, str)]
    if tuple(names) != spec.names:
        missing = [n for n in spec.names if n not in names]
        extra = [n for n in names if n not in spec.names]
        if missing:
            detail = f"thiếu trường {missing[0]} (missing field {missing[0]})"
        elif extra:
            detail = f"trường không hợp lệ {extra[0]} (unknown field {extra[0]})"
        else:
            wrong = next(a for a, b in zip(names, spec.names) if a != b)
            detail = f"sai thứ tự trường {wrong} (field {wrong} out of order)"
        raise UploadInvalid(f"{spec.table}: {detail}")
    values = {child.tag: (child.text or "") for child in record if isinstance(child.tag, str)}
    for field in spec.fields:
        problem = check_value(field, values[field.name])
        if problem:
            raise UploadInvalid(f"{spec.table}: dữ liệu không hợp lệ ({problem})")
    return values


def verify_signature(root: etree._Element, cert: x509.Certificate | None, what: str) -> etree._Element:
    """The signed document (as verified), or UploadInvalid."""
    if cert is None:
        raise UploadInvalid("Cơ sở KCB chưa đăng ký chứng thư số (no certificate registered for the facility)")
    holders = [c for c in root if c.tag == SIGNATURE_HOLDER]
    if len(holders) != 1 or holders[0].find(f"{{{DS_NS}}}Signature") is None:
        raise UploadInvalid(f"{what}: thiếu chữ ký số trong {SIGNATURE_HOLDER} (no signature in {SIGNATURE_HOLDER})")
    if len(root.findall(f".//{{{DS_NS}}}Signature")) != 1:
        raise UploadInvalid(f"{what}: có nhiều hơn một chữ ký (more than one signature)")
    try:
        result = XMLVerifier().verify(root, x509_cert=cert)
    except (InvalidSignature, InvalidInput, ValueError) as exc:
        raise UploadInvalid(f"{what}: chữ ký số không hợp lệ (signature invalid: {type(exc).__name__})") from None
    signed = result.signed_xml
    if signed is None or signed.tag != root.tag:
        raise UploadInvalid(f"{what}: chữ ký số không bao toàn bộ tài liệu (signature does not cover the document)")
    return signed


def _facility(values: dict[str, str], expected: str, table: str) -> None:
    if values["MA_CSKCB"] != expected:
        raise UploadInvalid(f"{table}: MA_CSKCB không khớp cơ sở gửi (MA_CSKCB differs from maCSKCB)")


def check_checkin(file_b64: str, ma_cskcb: str, cert: x509.Certificate | None) -> tuple[bytes, list[Dossier]]:
    data = _b64(file_b64, "fileHSBase64")
    root = _parse(data, "XML0")
    if root.tag != XML0.path[0]:
        raise UploadInvalid(f"Sai thẻ gốc {root.tag!s:.40} (root must be {XML0.path[0]})")
    signed = verify_signature(root, cert, "XML0")
    lists = [c for c in signed if c.tag != SIGNATURE_HOLDER]
    if len(lists) != 1 or lists[0].tag != XML0.path[1]:
        raise UploadInvalid(f"XML0: cần đúng một {XML0.path[1]} (exactly one {XML0.path[1]})")
    records = list(lists[0])
    if not records or any(r.tag != XML0.path[2] for r in records):
        raise UploadInvalid(f"XML0: {XML0.path[1]} chỉ chứa {XML0.path[2]} (only {XML0.path[2]} rows)")
    dossiers = []
    for record in records:
        values = check_record(record, XML0)
        _facility(values, ma_cskcb, "XML0")
        dossiers.append(Dossier(values["MA_LK"], ("XML0",)))
    return data, dossiers


def check_envelope(file_b64: str, ma_cskcb: str, cert: x509.Certificate | None,
                   revision: str = DEFAULT_REVISION) -> tuple[bytes, list[Dossier]]:
    """A GIAMDINHHS upload, its tables checked against the layouts of `revision` (the endpoint's)."""
    data = _b64(file_b64, "fileHSBase64")
    root = _parse(data, ENVELOPE_ROOT)
    if root.tag != ENVELOPE_ROOT:
        raise UploadInvalid(f"Sai thẻ gốc (root must be {ENVELOPE_ROOT})")
    signed = verify_signature(root, cert, ENVELOPE_ROOT)
    if [c.tag for c in signed] != ["THONGTINDONVI", "THONGTINHOSO", SIGNATURE_HOLDER]:
        raise UploadInvalid("GIAMDINHHS: cần THONGTINDONVI, THONGTINHOSO, CHUKYDONVI theo thứ tự (wrong layout)")
    if signed.findtext("THONGTINDONVI/MACSKCB") != ma_cskcb:
        raise UploadInvalid("GIAMDINHHS: MACSKCB không khớp cơ sở gửi (MACSKCB differs from maCSKCB)")
    info = signed.find("THONGTINHOSO")
    if [c.tag for c in info] != ["NGAYLAP", "SOLUONGHOSO", "DANHSACHHOSO"]:
        raise UploadInvalid("GIAMDINHHS: THONGTINHOSO sai cấu trúc (wrong THONGTINHOSO layout)")
    if check_value(_NGAYLAP, info.findtext("NGAYLAP") or ""):
        raise UploadInvalid("GIAMDINHHS: NGAYLAP không đúng định dạng yyyyMMdd (NGAYLAP is not yyyyMMdd)")
    hosos = list(info.find("DANHSACHHOSO"))
    if (info.findtext("SOLUONGHOSO") or "") != str(len(hosos)) or not hosos:
        raise UploadInvalid("GIAMDINHHS: SOLUONGHOSO không khớp số HOSO (SOLUONGHOSO does not match)")
    dossiers = []
    for hoso in hosos:
        dossiers.append(_check_hoso(hoso, ma_cskcb, revision))
    return data, dossiers


def _check_hoso(hoso: etree._Element, ma_cskcb: str, revision: str = DEFAULT_REVISION) -> Dossier:
    if hoso.tag != "HOSO" or not len(hoso) or any(f.tag != "FILEHOSO" for f in hoso):
        raise UploadInvalid("GIAMDINHHS: HOSO chỉ chứa FILEHOSO (HOSO holds FILEHOSO only)")
    ma_lks, tables, summary = set(), [], None
    for filehoso in hoso:
        if [c.tag for c in filehoso] != ["LOAIHOSO", "NOIDUNGFILE"]:
            raise UploadInvalid("FILEHOSO: cần LOAIHOSO, NOIDUNGFILE (wrong FILEHOSO layout)")
        loai = filehoso.findtext("LOAIHOSO") or ""
        if loai not in ENVELOPE_TABLES:
            raise UploadInvalid(f"FILEHOSO: LOAIHOSO không hỗ trợ {loai!s:.10} (unsupported LOAIHOSO)")
        spec = revision_tables(revision)[loai]
        table_root = _parse(_b64(filehoso.findtext("NOIDUNGFILE") or "", loai), loai)
        if table_root.tag != spec.root:
            raise UploadInvalid(f"{loai}: sai thẻ gốc (root must be {spec.root})")
        values = check_record(table_root, spec)
        _facility(values, ma_cskcb, loai)
        ma_lks.add(values["MA_LK"])
        tables.append(loai)
        if loai == "XML1":
            summary = values
    if "XML1" not in tables or len(set(tables)) != len(tables):
        raise UploadInvalid("HOSO: cần đúng một XML1, không trùng bảng (one XML1, no repeated table)")
    if len(ma_lks) != 1:
        raise UploadInvalid("HOSO: các bảng phải cùng MA_LK (tables of one dossier share MA_LK)")
    return Dossier(ma_lks.pop(), tuple(tables), summary)
