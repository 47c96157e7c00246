"""What a run did: one outcome per stack, the run's result, and the errors a run ends with (UsageError and
Interrupted live in landingzone.errors; they are re-exported here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from landingzone import events as ev
from landingzone.errors import Interrupted, StageError, UsageError
from landingzone.orchestrator.stages import StackRef

__all__ = ["Interrupted", "RunResult", "StackOutcome", "StacksFailed", "UsageError"]


@dataclass
class StackOutcome:
    """What one stack operation did."""

    ref: StackRef
    operation: ev.Operation
    counts: dict[str, int] = field(default_factory=dict)
    resources: list[ev.ResourceOp] = field(default_factory=list)
    outputs: dict[str, Any] | None = None
    planned_outputs: dict[str, Any] | None = None
    """A preview's planned stack outputs: plain values, UNKNOWN where not known before apply."""
    diff_text: str = ""
    seconds: float = 0.0
    skipped: str = ""
    """Why the stack was not run (e.g. destroy of a stack that was never created)."""

    @property
    def changed(self) -> int:
        return sum(n for op, n in self.counts.items() if op in ev.CHANGE_OPS)

    def summary(self) -> ev.ChangeSummary:
        return ev.ChangeSummary(self.ref.stage, self.operation, dict(self.counts), self.ref.name, self.ref.account)


@dataclass
class RunResult:
    """The outcome of a preview/up/refresh/destroy over the selected stacks, in the order they ran."""

    operation: ev.Operation
    stacks: list[StackOutcome] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(s.changed for s in self.stacks)

    @property
    def applied(self) -> list[str]:
        return [s.ref.label for s in self.stacks if not s.skipped]

    failures: list[tuple[str, str]] = field(default_factory=list)
    """(stack label, error) of every per-account stack that failed while the others ran."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "changes": self.has_changes,
            "failures": [{"stack": label, "error": error} for label, error in self.failures],
            "stacks": [
                {
                    "stage": s.ref.stage,
                    "stack": s.ref.name,
                    "account": s.ref.account,
                    "counts": s.counts,
                    "skipped": s.skipped or None,
                    "resources": [
                        {"type": r.type, "name": r.name, "op": r.op, "diff_keys": list(r.diff_keys)}
                        for r in s.resources if r.changes
                    ],
                }
                for s in self.stacks
            ],
        }


class StacksFailed(StageError):
    """Per-account stacks failed; the others ran. Names each failed account with its error, and what was applied
    (``result`` holds every stack that ran or was skipped)."""

    def __init__(self, failures: Sequence[tuple[str, str]], applied: Sequence[str] = (),
                 result: RunResult | None = None) -> None:
        self.failures = list(failures)
        self.result = result
        stages = sorted({label.split("[", 1)[0] for label, _ in self.failures})
        lines = [f"{len(self.failures)} per-account stack(s) failed; the others ran:"]
        lines += [f"  {label}: {error}" for label, error in self.failures]
        super().__init__(", ".join(stages), "\n".join(lines), applied)

    def __reduce__(self) -> Any:
        return (type(self), (self.failures, self.applied))
