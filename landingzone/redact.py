"""Keeping secrets and foreign files out of what the tool prints.

Everything the tool says passes through :func:`redact`: error messages (every
:class:`~landingzone.errors.LandingZoneError`), engine log lines and failures (``landingzone.events``), and, in the
CLI, every line written to stdout and stderr (:func:`install_redacting_streams`). It replaces with
:data:`REDACTED`:

- AWS access key ids (``AKIA...``, ``ASIA...`` and the other key-id prefixes, 20 characters);
- AWS secret access keys (40 characters of base64 mixing upper case, lower case and digits, as AWS generates them;
  a 40-digit hex hash is left alone);
- session tokens and other base64 runs of 100 characters or more (mixing cases and digits, as tokens do);
- the value after ``aws_secret_access_key``, ``aws_session_token``, ``SecretAccessKey`` or ``SessionToken`` (a
  credentials file or ``aws sts`` output pasted by mistake);
- the literal values of the secrets in use: the passphrase (``LANDINGZONE_PASSPHRASE``,
  ``PULUMI_CONFIG_PASSPHRASE``, the file ``PULUMI_CONFIG_PASSPHRASE_FILE`` names, or the one typed into the
  wizard, see :func:`register_secret`) and ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``. Values shorter than
  :data:`MIN_SECRET_CHARS` are not searched for (they would blank out ordinary words).

:func:`shorten` cuts values quoted in messages to :data:`MAX_VALUE_CHARS`, so a huge or foreign value is never
echoed whole.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

REDACTED = "[redacted]"
MAX_VALUE_CHARS = 80
"""Longest value quoted in a message; longer ones are cut and say how long they were."""
MIN_SECRET_CHARS = 4
SECRET_ENV_VARS = ("LANDINGZONE_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "AWS_SECURITY_TOKEN")
PASSPHRASE_FILE_VAR = "PULUMI_CONFIG_PASSPHRASE_FILE"

_B64 = "A-Za-z0-9/+"
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA|A3T[A-Z0-9])"
                            r"[A-Z0-9]{16}(?![A-Z0-9])")
_SECRET_KEY = re.compile(rf"(?<![{_B64}=])[{_B64}]{{40}}(?![{_B64}=])")
_LONG_TOKEN = re.compile(rf"(?<![{_B64}=])[{_B64}]{{100,}}={{0,2}}(?![{_B64}=])")
_ASSIGNMENT = re.compile(
    r"(?i)(\b(?:aws_secret_access_key|aws_session_token|aws_security_token|secret_?access_?key|session_?token)"
    r"[\"']?\s*[=:]\s*[\"']?)([^\s\"',}]+)")

_lock = threading.Lock()
_registered: set[str] = set()
_file_secrets: dict[tuple[str, float], str] = {}


def register_secret(value: str | None) -> None:
    """Redact this value from now on (a passphrase typed into the wizard, one handed to a worker process)."""
    if value and len(value) >= MIN_SECRET_CHARS:
        with _lock:
            _registered.add(value)


def register_secrets(values: Iterable[str]) -> None:
    for value in values:
        register_secret(value)


def _passphrase_file() -> str | None:
    name = os.environ.get(PASSPHRASE_FILE_VAR)
    if not name:
        return None
    try:
        mtime = os.stat(name).st_mtime
        key = (name, mtime)
        if key not in _file_secrets:
            with open(name, encoding="utf-8", errors="replace") as fh:
                _file_secrets[key] = fh.read(4096).strip()
        return _file_secrets[key]
    except OSError:
        return None


def known_secrets() -> list[str]:
    """The literal secret values in use, longest first (so a secret containing another is removed whole)."""
    values = set(_registered)
    for var in SECRET_ENV_VARS:
        value = os.environ.get(var)
        if value:
            values.add(value)
    from_file = _passphrase_file()
    if from_file:
        values.add(from_file)
    return sorted((v for v in values if len(v) >= MIN_SECRET_CHARS), key=len, reverse=True)


def _looks_generated(match: re.Match[str]) -> str:
    text = match.group(0)
    mixed = (any(c.isupper() for c in text) and any(c.islower() for c in text)
             and any(c.isdigit() or c in "/+" for c in text))
    return REDACTED if mixed else text


def redact(text: str, secrets: Sequence[str] | None = None) -> str:
    """The text with every secret it appears to hold replaced by :data:`REDACTED`. ``secrets``: the
    :func:`known_secrets` to use, when a caller redacts many texts at once (looked up once, not per text)."""
    if not text:
        return text
    for secret in known_secrets() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _ASSIGNMENT.sub(lambda m: m.group(1) + REDACTED, text)
    text = _ACCESS_KEY_ID.sub(REDACTED, text)
    text = _LONG_TOKEN.sub(_looks_generated, text)
    return _SECRET_KEY.sub(_looks_generated, text)


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """At most ``limit`` characters of a value, saying how long it was when cut (so cutting twice changes
    nothing)."""
    if len(text) <= limit:
        return text
    suffix = f"… ({len(text):,} characters)"
    return text[: max(limit - len(suffix), 8)] + suffix


def clean_value(value: Any, limit: int = MAX_VALUE_CHARS, secrets: Sequence[str] | None = None) -> Any:
    """A value safe to show: strings redacted and shortened, large containers as a short description."""
    if isinstance(value, str):
        return shorten(redact(value, secrets), limit)
    if isinstance(value, dict | list | tuple | set):
        try:
            shown = repr(value)
        except RecursionError:
            shown = ""
        if len(shown) <= limit and redact(shown, secrets) == shown:
            return value
        return f"<{type(value).__name__} of {len(value):,} items>"
    if isinstance(value, bool | int | float) or value is None:
        return value
    return shorten(redact(str(value), secrets), limit)


MAX_MESSAGE_CHARS = 600
_LONG_WORD = re.compile(r"\S{121,}")


def clean_message(message: str, value: Any = None, secrets: Sequence[str] | None = None) -> str:
    """A message safe to print: secrets redacted, the value it quotes shortened, no run of 120 characters without
    a space, and at most :data:`MAX_MESSAGE_CHARS` characters in all."""
    if isinstance(value, str) and value:
        safe = shorten(redact(value, secrets))  # redacted whole first: a cut token would no longer look like one
        if safe != value:
            message = message.replace(repr(value), repr(safe)).replace(value, safe)
    message = redact(message, secrets)
    message = _LONG_WORD.sub(lambda m: shorten(m.group(0)), message)
    return shorten(message, MAX_MESSAGE_CHARS)


# ---- streams ---------------------------------------------------------------------------------------------------


class RedactingStream(io.TextIOBase):
    """A text stream that redacts each line before it reaches the stream it wraps.

    Whole lines are redacted at once (a secret split over two ``write`` calls is still found); a partial line is
    written on ``flush``, so prompts and progress still appear when they are flushed.
    """

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                done, _, self._pending = self._pending.rpartition("\n")
                self.inner.write(redact(done + "\n"))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.inner.write(redact(self._pending))
                self._pending = ""
            self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)


def install_redacting_streams() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once) so that everything the process prints is redacted."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream))

