"""EligibilityChecker on the gateway client: the card check with the kiosk's short deadline."""
from __future__ import annotations

import logging
from typing import Any

from kiosk.core import eligibility as elig
from kiosk.core.ports import CheckOutcome, Resolution

log = logging.getLogger(__name__)


class GatewayEligibilityChecker:
    def __init__(self, client: Any):
        self.client = client          # kiosk.gateway.client.GatewayClient (thread-safe token)

    def check(self, resolution: Resolution, deadline_s: float) -> CheckOutcome:
        identity = resolution.identity
        card = identity.bhyt.card_number if identity.bhyt and identity.bhyt.card_number else None
        number = card or (identity.cccd.number if identity.cccd else "")
        person = identity.person
        if not number or person is None or person.birth_date is None:
            return CheckOutcome(elig.provisional())
        birth = person.birth_date.as_date() or str(person.birth_date.year)
        result = self.client.check_card(number, person.full_name, birth, deadline=deadline_s)
        view = elig.view_of(result.card_answer())
        if card is None and view.result_code in elig.NO_CARD_CODES:
            # checked by the CCCD number and the gateway knows no card: a fee-paying visit, not a refusal
            view = elig.no_card(view.result_code)
        return CheckOutcome(view, result)
