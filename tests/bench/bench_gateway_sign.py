"""Signing cost per dossier: PKCS#12 key in memory vs a PKCS#11 key in a SoftHSM2 token.

    .venv/bin/python tests/bench/bench_gateway_sign.py [--n 2000]

Signs the same kind of dossier the kiosk produces (GIAMDINHHS envelope with XML1 + XML14, and the
XML0 check-in), RSA-2048, RSA-SHA256, C14N 1.0; prints ms/dossier and dossiers/s for each source.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.hazmat.primitives import serialization  # noqa: E402

from kiosk.core.clock import VN_TZ  # noqa: E402
from kiosk.gateway.sim.devcert import ensure_dev_identity, generate_key_and_cert  # noqa: E402
from kiosk.gateway.signing import Pkcs11Identity, pkcs12_signer  # noqa: E402
from kiosk.gateway.xml import CheckinRecord, FollowUp, VisitSummary, build_dossier, build_xml0  # noqa: E402

MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def documents(n: int) -> list[bytes]:
    t0, t1 = datetime(2026, 11, 20, 8, 15, tzinfo=VN_TZ), datetime(2026, 11, 20, 9, 5, tzinfo=VN_TZ)
    docs = []
    for i in range(n):
        lk = f"79001-K1-20261120-{i:06d}"
        if i % 2:
            docs.append(build_xml0(CheckinRecord(lk, f"BN{i:06d}", "NGUYỄN VĂN AN", "1985-03-15", 1, "79001", t0,
                                                 card_number="DN4797900000001", ma_dkbd="79001")))
        else:
            s = VisitSummary(lk, f"BN{i:06d}", "NGUYỄN VĂN AN", "1985-03-15", 1, "79001", t0, t1, "Viêm họng cấp",
                             "J02.9", card_number="DN4797900000001")
            docs.append(build_dossier(s, FollowUp(f"HK{i}", date(2026, 11, 27), "000123/HCM-CCHN",
                                                  "000001/HCM-CCHN", date(2026, 11, 20))))
    return docs


def measure(name: str, signer, docs: list[bytes]) -> None:
    signer.sign(docs[0])   # warm up
    start = time.perf_counter()
    for d in docs:
        signer.sign(d)
    elapsed = time.perf_counter() - start
    print(f"{name:<22} {len(docs):>6} dossiers  {elapsed * 1000 / len(docs):7.3f} ms/dossier  "
          f"{len(docs) / elapsed:8.1f} dossiers/s")


def softhsm_identity(work: Path) -> Pkcs11Identity:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass
    (work / "tokens").mkdir(parents=True)
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    key, cert = generate_key_and_cert("bench token")
    pem = work / "key.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "bench", "--so-pin", "12345678",
                    "--pin", "1234"], check=True, capture_output=True)
    subprocess.run(["softhsm2-util", "--import", str(pem), "--token", "bench", "--label", "k", "--id", "01",
                    "--pin", "1234"], check=True, capture_output=True)
    der = cert.public_bytes(serialization.Encoding.DER)
    with pkcs11.lib(MODULE).get_token(token_label="bench").open(rw=True, user_pin="1234") as s:
        s.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                         Attribute.TOKEN: True, Attribute.LABEL: "k", Attribute.ID: b"\x01", Attribute.VALUE: der,
                         Attribute.SUBJECT: cert.subject.public_bytes()})
    return Pkcs11Identity(Path(MODULE), "1234", "k", "bench")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    n = ap.parse_args().n
    docs = documents(n)
    with tempfile.TemporaryDirectory() as tmp:
        ident = ensure_dev_identity(Path(tmp) / "p12")
        measure("PKCS#12 (in memory)", pkcs12_signer(ident.p12_path, ident.password), docs)
        if os.path.exists(MODULE):
            hsm = softhsm_identity(Path(tmp) / "hsm")
            measure("PKCS#11 (SoftHSM2)", hsm.signer(), docs)
            hsm.close()
        else:
            print("SoftHSM2 not installed: PKCS#11 skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
