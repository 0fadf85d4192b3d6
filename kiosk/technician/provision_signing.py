"""Provisioning's signing key: a PKCS#12 file to import (opened with its password, expiry
checked) or a PKCS#11 slot (logged in with the PIN): every problem is found before anything is
written (kiosk.technician.provision's first phase)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from kiosk.config import BY_NAME
from kiosk.technician.provision import ProvisionPlan
from kiosk.technician.provision import _secret as secret_of


def check_signing(table: Mapping, plan: ProvisionPlan, env, problems: list, base: Path | None) -> None:
    source = plan.settings.get("signing_source", "pkcs12")
    if source != "pkcs12":
        _pkcs11(plan, problems)
        return
    if "pkcs12" not in table:
        problems.append(("signing.pkcs12", "required: the facility's PKCS#12 file to import"))
        return
    path = Path(os.path.expanduser(str(table["pkcs12"])))
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        blob = path.read_bytes()
    except OSError as exc:
        problems.append(("signing.pkcs12", f"cannot read {path}: {exc.strerror}"))
        return
    password = secret_of(table, "password", "signing.password", env, problems)
    try:
        from cryptography.hazmat.primitives.serialization import pkcs12
        key, cert, _ = pkcs12.load_key_and_certificates(blob, password.encode() if password else None)
    except ValueError:
        problems.append(("signing.pkcs12", "cannot open it: wrong password (signing.password) or not PKCS#12"))
        return
    if key is None or cert is None:
        problems.append(("signing.pkcs12", "holds no private key and certificate"))
        return
    from datetime import datetime, timezone
    days = (cert.not_valid_after_utc - datetime.now(timezone.utc)).days
    if days < 0:
        problems.append(("signing.pkcs12", "the certificate has expired"))
    elif days < 30:
        plan.warnings.append(f"signing certificate expires in {days} days")
    plan.pkcs12, plan.pkcs12_password = blob, (password or "").encode()
    plan.settings["signing_pkcs12"] = plan.secrets_dir / "facility.p12"
    plan.settings["signing_pkcs12_password_file"] = plan.secrets_dir / "pkcs12.pass"


def _pkcs11(plan: ProvisionPlan, problems: list) -> None:
    """Open the token with the PIN and find the key and its certificate: a wrong slot, label or
    PIN fails here, before anything is written."""
    s = plan.settings
    if not s.get("pkcs11_key_label"):
        problems.append(("signing.key_label", "required for a PKCS#11 token"))
        return
    if not s.get("pkcs11_pin"):
        problems.append(("signing.pin", "required: pin_file or pin_env"))
        return
    module = Path(s.get("pkcs11_module", BY_NAME["pkcs11_module"].default))
    if not module.is_file():
        problems.append(("signing.pkcs11_module", f"no PKCS#11 module at {module}"))
        return
    from kiosk.gateway.signing import Pkcs11Identity, SigningError
    try:
        ident = Pkcs11Identity(module, s["pkcs11_pin"], s["pkcs11_key_label"], s.get("pkcs11_token_label", ""),
                               slot=s.get("pkcs11_slot", -1))
    except SigningError as exc:
        text = str(exc)
        field = next((f for hint, f in (("Pin", "signing.pin"), ("slot", "signing.slot"),
                                        ("NoSuchToken", "signing.token_label")) if hint in text), "signing.key_label")
        problems.append((field, f"the token cannot be used: {text}"))
        return
    except Exception as exc:  # noqa: BLE001 - python-pkcs11 errors (wrong PIN, no such key)
        problems.append(("signing.pin", f"the token refused ({type(exc).__name__})"))
        return
    ident.close()
