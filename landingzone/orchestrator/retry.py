"""New accounts and eventual consistency: right after CreateAccount, assuming the access role in the new account
fails for minutes. A per-account stack retries that refusal with backoff, for a bounded time
(``baseline.assume_role_wait_seconds``), then fails naming the account and the fix."""

from __future__ import annotations

import re
from collections.abc import Iterator

from landingzone.config import LandingZoneConfig

ASSUME_ROLE_REFUSAL = re.compile(
    r"(cannot be assumed|not authorized to perform: sts:AssumeRole|AssumeRole.{0,200}AccessDenied|"
    r"AccessDenied.{0,200}sts:AssumeRole)", re.IGNORECASE | re.DOTALL)
"""How pulumi-aws (and the emulator, in the same words) reports a refused AssumeRole of a provider."""

FIRST_DELAY = 2.0
MAX_DELAY = 30.0


def is_assume_role_refusal(text: str) -> bool:
    return ASSUME_ROLE_REFUSAL.search(text) is not None


def backoff_delays(first: float = FIRST_DELAY, cap: float = MAX_DELAY) -> Iterator[float]:
    """2, 4, 8, 16, 30, 30, ... seconds."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * 2)


def assume_role_failure(cfg: LandingZoneConfig, account: str | None, elapsed: float, wait: float,
                        text: str) -> str:
    """The message of a stack that gave up waiting for its account's access role."""
    role = cfg.access_role_name
    waited = f"for {elapsed:.0f} s" if wait > 0 else "(no retry: baseline.assume_role_wait_seconds is 0)"
    return (f"account {account}: its access role {role} could not be assumed {waited}: {text}\n"
            f"  fix: check that account {account} exists and that its role {role} trusts the management account "
            f"(access_role_name); for an account created minutes ago, run the same command again later or raise "
            f"baseline.assume_role_wait_seconds (now {wait:.0f})")
