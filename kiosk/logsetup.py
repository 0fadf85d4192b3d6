"""Logging: a rotating file plus stderr, with personal data masked on every handler.

`PersonalDataFilter` rewrites each record before any handler formats it: CCCD (12 digits), CMND
(9), BHXH (10), other 11- and 13-15-digit numbers (phones, passports), BHYT card codes (2 letters
+ 13 digits), names given in `extra={"name_fields": ...}`, and argument values or text that look
like Vietnamese full names.
It errs on the side of masking (a 10-digit phone number or epoch time is masked too).
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Iterable

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
_ID_PATTERNS = (
    (re.compile(_EDGE_L + r"[A-Za-z]{2}\d{13}" + _EDGE_R), "[BHYT]"),
    (re.compile(_EDGE_L + r"\d{12}" + _EDGE_R), "[CCCD]"),
    (re.compile(_EDGE_L + r"\d{3}[ .-]\d{3}[ .-]\d{3}[ .-]\d{3}" + _EDGE_R), "[CCCD]"),
    (re.compile(_EDGE_L + r"\d{10}" + _EDGE_R), "[BHXH]"),
    (re.compile(_EDGE_L + r"\d{9}" + _EDGE_R), "[CMND]"),
    # phone numbers (11 digits with +84), passport/old-ID numbers up to SO_CCCD's 15, BHYT management codes
    (re.compile(_EDGE_L + r"(?:\d{11}|\d{13,15})" + _EDGE_R), "[ID]"),
)
NAME_MASK = "[NAME]"

# Latin letters with the diacritics Vietnamese uses (composed, NFC)
_UP = "A-ZÀ-ÖØ-ÞĂĐĨŨƠƯẠ-Ỹ"
_LO = "a-zß-öø-ÿăđĩũơưạ-ỹ"
_UPPER_WORD = f"[{_UP}]+"
_TITLE_WORD = f"[{_UP}][{_LO}]+"
# 2 to 6 words, all upper case (as on ID cards), all title case, or an upper-case family name first
_NAME_SEQ = re.compile(
    rf"(?<![{_UP}{_LO}])(?:{_UPPER_WORD}(?:[ \t]+{_UPPER_WORD}){{1,5}}|{_TITLE_WORD}(?:[ \t]+{_TITLE_WORD}){{1,5}}"
    rf"|{_UPPER_WORD}(?:[ \t]+{_TITLE_WORD}){{1,5}})(?![{_UP}{_LO}])")
# the most common family names (≈95% of the population), without diacritics
SURNAMES = frozenset("""nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh
    trinh truong mai dao doan lam luong ha cao quach luu chau to thai tang kieu la van tong tieu
    khuc kim lai vuong ta thach""".split())


def _fold(word: str) -> str:
    """Lower case without diacritics: `Nguyễn` → `nguyen`, `Đỗ` → `do`."""
    word = word.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)).lower()


def _surname_led(seq: str) -> bool:
    return _fold(seq.split()[0]) in SURNAMES


def _has_diacritics(text: str) -> bool:
    return any(ord(c) > 127 and c.isalpha() for c in text)


def looks_like_name(value: str) -> bool:
    """A whole value shaped like a Vietnamese full name (used on log arguments)."""
    value = unicodedata.normalize("NFC", value.strip())
    m = _NAME_SEQ.fullmatch(value)
    return bool(m) and (_has_diacritics(value) or _surname_led(value))


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Mask ID numbers, the given names, and name-shaped runs led by a family name (or written
    in capitals with Vietnamese diacritics) anywhere in `text`."""
    text = unicodedata.normalize("NFC", text)
    for name in names:
        if name:
            text = text.replace(unicodedata.normalize("NFC", name), NAME_MASK)
    for pattern, token in _ID_PATTERNS:
        text = pattern.sub(token, text)

    return _NAME_SEQ.sub(_name_or_keep, text)


def _name_or_keep(m: re.Match) -> str:
    seq = m.group(0)
    if _surname_led(seq) or (seq.isupper() and _has_diacritics(seq)):
        return NAME_MASK
    # Not a name as a whole: a name may still follow a capitalised word ("Patient Nguyễn Văn An").
    head, sep, rest = re.split(r"([ \t]+)", seq, maxsplit=1)
    return head + sep + _NAME_SEQ.sub(_name_or_keep, rest)


def _mask_arg(value: Any, names: list[str]) -> Any:
    if isinstance(value, str):
        return NAME_MASK if looks_like_name(value) else mask_text(value, names)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # formatted later; the text pass masks ID-shaped numbers
    return mask_text(str(value), names) if not isinstance(value, (bool, type(None))) else value


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's message, arguments, exception and stack text."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pd_masked", False):
            return True
        given = getattr(record, "name_fields", None) or ()
        names = [given] if isinstance(given, str) else [str(n) for n in given]
        args = record.args
        if isinstance(args, dict):
            # an entry of name_fields may name an argument (`{"who": ...}`) rather than be a name
            keys = {n for n in names if n in args}
            names = [n for n in names if n not in keys] + [str(args[k]) for k in keys]
            args = {k: (NAME_MASK if k in keys else _mask_arg(v, names)) for k, v in args.items()}
        elif args:
            args = tuple(_mask_arg(a, names) for a in args)
        record.args = args
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we can, masked
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = mask_text(message, names), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, names)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info, names)
        record._pd_masked = True
        return True


def log_path(cfg) -> Path:
    if cfg.log_file and str(cfg.log_file) not in ("", "."):
        return Path(cfg.log_file)
    return Path(cfg.data_dir) / "logs" / "kiosk.log"


# Libraries that log what we must not keep, at any level: urllib3 logs request lines with their
# query string (the card check carries the token and the password hash there), signxml logs the
# canonical XML as a bytes repr the name mask cannot read. They only say more below WARNING.
QUIET_LOGGERS = ("urllib3", "requests", "signxml", "charset_normalizer", "PIL", "fontTools", "matplotlib")


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 from the moment they exist (rotation included)."""

    def _open(self):
        old = os.umask(0o077)
        try:
            stream = super()._open()
        finally:
            os.umask(old)
        try:
            os.chmod(self.baseFilename, 0o600)
        except OSError:
            pass
        return stream


def setup_logging(cfg, *, stderr: bool = True, level: str | None = None) -> Path:
    """Install the rotating file and stderr handlers on the root logger (replacing ours from an
    earlier call) and return the log file's path."""
    path = log_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
        root.removeHandler(h)
        h.close()
    formatter = logging.Formatter(LOG_FORMAT)
    handlers: list[logging.Handler] = [
        PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")]
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(formatter)
        h.addFilter(PersonalDataFilter())
        setattr(h, "_kiosk", True)   # marks our handlers for the next call to replace
        root.addHandler(h)
    root.setLevel(level or str(getattr(cfg, "log_level", "INFO")))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path


def setup_run_logging(cfg) -> None:
    """The rotating log file + stderr with personal data masked (`kiosk run` and `kiosk demo`)."""
    try:
        setup_logging(cfg)
    except OSError as exc:  # an unwritable log directory must not keep the kiosk from starting
        print(f"kiosk: log file not opened ({exc}); logging to stderr only", file=sys.stderr)
