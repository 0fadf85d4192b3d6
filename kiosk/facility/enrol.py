"""`kiosk hub enrol`: in facility mode the hub assigns the kiosk_id (issue 16 item 1).

The kiosk_id is part of every MA_LK and of the offline ticket series (`A7-012`), so two kiosks must
never share one. The hub keeps one row per machine (`kiosk_enrolments`, hub migration 0003): the
first enrolment of a machine gets the next free id, asking again returns the same id, and an id
that another machine holds is refused (`hub_enrol`, one transaction under an advisory lock).
"""
from __future__ import annotations

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
