"""Plan-level lint: what is wrong with a configuration's set of guardrails rather than with one policy.

- TOO_MANY_ATTACHMENTS: a target over its policy type's per-target quota (the AWS default policy counts).
- UNPROTECTED_EXEMPTION: a guardrail exempts a principal (an IAM role or user ARN pattern) that no guardrail on the
  same path protects from being created or changed. Whoever can rewrite an exempted role inherits every exemption
  that names it: the region deny, the trail and security-service protections are then one AttachRolePolicy away.
  The check runs the simulator: a request by an unprivileged principal to change a sample role of the pattern must
  be DENIED on the path of every target that carries the exemption.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from landingzone.policies.catalog import (
    AttachmentPlan,
    GuardrailCatalog,
    RenderContext,
    default_catalog,
    plan_attachments,
)
from landingzone.policies.findings import PolicyFinding
from landingzone.policies.findings import finding as _f
from landingzone.policies.policy_types import AUTHORIZATION_TYPES, policy_type
from landingzone.policies.simulator import PolicyTree, SimulationError, simulate, wildcard_match

if TYPE_CHECKING:
    from landingzone.config import LandingZoneConfig, QuotaConfig

ROLE_CHANGES: tuple[str, ...] = (
    "iam:CreateRole", "iam:DeleteRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy",
    "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole",
)
"""The changes that would let someone take over, or squat the name of, an exempted role."""
USER_CHANGES: tuple[str, ...] = (
    "iam:CreateUser", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup",
)
"""The changes that would let someone take over an exempted IAM user."""
SAMPLE_ACCOUNT = "111122223333"
UNPRIVILEGED = f"arn:{{partition}}:iam::{SAMPLE_ACCOUNT}:role/UnprivilegedWorkloadRole"
_PRINCIPAL_KIND_RE = re.compile(r"^arn:[^:]+:iam::[^:]*:(role|user)/")


def lint_attachments(plan: AttachmentPlan, quotas: QuotaConfig | None = None) -> list[PolicyFinding]:
    """TOO_MANY_ATTACHMENTS for every target over its per-target quota, per policy type."""
    findings = []
    for type_name, uses in plan.usage_by_type(quotas).items():
        info = policy_type(type_name)
        default = info.default_policy
        for use in uses:
            if not use.over_limit:
                continue
            keys = plan.keys_of_type(use.target, type_name)
            listed = f"{default.name} + {len(keys)}" if default else f"{len(keys)}"
            findings.append(_f(
                "TOO_MANY_ATTACHMENTS", "error",
                f"{use.kind} {use.target!r} would have {use.attached} {info.label}s attached directly ({listed}: "
                f"{', '.join(keys)}); the quota is {use.limit} per target.",
                "Attach some guardrails to a parent OU or the root instead (inherited policies do not count toward "
                f"a target's quota), or combine guardrails into one {info.label}.", use.target))
    return findings


def _sample(pattern: str) -> str:
    parts = pattern.split(":", 5)
    if len(parts) == 6 and parts[4] in ("*", ""):
        parts[4] = SAMPLE_ACCOUNT
    return ":".join(parts).replace("*", "LandingZoneAdministrator").replace("?", "x")


def exemptions_by_target(cfg: LandingZoneConfig, plan: AttachmentPlan, catalog: GuardrailCatalog,
                         context: RenderContext) -> dict[str, dict[str, list[str]]]:
    """target -> exempt principal pattern -> the policy keys that exempt it there."""
    found: dict[str, dict[str, list[str]]] = {}
    for planned in plan.policies:
        if planned.policy_type not in AUTHORIZATION_TYPES:
            continue
        guard = catalog.get(planned.guardrail_id)
        for pattern in guard.exempt_principals(planned.parameters, context):
            for target in planned.targets:
                found.setdefault(target, {}).setdefault(pattern, []).append(planned.key)
    return found


def lint_exemptions(cfg: LandingZoneConfig, plan: AttachmentPlan | None = None,
                    catalog: GuardrailCatalog | None = None) -> list[PolicyFinding]:
    """UNPROTECTED_EXEMPTION for every exempted role or user pattern some unprivileged principal could still
    create or change on the path of a target that carries the exemption."""
    catalog = catalog or default_catalog()
    context = RenderContext.from_config(cfg)
    plan = plan or plan_attachments(cfg, catalog)
    tree = PolicyTree.from_config(cfg, plan)
    attacker = UNPRIVILEGED.format(partition=context.partition)
    accounts = {a.name for a in cfg.accounts}
    findings: list[PolicyFinding] = []
    for target, patterns in exemptions_by_target(cfg, plan, catalog, context).items():
        for pattern, keys in patterns.items():
            kind = _PRINCIPAL_KIND_RE.match(pattern)
            if kind is None or wildcard_match(pattern, attacker):
                continue
            actions = ROLE_CHANGES if kind.group(1) == "role" else USER_CHANGES
            sample = _sample(pattern)
            open_actions = list(_open_actions(tree, target, target in accounts, attacker, sample, actions,
                                              cfg.home_region))
            if not open_actions:
                continue
            shown = ", ".join(open_actions[:4]) + (f" and {len(open_actions) - 4} more" if len(open_actions) > 4
                                                    else "")
            findings.append(_f(
                "UNPROTECTED_EXEMPTION", "error",
                f"{', '.join(keys)} exempt {pattern} on {target!r}, but nothing on that path stops other principals "
                f"from {shown} on it (e.g. {sample}); whoever can change that {kind.group(1)} bypasses every "
                "guardrail that exempts it.",
                "Attach protect-org-admin-roles-strict to the root (it protects the access role and the org-admin "
                "path) and list other exempted roles in its additional_protected_role_arns; protect exempted users "
                "with an SCP of your own, or exempt roles instead.", target))
    return findings


def _open_actions(tree: PolicyTree, target: str, is_account: bool, attacker: str, sample: str,
                  actions: tuple[str, ...], region: str) -> Iterator[str]:
    for action in actions:
        try:
            verdict = (simulate(action, attacker, target, region=region, resource=sample, tree=tree)
                       if is_account else
                       simulate(action, attacker, ou=target, region=region, resource=sample, tree=tree))
        except SimulationError:
            continue
        if verdict.allowed:
            yield action


def lint_plan(cfg: LandingZoneConfig, catalog: GuardrailCatalog | None = None) -> list[PolicyFinding]:
    """Every plan-level finding of a configuration."""
    catalog = catalog or default_catalog()
    plan = plan_attachments(cfg, catalog)
    return lint_attachments(plan, cfg.quotas) + lint_exemptions(cfg, plan, catalog)
