"""What the sync worker needs from the gateway client (kiosk.gateway.client.GatewayClient fits)."""
from __future__ import annotations

from typing import Protocol

from kiosk.gateway.results import ReceivedInfo, UploadResult


class UploadClient(Protocol):
    def upload_checkin(self, signed_xml0: bytes, ma_cskcb: str) -> UploadResult: ...

    def upload_dossier(self, signed_envelope: bytes, ma_cskcb: str) -> UploadResult: ...

    def lookup_received(self, ma_lk: str, day, *, kind: str, payload_sha256: str = "") -> ReceivedInfo | None:
        """What the gateway holds for MA_LK (kind "checkin"|"dossier") received on `day` (the copy
        whose hash is `payload_sha256` first);
        raises kiosk.gateway.results.NotConfigured when no look-up endpoint is set."""
        ...
