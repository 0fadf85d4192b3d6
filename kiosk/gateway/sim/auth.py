"""Gateway simulator: accounts with MD5 passwords and expiring tokens."""
from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kiosk.core.clock import Clock


@dataclass(frozen=True)
class SimAccount:
    username: str
    password_md5: str        # upper-case MD5 hex, as the reference says the client sends it
    ma_cskcb: str

    @classmethod
    def with_password(cls, username: str, password: str, ma_cskcb: str) -> "SimAccount":
        # Computed here, not with the client's helper, so a client that hashes wrongly is refused.
        return cls(username, hashlib.md5(password.encode("utf-8")).hexdigest().upper(), ma_cskcb)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    id_token: str
    username: str
    expires_at: datetime


class TokenBook:
    def __init__(self, accounts: list[SimAccount], clock: Clock, ttl_seconds: float = 3600.0,
                 expiry_format: str = "iso"):
        if expiry_format not in ("iso", "seconds", "none"):
            raise ValueError("expiry_format is iso, seconds or none")
        self.accounts = {a.username: a for a in accounts}
        self.clock = clock
        self.ttl = ttl_seconds
        self.expiry_format = expiry_format
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()
        self.logins = 0

    def add_account(self, account: SimAccount) -> None:
        with self._lock:
            self.accounts[account.username] = account

    def login(self, username: str, password_md5: str) -> IssuedToken | None:
        account = self.accounts.get(username)
        if account is None or account.password_md5 != password_md5:   # exact: upper-case hex
            return None
        tok = IssuedToken(secrets.token_urlsafe(24), secrets.token_urlsafe(16), username,
                          self.clock.now() + timedelta(seconds=self.ttl))
        with self._lock:
            self._tokens[tok.access_token] = tok
            self.logins += 1
        return tok

    def expires_in(self, tok: IssuedToken):
        if self.expiry_format == "iso":
            return tok.expires_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.expiry_format == "seconds":
            return int(self.ttl)
        return "(UTC)"

    def check(self, access_token: str, id_token: str, username: str, password_md5: str | None) -> SimAccount | None:
        """The account behind a valid token (and matching password hash, when one is sent)."""
        with self._lock:
            tok = self._tokens.get(access_token or "")
        if tok is None or tok.id_token != id_token or tok.username != username:
            return None
        if self.clock.now() >= tok.expires_at:
            with self._lock:
                self._tokens.pop(tok.access_token, None)
            return None
        account = self.accounts.get(username)
        if account is None or (password_md5 is not None and account.password_md5 != password_md5):
            return None
        return account

    def expire(self, access_token: str | None = None) -> int:
        """Expire one token, or all of them; returns how many."""
        with self._lock:
            if access_token is None:
                n = len(self._tokens)
                self._tokens.clear()
                return n
            return 1 if self._tokens.pop(access_token, None) else 0
