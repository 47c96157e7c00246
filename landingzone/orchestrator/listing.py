"""Every stack of a landing zone, in dependency order, for `landingzone stacks` and `--stack NAME`: the way to
run the per-account stacks beyond one machine (a CI job matrix, each job running and locking only its stack)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from landingzone.orchestrator.lookups import has_work
from landingzone.orchestrator.results import UsageError
from landingzone.orchestrator.stages import StackRef, StageLike

if TYPE_CHECKING:
    from landingzone.orchestrator.core import Orchestrator


@dataclass(frozen=True)
class StackEntry:
    """One stack as `landingzone stacks --json` lists it."""

    name: str
    stage: str
    account: str | None
    scope: str
    depends_on: tuple[str, ...]
    """The stacks whose outputs this one reads (all stacks of the stages it depends on)."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "stage": self.stage, "account": self.account, "scope": self.scope,
                "depends_on": list(self.depends_on)}


def stack_entries(orch: Orchestrator, stage: str | None = None) -> list[StackEntry]:
    """The stacks of every stage (or of `stage` alone), in dependency order: a stack comes after every stack it
    depends on. A stage the configuration gives nothing to do (``Stage.applies``) has no stack: an `up` skips it."""
    refs: dict[str, list[StackRef]] = {st.name: orch.stack_refs(st) if has_work(st, orch.cfg) else []
                                       for st in orch.stages}
    chosen = [orch.stage(stage)] if stage is not None else list(orch.stages)
    entries: list[StackEntry] = []
    for st in chosen:
        upstream = tuple(ref.name for dep in st.depends_on for ref in refs.get(dep, []))
        entries += [StackEntry(ref.name, st.name, ref.account, st.scope, upstream) for ref in refs[st.name]]
    return entries


def stages_of(orch: Orchestrator, names: Sequence[str]) -> list[StageLike]:
    """The stages holding the stacks `names` (`--stack`), in dependency order; an unknown name is a UsageError
    naming it and how to list the stacks."""
    owner: dict[str, str] = {ref.name: st.name for st in orch.stages for ref in orch.stack_refs(st)}
    unknown = [n for n in names if n not in owner]
    if unknown:
        raise UsageError(f"--stack: {', '.join(repr(n) for n in unknown)} is not a stack of this landing zone; "
                         "`landingzone stacks` lists them")
    wanted = {owner[n] for n in names}
    return [st for st in orch.stages if st.name in wanted]
