"""Upgrade without replacement: a landing zone applied before stage baseline existed holds the /org-admin/ roles
and the closed default security groups (and the member accounts' providers) in the ``security`` stack.
``landingzone up`` finds them in that stack's state, says what it will move, and moves them into the baseline
stack of their account with ``pulumi state move`` before anything else runs (pulumi copies their providers
along; the security stack's next update drops the member providers it no longer uses, which touches nothing in
AWS): nothing in AWS is deleted or recreated, and the baseline programs register the same logical names, so
their next update finds them as they are. ``preview`` only says that the move is pending
(a preview never changes state).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from landingzone import events as ev
from landingzone.config import MANAGEMENT_BASELINE
from landingzone.errors import LandingZoneError
from landingzone.orchestrator.locks import error_text
from landingzone.orchestrator.runner import open_named_stack
from landingzone.orchestrator.stages import PROJECT_NAME
from landingzone.privatefiles import with_private_umask

if TYPE_CHECKING:
    from landingzone.orchestrator.core import Orchestrator

SOURCE_STAGE = "security"
DEST_STAGE = "baseline"
MOVED_TYPES = frozenset({"aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                         "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"})
"""What stage security held for every account before stage baseline (stacks.security.MOVED_TO_BASELINE)."""


@dataclass(frozen=True)
class PlannedMove:
    """Resources of one account to move from the security stack into that account's baseline stack."""

    source: str
    dest: str
    account: str
    urns: tuple[str, ...]


def _account_of_provider(reference: str) -> str | None:
    """'urn:...::pulumi:providers:aws::account-<name>::<id>' -> <name>; the management provider -> management."""
    urn = reference.rsplit("::", 1)[0] if reference.count("::") >= 4 else reference
    name = urn.rsplit("::", 1)[-1]
    if name == "management":
        return MANAGEMENT_BASELINE
    return name.removeprefix("account-") if name.startswith("account-") else None


def planned_moves(orch: Orchestrator, existing: dict[str, int]) -> list[PlannedMove]:
    """What the upgrade would move (empty when the landing zone already has the baseline layout)."""
    names = {st.name for st in orch.stages}
    if SOURCE_STAGE not in names or DEST_STAGE not in names:
        return []
    (source_ref,) = orch.stack_refs(orch.stage(SOURCE_STAGE))
    if not existing.get(source_ref.name):
        return []
    exported: dict[str, Any] = json.loads(orch._pulumi(["stack", "export", "--stack", source_ref.name]) or "{}")
    resources: list[dict[str, Any]] = (exported.get("deployment") or {}).get("resources") or []
    dests = {ref.account: ref.name for ref in orch.stack_refs(orch.stage(DEST_STAGE))}
    by_account: dict[str, list[str]] = {}
    for resource in resources:
        if resource.get("type") not in MOVED_TYPES:
            continue
        account = _account_of_provider(str(resource.get("provider") or ""))
        if account is None or account not in dests:
            continue  # not ours to move: it stays, and the security stage's next update reports it
        by_account.setdefault(account, []).append(str(resource["urn"]))
    # pulumi copies each moved resource's provider into the destination itself (it refuses to move providers);
    # the member accounts' providers left in security are removed by its next update (nothing in AWS).
    moves = [PlannedMove(source_ref.name, dests[account], account, tuple(urns))
             for account, urns in by_account.items()]
    return moves


def _describe(moves: list[PlannedMove]) -> str:
    count = sum(len(m.urns) for m in moves)
    return (f"{count} resources of {len(moves)} accounts from stack {moves[0].source} into their baseline stacks "
            f"({', '.join(m.dest for m in moves[:3])}{', ...' if len(moves) > 3 else ''})")


def warn_pending_upgrade(orch: Orchestrator, existing: dict[str, int]) -> None:
    moves = planned_moves(orch, existing)
    if moves:
        orch.on_event(ev.LogLine(SOURCE_STAGE, f"upgrade pending: `landingzone up` first moves {_describe(moves)} "
                                 "with pulumi state move (nothing in AWS changes); until then this preview shows "
                                 "them deleted from security and created in baseline", "warning"))


@with_private_umask  # the move's scratch dir holds the stacks' settings files
def upgrade_layout(orch: Orchestrator, existing: dict[str, int]) -> bool:
    """Move the legacy resources (see the module docstring); True when something moved."""
    from pulumi import automation as auto

    moves = planned_moves(orch, existing)
    if not moves:
        return False
    orch.on_event(ev.LogLine(SOURCE_STAGE, f"upgrade: moving {_describe(moves)} with pulumi state move; nothing in "
                             "AWS is deleted or recreated", "warning"))
    settings, command = orch._engine()
    secret_env = orch._secret_env()
    scratch = Path(settings.work_root) / "_move"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "Pulumi.yaml").write_text(f"name: {PROJECT_NAME}\nruntime: python\nbackend:\n  url: "
                                         f"{settings.backend}\n")
    env = {"PULUMI_SKIP_UPDATE_CHECK": "true", **dict(settings.extra_env), **secret_env}
    for move in moves:
        # The destination stack exists, with its own work dir (and passphrase salt) as its updates will use it.
        open_named_stack(move.dest, settings, secret_env, command)
        for stack in (move.source, move.dest):
            config = Path(settings.work_root) / stack / f"Pulumi.{stack}.yaml"
            if config.exists():  # the secrets settings of both stacks, where the CLI looks for them
                shutil.copyfile(config, scratch / config.name)
        try:
            command.run(["state", "move", "--source", move.source, "--dest", move.dest, "--yes", "--color", "never",
                         *move.urns], str(scratch), env)
        except auto.errors.CommandError as exc:
            done = [m.dest for m in moves[:moves.index(move)]]
            raise LandingZoneError(
                f"upgrade: moving account {move.account}'s resources from {move.source} into {move.dest} failed: "
                f"{error_text(exc)}\n  moved before the failure: {', '.join(done) or 'nothing'}; nothing in AWS "
                "changed. Run `landingzone up` again to retry the move.") from None
        orch.on_event(ev.LogLine(DEST_STAGE, f"moved {len(move.urns)} resources of account {move.account} into "
                                 f"{move.dest}", "info", move.account))
    return True
