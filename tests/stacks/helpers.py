"""Run one stage program under pulumi mocks (landingzone.plan's recording monitor) and look at what it registered.

Mocks stand in for the engine and the AWS provider here because the point is the program's inputs; the real
engine runs in tests/engine.
"""

from __future__ import annotations

import json
from typing import Any

import stacks
from landingzone.config import LandingZoneConfig, validate_config
from landingzone.plan import ProgramRun, StagePlan, run_program
from landingzone.presets import preset_data

ORG_ID = "o-abcdefghij"
ROOT_ID = "r-ab12"
MANAGEMENT_ID = "111111111111"


def applied_organization(cfg: LandingZoneConfig) -> dict[str, Any]:
    """Outputs of an applied organization stage (ids as AWS would have assigned them)."""
    return {
        "organization_id": cfg.organization.existing_id or ORG_ID,
        "root_id": cfg.organization.existing_root_id or ROOT_ID,
        "management_account_id": MANAGEMENT_ID,
        "account_ids": {a.name: a.existing_id or f"{300000000000 + i}" for i, a in enumerate(cfg.accounts)},
        "ou_ids": {path: f"ou-ab12-{i:08d}" for i, path in enumerate(cfg.ou_paths())},
    }


def run_stage(name: str, cfg: LandingZoneConfig, *, upstream: dict[str, Any] | None = None,
              account: str | None = None, preview: bool = True) -> StagePlan:
    """Run a stage; by default with the organization applied (so ids and policies are known)."""
    if upstream is None:
        upstream = {"organization": applied_organization(cfg)}
    ctx = stacks.StageContext(config=cfg, upstream=upstream, account=account)
    stack = stacks.stack_name(cfg, name, account)
    run: ProgramRun = run_program(stacks.stage(name).program, ctx, stack=stack, preview=preview)
    return StagePlan(stage=name, stack=stack, account=account, resources=run.resources, outputs=run.outputs)


def config(name: str = "medium", **changes: Any) -> LandingZoneConfig:
    data = preset_data(name)  # type: ignore[arg-type]
    data.update(changes)
    return validate_config(data)


def statements(policy_json: str) -> list[dict[str, Any]]:
    doc = json.loads(policy_json)
    found = doc["Statement"]
    return found if isinstance(found, list) else [found]


def principals(statement: dict[str, Any]) -> list[str]:
    """Every principal a statement names ("*" for the wildcard, in any of its spellings)."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    out: list[str] = []
    for value in (principal or {}).values():
        out += value if isinstance(value, list) else [value]
    return out


WRITE_ACTION_PREFIXES = ("s3:Put", "s3:Delete", "s3:*", "kms:*", "kms:Encrypt", "kms:GenerateDataKey",
                         "kms:ReEncrypt", "kms:Put", "kms:Create", "kms:Schedule", "*")


def grants_write(statement: dict[str, Any]) -> bool:
    actions = statement.get("Action", [])
    actions = actions if isinstance(actions, list) else [actions]
    return statement.get("Effect") == "Allow" and any(
        a == "*" or any(a.startswith(p) for p in WRITE_ACTION_PREFIXES) for a in actions)
