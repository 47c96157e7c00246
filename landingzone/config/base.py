"""What every section model shares: the pydantic base (no unknown fields, field docstrings as descriptions) and
the field checks used by more than one section."""

from __future__ import annotations

import re

import email_validator
from pydantic import BaseModel, ConfigDict

from landingzone import safeyaml

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
ACCOUNT_ID_RE = re.compile(r"^[0-9]{12}$")  # \d would take Arabic-Indic and fullwidth digits
OU_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")
IAM_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)  # IAM takes ASCII only
IAM_PATH_RE = re.compile(r"^/([\w+=,.@-]+/)*$", re.ASCII)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=False)


def check_ascii(value: str, what: str) -> str:
    problem = safeyaml.first_non_ascii(value)
    if problem:  # a look-alike letter makes a different account that reads the same in every review
        raise ValueError(f"{value!r} is not a valid {what}: {problem} ({what}s are ASCII)")
    return value


def check_email(value: str) -> str:
    check_ascii(value, "email address")
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an email address ({exc})") from None
    return value


def check_account_id(value: str | None) -> str | None:
    if value is not None and not ACCOUNT_ID_RE.match(value):
        raise ValueError(f"{value!r} is not an AWS account id (twelve digits)")
    return value
