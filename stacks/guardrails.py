"""Stage 4, guardrails (management account): the library's SCPs and their attachments.

Quotas (SCPs per target, characters per SCP) are checked before anything is registered: a QuotaError names the
target and the count. Whenever the security stage creates administration roles under the org-admin path, that
path is protected even if the configuration forgot to assign a protect-org-admin-roles guardrail.

Outputs: policy_ids {policy key: id}.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from landingzone.config import ROOT_OU, GuardrailAssignment, LandingZoneConfig
from landingzone.policies.catalog import AttachmentPlan, plan_attachments
from stacks.base import Providers, StageContext, opts, target_id

SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY"
ORG_ADMIN_PROTECTION = "protect-org-admin-roles"


def with_org_admin_protection(cfg: LandingZoneConfig) -> LandingZoneConfig:
    """The configuration, plus protect-org-admin-roles on the root when admin roles exist and nothing
    protects their path yet."""
    if not cfg.org_admin.role_names or not cfg.accounts:
        return cfg
    if any(g.id.startswith(ORG_ADMIN_PROTECTION) for g in cfg.guardrails):
        return cfg
    extra = GuardrailAssignment(id=ORG_ADMIN_PROTECTION, targets=[ROOT_OU])
    return cfg.model_copy(update={"guardrails": [*cfg.guardrails, extra]})


def attachment_plan(cfg: LandingZoneConfig) -> AttachmentPlan:
    """What this stage will create, quota-checked (QuotaError otherwise)."""
    plan = plan_attachments(with_org_admin_protection(cfg))
    plan.check_quotas(cfg.quotas)
    return plan


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    plan = attachment_plan(cfg)  # before any registration
    mgmt = Providers(ctx).management

    policy_ids: dict[str, pulumi.Output[str]] = {}
    for planned in plan.policies:
        policy = aws.organizations.Policy(
            f"scp-{planned.key}",
            name=planned.name,
            description=planned.description,
            content=planned.content,
            type=SERVICE_CONTROL_POLICY,
            opts=opts(mgmt),
        )
        policy_ids[planned.key] = policy.id
        for target in planned.targets:
            aws.organizations.PolicyAttachment(
                f"scp-{planned.key}-on-{target}",
                policy_id=policy.id,
                target_id=target_id(ctx, target),
                opts=opts(mgmt),
            )

    pulumi.export("policy_ids", policy_ids)
