"""Staff PINs: Argon2id hashes (argon2-cffi), a minimal PIN policy, and the lockout delay."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PIN_LENGTH = 6


class PinPolicyError(ValueError):
    pass


def check_policy(pin: str) -> None:
    if not pin.isdigit() or len(pin) < MIN_PIN_LENGTH:
        raise PinPolicyError(f"a PIN is at least {MIN_PIN_LENGTH} digits")
    if len(set(pin)) == 1 or pin in "01234567890" or pin in "09876543210":
        raise PinPolicyError("a PIN may not be one repeated digit or a run like 123456")


class PinHasher:
    """Argon2id with parameters chosen for a kiosk CPU (~50 ms); tests may pass cheaper ones."""

    def __init__(self, time_cost: int = 3, memory_cost: int = 64 * 1024, parallelism: int = 1):
        self._ph = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)

    def hash(self, pin: str) -> str:
        return self._ph.hash(pin)

    def verify(self, stored: str, pin: str) -> bool:
        try:
            return self._ph.verify(stored, pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)


def lockout_seconds(failures: int, max_failures: int, base: float = 30.0, cap: float = 3600.0) -> float:
    """No delay below the limit; then 30 s, 60 s, 120 s … doubling with each further failure, capped."""
    if failures < max_failures:
        return 0.0
    return min(cap, base * 2 ** (failures - max_failures))
