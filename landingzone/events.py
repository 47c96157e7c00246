"""Typed progress events of the orchestrator, consumed by the CLI renderer and the TUI alike.

The orchestrator translates Pulumi's engine events into these and hands each one to the ``on_event`` callback it
was given. Events are frozen, picklable dataclasses of plain values: per-account stacks run in worker processes
and their events cross a process boundary on the way to the callback. No event ever carries a secret: resource
properties are not forwarded, only the names of the properties that differ (``diff_keys``), and free text (log
lines, failures) is redacted (``landingzone.redact``) when the event is made.

``stack`` is the Pulumi stack name; ``account`` is set for account-scoped stages (network), one stack each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from landingzone.redact import redact

Operation = Literal["preview", "up", "refresh", "destroy"]
"""What the orchestrator was asked to do with each stack."""

LogLevel = Literal["debug", "info", "warning", "error"]

CHANGE_OPS: frozenset[str] = frozenset(
    {"create", "update", "delete", "replace", "create-replacement", "delete-replaced", "import", "import-replacement",
     "discard", "discard-replaced", "remove-pending-replace"}
)
"""Resource operations that change something (as opposed to ``same``, ``read`` and ``refresh``)."""


@dataclass(frozen=True)
class StageStarted:
    """A stack of a stage starts an operation."""

    stage: str
    operation: Operation
    stack: str
    account: str | None = None


@dataclass(frozen=True)
class ResourceOp:
    """The engine plans or performs one step on one resource.

    ``op`` is Pulumi's step op: same, create, update, delete, replace, create-replacement, delete-replaced, read,
    refresh, import, ... ``diff_keys`` names the properties that differ (never their values). ``done`` is False
    when the step begins (``resource_pre_event``) and True once it finished (``res_outputs_event``); a preview
    only ever reports the planned step. ``failed`` is set when the step failed.
    """

    stage: str
    type: str
    name: str
    op: str
    diff_keys: tuple[str, ...] = ()
    urn: str = ""
    account: str | None = None
    done: bool = False
    failed: bool = False

    @property
    def changes(self) -> bool:
        return self.op in CHANGE_OPS


@dataclass(frozen=True)
class LogLine:
    """A diagnostic from the engine, a provider or the program (warnings, errors, prints)."""

    stage: str
    message: str
    level: LogLevel = "info"
    account: str | None = None
    urn: str = ""

    def __post_init__(self) -> None:
        # Engine and provider text may quote a credential or the passphrase (a failed provider configure, a
        # program's print): redacted where the event is made, so neither the CLI nor the TUI can show it.
        object.__setattr__(self, "message", redact(self.message))


@dataclass(frozen=True)
class ChangeSummary:
    """What one stack's operation changes (preview) or changed (up, refresh, destroy): op -> resource count.

    ``counts`` uses Pulumi's op names (create, update, delete, replace, same, ...).
    """

    stage: str
    operation: Operation
    counts: Mapping[str, int] = field(default_factory=dict)
    stack: str = ""
    account: str | None = None

    @property
    def changed(self) -> int:
        """Resources that change (everything but ``same``, ``read`` and ``refresh``)."""
        return sum(n for op, n in self.counts.items() if op in CHANGE_OPS)

    @property
    def has_changes(self) -> bool:
        return self.changed > 0


@dataclass(frozen=True)
class StageFinished:
    """A stack of a stage finished its operation. ``outputs`` lists the names of its outputs (not the values:
    they may be secret); ``seconds`` is the wall time of the operation."""

    stage: str
    operation: Operation
    stack: str
    account: str | None = None
    seconds: float = 0.0
    outputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageFailed:
    """A stack of a stage failed (or was interrupted); ``error`` is the short, user-facing reason."""

    stage: str
    operation: Operation
    stack: str
    error: str
    account: str | None = None
    interrupted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "error", redact(self.error))


Event = StageStarted | StageFinished | StageFailed | ResourceOp | LogLine | ChangeSummary
"""Every event the orchestrator emits."""

EventHandler = Callable[[Event], None]
"""The ``on_event`` callback. It is called from the thread that runs the orchestrator; the TUI posts messages
from it, the CLI renders."""


def ignore_event(event: Event) -> None:
    """The default handler: drop everything."""
    del event
