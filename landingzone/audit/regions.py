"""Regions family: where governed regions are configured, an SCP keeps workloads out of every other region.

Decided by the guardrail simulator (landingzone.policies.simulator) over the SCPs discovery read: for each
workload account, as a principal outside the administration path, would a regional call in each region outside
the governed ones be denied? Asked per account, reported per OU (or the root, for accounts directly under it).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator

from botocore.loaders import create_loader

from landingzone.audit.guardrails import POLICY_READS, scps_enabled
from landingzone.audit.identity import PROBE_ROLE, policy_tree
from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.config import WORKLOAD_ACCOUNT_KINDS
from landingzone.policies.simulator import PolicyTree, SimulationError, simulate

REGIONAL_PROBES = ("ec2:RunInstances", "lambda:CreateFunction", "dynamodb:CreateTable")
"""Regional calls that create workloads: a region deny that stops none of them in a region keeps nothing out."""


@functools.cache
def partition_regions(region: str) -> tuple[str, ...]:
    """Every region of the partition ``region`` belongs to, from botocore's endpoint data."""
    data = create_loader().load_data("endpoints")
    for part in data["partitions"]:
        if region in part.get("regions", {}):
            return tuple(sorted(part["regions"]))
    return ()


def _open_regions(account_id: str, outside: list[str], tree: PolicyTree | None) -> set[str]:
    """The regions where a principal outside the admin path may make some regional call."""
    probe = f"arn:aws:iam::{account_id}:role/{PROBE_ROLE}"
    regions = set()
    for region in outside:
        for action in REGIONAL_PROBES:
            if tree is None:
                allowed = True  # SCPs are not enabled: nothing is denied
            else:
                try:
                    allowed = simulate(action, probe, account_id, region, tree=tree).allowed
                except SimulationError:
                    allowed = True  # a guardrail the simulator cannot read denies nothing we can show
            if allowed:
                regions.add(region)
                break
    return regions


def _applies(ctx: AuditContext) -> bool:
    return ctx.has_organization and bool(ctx.settings.governed_regions)


@check(id="LZ-REG-001", title="A region deny keeps workload accounts in the governed regions",
       severity=Severity.MEDIUM, practice=Practice.OUS_WITH_SCPS,
       rationale="Resources in a region nobody governs escape the trail's alarms, the security services and the "
       "network design; an SCP denying regional calls outside the governed regions is the one control that holds "
       "for every principal of every workload account.",
       remediation="governed_regions lists the regions; assign the deny-unapproved-regions guardrail to the "
       "workload OUs (guardrails[].targets, e.g. Workloads); stage `guardrails` attaches it.",
       cis=Cis(v7="2.1.2"), nist=("PR.AC", "PR.PT"), applies=_applies, needs=POLICY_READS)
def region_deny_in_force(ctx: AuditContext) -> Iterator[Issue]:
    governed = set(ctx.settings.governed_regions or ())
    home = next(iter(sorted(governed)))
    outside = [r for r in partition_regions(home) if r not in governed]
    tree = policy_tree(ctx.found) if scps_enabled(ctx) else None
    open_by_ou: dict[str, set[str]] = defaultdict(set)
    ou_of: dict[str, str] = {}
    answers: dict[tuple[str, ...], set[str]] = {}
    for acct in ctx.accounts_of(*WORKLOAD_ACCOUNT_KINDS):
        key = acct.parent_id or acct.id
        ou_of[key] = acct.ou_path
        # Accounts on the same path with the same SCPs of their own get the same answer, unless some SCP names the
        # account (a condition on its id): simulated once per kind of account, not per account (1,000 accounts in
        # about a second).
        own = tuple(sorted(p.id for p in ctx.found.policies_on(acct.id)))
        named = any(acct.id in p.content for p in ctx.found.policies)
        kind = (acct.ou_path, *own, *((acct.id,) if named else ()))
        if kind not in answers:
            answers[kind] = _open_regions(acct.id, outside, tree)
        open_by_ou[key] |= answers[kind]
    for key, regions in sorted((k, r) for k, r in open_by_ou.items() if r):
        shown = ", ".join(sorted(regions)[:4]) + (", ..." if len(regions) > 4 else "")
        where = "accounts directly under the root" if ou_of[key] == "Root" else f"OU {ou_of[key]!r}"
        yield Issue(key, f"workload accounts in {where} may call {', '.join(REGIONAL_PROBES)} outside the governed "
                    f"regions ({len(regions)} region(s): {shown})")
