"""How a patient was identified at reception: the codes stored in `visits.id_method`.

The health department's directive asks for every patient to be received by CCCD card, personal
ID number or BHYT number; the weekly report counts receptions by these codes.
"""
from __future__ import annotations

CHIP_PA = "chip_pa"            # CCCD chip read, passive authentication passed
CHIP_NO_PA = "chip_no_pa"      # CCCD chip read, not verified (PA failed or not run)
CCCD_QR = "cccd_qr"            # the QR on the CCCD card
VNEID_QR = "vneid_qr"          # the VNeID app's QR
BHYT_QR = "bhyt_qr"            # a BHYT card's QR or the VssID app's QR
TYPED = "typed"                # a number typed by the patient on the kiosk's keypad
DESK_MANUAL = "desk_manual"    # typed at the desk by staff (manual check-in)
OTHER = "other"

ID_METHODS = (CHIP_PA, CHIP_NO_PA, CCCD_QR, VNEID_QR, BHYT_QR, TYPED, DESK_MANUAL, OTHER)

# received without a paper book: the patient was identified from an electronic identity or card
# (chip, a QR from the card or an app, or its number), not from papers handed to the desk
PAPERLESS = (CHIP_PA, CHIP_NO_PA, CCCD_QR, VNEID_QR, BHYT_QR, TYPED)
