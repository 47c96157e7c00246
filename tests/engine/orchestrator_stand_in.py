"""Stand-in stage programs for the orchestrator's engine tests: the same shape as ``stacks.STAGES`` (name,
program, depends_on, scope, accounts), but with component resources only, so they run on the real pulumi engine
without any provider plugin. They prove ordering, the flow of outputs, unknowns on a fresh landing zone, locking,
recovery after a kill and secrets handling; the real stages are tested against the AWS emulator elsewhere.

LZ_STAND_IN_DELAY (seconds) makes the organization stage's program sleep, so a test can hold the state lock or
kill the process in the middle of an update.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from landingzone.config import LandingZoneConfig
from stacks import UNKNOWN


def maybe_unknown(value: Any) -> Any:
    """UNKNOWN -> an unknown Output (what a stage program does with an upstream output of an unapplied stage)."""
    if value is not UNKNOWN:
        return value
    loop = asyncio.get_event_loop()
    futures = [loop.create_future() for _ in range(3)]
    futures[0].set_result(None)
    futures[1].set_result(False)
    futures[2].set_result(False)
    return pulumi.Output(set(), futures[0], futures[1], futures[2])


def lookup(mapping: Any, *keys: str) -> Any:
    """mapping[k1][k2]..., UNKNOWN as soon as one level is UNKNOWN, as an Output ready to export."""
    value = mapping
    for key in keys:
        if value is UNKNOWN:
            break
        value = value.get(key, UNKNOWN)
    return maybe_unknown(value)


class Thing(pulumi.ComponentResource):
    def __init__(self, kind: str, name: str, props: dict[str, Any] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"landingzone:test:{kind}", name, props or {}, opts)
        self.register_outputs({})


@dataclass(frozen=True)
class StandInStage:
    name: str
    program: Callable[[Any], None]
    depends_on: Sequence[str] = ()
    scope: str = "management"

    def accounts(self, cfg: LandingZoneConfig) -> list[str]:
        return [n.account for n in cfg.network] if self.scope == "account" else []


def organization(ctx: Any) -> None:
    cfg: LandingZoneConfig = ctx.config
    delay = float(os.environ.get("LZ_STAND_IN_DELAY", "0") or 0)
    org = Thing("Organization", cfg.name, opts=pulumi.ResourceOptions(protect=True))
    ids: dict[str, str] = {}
    for i, account in enumerate(cfg.accounts):
        Thing("Account", account.name, opts=pulumi.ResourceOptions(parent=org, protect=True))
        ids[account.name] = f"{100000000000 + i}"
    if delay:
        time.sleep(delay)
    pulumi.export("organization_id", f"o-{cfg.name[:10]}")
    pulumi.export("account_ids", ids)
    pulumi.export("admin_token", pulumi.Output.secret("stand-in-secret-output"))


def security(ctx: Any) -> None:
    org = ctx.upstream["organization"]
    Thing("DelegatedAdministrator", "cloudtrail")
    pulumi.export("admin_role_arns", lookup(org, "account_ids", "security"))
    pulumi.export("seen_organization_id", lookup(org, "organization_id"))


def guardrails(ctx: Any) -> None:
    cfg: LandingZoneConfig = ctx.config
    for assignment in cfg.guardrails:
        Thing("Policy", assignment.id)
    pulumi.export("policy_ids", {g.id: f"p-{i}" for i, g in enumerate(cfg.guardrails)})
    pulumi.export("seen_organization_id", lookup(ctx.upstream["organization"], "organization_id"))


def network(ctx: Any) -> None:
    cfg: LandingZoneConfig = ctx.config
    account = ctx.account
    net = next(n for n in cfg.network if n.account == account)
    for role in net.roles:
        Thing("SecurityGroup", role.name)
    pulumi.export("account_id", lookup(ctx.upstream["organization"], "account_ids", account))
    pulumi.export("seen_admin", lookup(ctx.upstream["security"], "admin_role_arns"))
    pulumi.export("pid", os.getpid())


STAND_IN_STAGES: tuple[StandInStage, ...] = (
    StandInStage("organization", organization),
    StandInStage("security", security, ("organization",)),
    StandInStage("guardrails", guardrails, ("organization",)),
    StandInStage("network", network, ("organization", "security"), "account"),
)
