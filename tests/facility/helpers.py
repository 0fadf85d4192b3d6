from __future__ import annotations

from pathlib import Path

from kiosk.facility.node import KioskNode, NodeSettings, default_services

FACILITY = "79001"


def node(tmp_path: Path, kiosk_id: str, hub, signer, clock, **kw) -> KioskNode:
    return KioskNode(tmp_path / f"kiosk{kiosk_id}", NodeSettings(FACILITY, kiosk_id, default_services()),
                     signer.sign, clock, hub.dsn("hub_kiosk") if hub else None, **kw)


def hub_rows(hub, sql: str, *args):
    with hub.connect("hub_desk") as conn:
        return conn.execute(sql, args).fetchall()
