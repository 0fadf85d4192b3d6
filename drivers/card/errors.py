"""Typed chip-card errors. Messages carry no personal data (they may reach logs)."""
from __future__ import annotations


class CardError(Exception):
    """Base of every chip-card error. `retryable`: presenting the card again may succeed."""
    code = "card_error"
    retryable = False


class PcscUnavailableError(CardError):
    """The PC/SC service (pcscd) cannot be reached (it may be restarting)."""
    code = "pcsc_unavailable"
    retryable = True


class NoReaderError(CardError):
    """No PC/SC reader is connected (or none matches the configured name)."""
    code = "no_reader"
    retryable = True


class ReaderGoneError(CardError):
    """The reader disappeared while in use."""
    code = "reader_gone"
    retryable = True


class CardRemovedError(CardError):
    """The card left the field (or was reset) during the exchange."""
    code = "card_removed"
    retryable = True


class CardTimeoutError(CardError):
    """No card was presented in time."""
    code = "card_timeout"
    retryable = True


class TransmitError(CardError):
    """The reader failed to exchange an APDU for another reason."""
    code = "transmit_error"
    retryable = True


class StatusWordError(CardError):
    """The chip answered with an unexpected status word."""
    code = "status_word"

    def __init__(self, sw: int, what: str = ""):
        self.sw = sw
        super().__init__(f"{what + ': ' if what else ''}SW {sw:04X}")


class NotAnEmrtdError(CardError):
    """The card has no ICAO eMRTD application."""
    code = "not_emrtd"


class AccessDeniedError(CardError):
    """BAC/PACE failed with every candidate key (wrong document number or dates)."""
    code = "access_denied"

    def __init__(self, attempts: int):
        self.attempts = attempts
        super().__init__(f"chip access refused with {attempts} candidate key(s)")


class SecureMessagingError(CardError):
    """A protected response failed its MAC or was malformed: tampering, or a broken session."""
    code = "secure_messaging"
    retryable = True


class MalformedDataError(CardError):
    """A file read from the chip is not the expected structure."""
    code = "malformed_data"
