"""`kiosk hub enrol`: in facility mode the hub assigns the kiosk_id (issue 16 item 1).

The kiosk_id is part of every MA_LK and of the offline ticket series (`A7-012`), so two kiosks must
never share one. The hub keeps one row per machine (`kiosk_enrolments`, hub migration 0003): the
first enrolment of a machine gets the next free id, asking again returns the same id, and an id
that another machine holds is refused (`hub_enrol`, one transaction under an advisory lock).
"""
from __future__ import annotations

import json
import socket
from pathlib import Path

import psycopg


class EnrolRefused(ValueError):
    """The hub refused: the id is held by another machine, or this machine already has another id."""


def machine_id(root: Path = Path("/")) -> str:
    """This machine's stable identity: systemd's /etc/machine-id, else the host name."""
    for p in (root / "etc/machine-id", root / "var/lib/dbus/machine-id"):
        try:
            text = p.read_text().strip()
        except OSError:
            continue
        if text:
            return text
    return socket.gethostname()


def enrol(conn, facility_code: str, machine: str, wanted: str | None = None) -> tuple[str, bool]:
    """(kiosk_id, created): the id the hub holds for `machine`, assigned now if it had none."""
    if wanted is not None and not (wanted.isalnum() and wanted.isascii()):
        raise EnrolRefused("a kiosk_id is letters and digits only (it is part of ticket numbers and MA_LK)")
    try:
        with conn.transaction():
            row = conn.execute("SELECT kiosk_id, created FROM hub_enrol(%s, %s, %s)",
                               (facility_code, machine, wanted)).fetchone()
    except psycopg.errors.UniqueViolation as exc:
        raise EnrolRefused(str(exc.diag.message_primary or exc)) from None
    return str(row[0]), bool(row[1])


def look_up(conn, machine: str, wanted: str | None = None) -> str | None:
    """What hub_enrol would answer, read only (`kiosk provision --check`): the id the hub holds for
    `machine`, or None; raises EnrolRefused where hub_enrol would refuse."""
    row = conn.execute("SELECT kiosk_id FROM kiosk_enrolments WHERE machine = %s", (machine,)).fetchone()
    if row is not None:
        if wanted and wanted != row[0]:
            raise EnrolRefused(f"machine {machine} is already enrolled as kiosk {row[0]}")
        return str(row[0])
    if wanted and conn.execute("SELECT 1 FROM kiosk_enrolments WHERE kiosk_id = %s", (wanted,)).fetchone():
        raise EnrolRefused(f"kiosk_id {wanted} is already enrolled by another machine")
    return None


# ------------------------------------------------------------ an enrolment left for the kiosk's start
# Provisioning with an unreachable hub keeps the technician's kiosk_id and leaves this row in the
# kiosk's settings table; the facility link (kiosk.facility.runner) confirms it with the hub before
# its first push, at every start until the hub answers. A refusal (another machine holds the id)
# stays in the row, and the link then pushes nothing: the two kiosks' MA_LKs would collide.
PENDING_KEY = "hub_enrolment_pending"

REFUSED_WORDS = ("Máy chủ cơ sở từ chối số hiệu ki-ốt {kid}: số hiệu này đã thuộc về một máy khác (hoặc máy này đã "
                 "có số hiệu khác). Hãy chọn số hiệu khác hoặc để trống để máy chủ cấp. / The facility hub refused "
                 "kiosk id {kid}: {reason}. Choose another id, or leave it empty and let the hub assign one.")


def refused_words(kiosk_id: str, reason: str) -> str:
    """The technician's message for a refused enrolment, Vietnamese first."""
    return REFUSED_WORDS.format(kid=kiosk_id, reason=reason)


def pending_row(facility_code: str, kiosk_id: str, machine: str) -> str:
    return json.dumps({"facility_code": facility_code, "kiosk_id": kiosk_id, "machine": machine}, sort_keys=True)


def confirm_pending(conn, store) -> str | None:
    """Confirm the enrolment that provisioning left pending. None: nothing pending, or confirmed now
    (the row is removed); else the refusal (kept in the row, so every start says it again)."""
    raw = store.settings.get(PENDING_KEY)
    if raw is None:
        return None
    row = json.loads(raw)
    try:
        enrol(conn, row["facility_code"], row["machine"], row["kiosk_id"])
    except EnrolRefused as exc:
        text = refused_words(row["kiosk_id"], str(exc))
        if row.get("refused") != text:
            row["refused"] = text
            with store.transaction():
                store.settings.set(PENDING_KEY, json.dumps(row, sort_keys=True))
        return text
    with store.transaction():
        store.settings.delete(PENDING_KEY)
    return None
