"""One error hierarchy for the whole tool.

Every error a user can cause or meet derives from :class:`LandingZoneError`. Each class carries the exit code the
CLI uses for it, so the codes are documented in one place (README "Exit codes") and never scattered.
Pulumi's ``CommandError`` and botocore's ``ClientError`` are translated into these at the boundary that calls them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from landingzone.redact import clean_message, clean_value, known_secrets, redact, shorten

# Exit codes. 0 success, 1 unexpected failure, 2 pending changes for `preview --detailed-exitcode` only.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CHANGES_PENDING = 2
EXIT_CONFIG = 2
EXIT_PREFLIGHT = 3
EXIT_STATE_LOCKED = 4
EXIT_QUOTA = 5
EXIT_STAGE = 6
EXIT_AUDIT_FINDINGS = 7
"""`landingzone audit`: a finding at or above the --fail-on severity."""
EXIT_AUDIT_INCOMPLETE = 8
"""`landingzone audit`: no finding at or above --fail-on, but some read a check needs gave nothing usable (refused,
not offered, or failing after the retries): the report lists them and the checks it could not evaluate."""
EXIT_INTERRUPTED = 130


class LandingZoneError(Exception):
    """Base class: a short, user-facing message and an exit code."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        message = redact(message)  # engine output, AWS errors, values: never a key, token or the passphrase
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration: where it is, what was there, and what is wrong."""

    path: str
    """Field path in the configuration, e.g. ``accounts[2].email``; empty for the document itself."""
    message: str
    """What is wrong and, where it helps, how to fix it."""
    value: Any = None
    """The offending value, as safe to show: strings redacted and cut to 80 characters (the file may not be a
    configuration at all, or hold a pasted credential)."""

    def __str__(self) -> str:
        where = self.path or "<document>"
        return f"{where}: {self.message}"

    def safe(self, secrets: Sequence[str] | None = None) -> ConfigProblem:
        """This problem with its path, message and value redacted and shortened (the message quotes values)."""
        return ConfigProblem(shorten(redact(self.path, secrets), 160), clean_message(self.message, self.value, secrets),
                             clean_value(self.value, secrets=secrets))


MAX_LISTED_PROBLEMS = 50
"""A ConfigError's message lists this many problems and counts the rest."""
MAX_KEPT_PROBLEMS = 1000
"""A ConfigError keeps this many problems in ``problems`` (``count`` has them all): a hostile file may have a
quarter of a million, and nobody fixes more than the first few hundred before running again."""


class ConfigError(LandingZoneError):
    """The configuration is invalid. Holds the problems found (the first :data:`MAX_KEPT_PROBLEMS`; ``count`` has
    them all), each with its field path, redacted and shortened; the message lists the first 50."""

    exit_code = EXIT_CONFIG

    def __init__(self, problems: Iterable[ConfigProblem] | str, *, source: str | None = None,
                 count: int | None = None) -> None:
        if isinstance(problems, str):
            problems = [ConfigProblem(path="", message=problems)]
        secrets = known_secrets()
        found = iter(problems)
        self.problems: list[ConfigProblem] = [p.safe(secrets) for p in itertools.islice(found, MAX_KEPT_PROBLEMS)]
        if count is None:
            count = len(self.problems) + sum(1 for _ in found)
        self.count = max(count, len(self.problems))
        """How many problems were found (``problems`` keeps the first :data:`MAX_KEPT_PROBLEMS`)."""
        self.source = source
        head = f"{source}: " if source else ""
        count = self.count
        noun = "problem" if count == 1 else "problems"
        lines = [f"{head}{count:,} configuration {noun}:"]
        lines += [f"  {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if count > MAX_LISTED_PROBLEMS:
            rest = count - MAX_LISTED_PROBLEMS
            lines.append(f"  ... and {rest:,} more {'problem' if rest == 1 else 'problems'} (fix the first "
                         f"{MAX_LISTED_PROBLEMS} and run again)")
        super().__init__("\n".join(lines))


class PreflightError(LandingZoneError):
    """Something the requested action needs is missing (pulumi CLI, credentials, passphrase, backend)."""

    exit_code = EXIT_PREFLIGHT

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.fix = fix
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)


class StageError(LandingZoneError):
    """A stage failed. Says which, why, and what had been applied before it failed."""

    exit_code = EXIT_STAGE

    def __init__(self, stage: str, cause: str, applied: Sequence[str] = ()) -> None:
        self.stage = stage
        self.cause = cause
        self.applied = list(applied)
        done = ", ".join(self.applied) if self.applied else "nothing"
        super().__init__(f"stage {stage!r} failed: {cause}\n  applied before the failure: {done}")

    def __reduce__(self) -> tuple[type[StageError], tuple[str, str, list[str]]]:
        # A stage that fails in a plan worker process comes back to the parent pickled: rebuild it from its parts
        # (the default rebuilds from the message alone, which __init__ cannot take, and breaks the pool).
        return (type(self), (self.stage, self.cause, self.applied))


class StateLockedError(LandingZoneError):
    """Another update holds the lock on a stack's state."""

    exit_code = EXIT_STATE_LOCKED

    def __init__(self, stack: str, detail: str = "") -> None:
        self.stack = stack
        msg = (
            f"the state of stack {stack!r} is locked by another update; wait for it to finish. If no update is "
            "running (a process was killed), remove the stale lock with `pulumi cancel` or "
            "`pulumi state unlock` against the same backend."
        )
        super().__init__(f"{msg}\n  {detail}".rstrip() if detail else msg)


class QuotaError(LandingZoneError):
    """A service quota would be exceeded (SCPs per target, characters per SCP, ...)."""

    exit_code = EXIT_QUOTA

    def __init__(self, message: str, *, target: str | None = None, count: int | None = None,
                 limit: int | None = None) -> None:
        self.target = target
        self.count = count
        self.limit = limit
        super().__init__(message)


class UsageError(LandingZoneError):
    """A bad argument or option value (an unknown stage name, --format, ...): exit code 2, like an invalid
    configuration."""

    exit_code = EXIT_CONFIG


class Interrupted(LandingZoneError):
    """The run was interrupted (Ctrl-C); says which stacks had finished."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, operation: str, done: Sequence[str], stopped: Sequence[str] = ()) -> None:
        self.done = list(done)
        self.stopped = list(stopped)
        finished = ", ".join(self.done) or "nothing"
        msg = f"{operation} interrupted; finished before the interruption: {finished}"
        if self.stopped:
            msg += f"; stopped while running: {', '.join(self.stopped)} (run the same command again to converge)"
        super().__init__(msg)
