"""Redaction (landingzone.redact): what looks like an AWS key, a session token or the passphrase in use never
reaches the output, and ordinary text is left as it is."""

from __future__ import annotations

import io

import pytest

from landingzone import redact
from landingzone.redact import REDACTED, RedactingStream
from tests.hostile.corpus import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN


@pytest.mark.parametrize("secret", [ACCESS_KEY, "ASIAY34FZKBOKMUTVV7A", SECRET_KEY, SESSION_TOKEN])
def test_aws_credentials_are_redacted(secret: str) -> None:
    text = f"accounts[0].email: {secret!r} is not an email address"
    out = redact.redact(text)
    assert secret not in out and REDACTED in out
    assert out.startswith("accounts[0].email: ")


def test_credentials_file_lines_are_redacted() -> None:
    text = "aws_secret_access_key = abc/DEF+ghi\n\"SecretAccessKey\": \"shortButSecret\",\naws_session_token=tok\n"
    out = redact.redact(text)
    for secret in ("abc/DEF+ghi", "shortButSecret", "tok\n"):
        assert secret not in out
    assert out.count(REDACTED) == 3


@pytest.mark.parametrize("text", [
    "stage 'logging' failed: bucket acme-trail-123456789012 already exists",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",  # a sha1 is 40 characters too, but lower-case hex
    "arn:aws:iam::123456789012:role/org-admin/OrganizationAccountAccessRole",
    "export LANDINGZONE_PASSPHRASE=... (kept out of files and logs; the same value every run)",
    "accounts[2].email: 'prod@' is not an email address",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact.redact(text) == text


def test_passphrase_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "correct horse battery")
    assert redact.redact("error: bad passphrase 'correct horse battery'") == f"error: bad passphrase '{REDACTED}'"


def test_passphrase_file(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "pp"
    path.write_text("s3cr3t-from-file\n")
    monkeypatch.delenv("LANDINGZONE_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(path))
    assert "s3cr3t-from-file" not in redact.redact("the passphrase s3cr3t-from-file is wrong")


def test_registered_secret_and_short_ones() -> None:
    redact.register_secret("typed-in-the-wizard")
    redact.register_secret("abc")  # too short to search for: it would blank out ordinary words
    assert redact.redact("x typed-in-the-wizard abc") == f"x {REDACTED} abc"


def test_shorten_and_clean_value() -> None:
    assert redact.shorten("a" * 80) == "a" * 80
    assert redact.shorten("a" * 1000) == "a" * 60 + "… (1,000 characters)"
    assert redact.shorten(redact.shorten("a" * 1000)) == redact.shorten("a" * 1000)
    assert redact.clean_value(list(range(1000))) == "<list of 1,000 items>"
    assert redact.clean_value([1, 2]) == [1, 2]
    assert redact.clean_value(ACCESS_KEY) == REDACTED


def test_clean_message_cuts_the_quoted_value_and_long_runs() -> None:
    value = "x" * 10_000
    message = redact.clean_message(f"{value!r} is not an email address", value)
    assert len(message) < 200 and message.endswith("is not an email address")
    assert len(redact.clean_message("y" * 5000)) < 150  # one run: cut to a value's length
    spaced = " ".join(["word"] * 2000)
    cut = redact.clean_message(spaced)
    assert cut.startswith("word word") and cut.endswith("… (9,999 characters)")
    assert len(cut) == redact.MAX_MESSAGE_CHARS


def test_stream_redacts_secrets_split_over_writes() -> None:
    inner = io.StringIO()
    stream = RedactingStream(inner)
    stream.write("key " + ACCESS_KEY[:10])
    assert inner.getvalue() == ""  # held until the line is complete
    stream.write(ACCESS_KEY[10:] + " done\nnext")
    assert inner.getvalue() == f"key {REDACTED} done\n"
    stream.flush()
    assert inner.getvalue().endswith("next")
