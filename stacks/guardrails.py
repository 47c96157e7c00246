"""Stage 4, guardrails (management account): the library's policies (SCPs, RCPs, declarative policies for EC2,
Organizations S3 policies) and their attachments.

Quotas (policies per target and characters per policy, per policy type) are checked before anything is
registered: a QuotaError names the target and the count. Whenever the security stage creates administration
roles under the org-admin path and no protect guardrail is assigned, protect-org-admin-roles-strict is attached to
the root (catalog.needs_org_admin_protection): the roles, and the access role every exemption names, are never
left open. The organization stage enables every policy type the plan uses.

Policies that name the organization (the RCPs' aws:PrincipalOrgID) are rendered with the organization stage's
``organization_id`` (or ``organization.existing_id``); until that stage is applied their content is known after
apply.

Outputs: policy_ids {policy key: id}, policy_types {policy key: policy type}.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from landingzone.config import ROOT_OU, GuardrailAssignment, LandingZoneConfig
from landingzone.policies.catalog import AttachmentPlan, PlannedPolicy, needs_org_admin_protection, plan_attachments
from landingzone.policies.templates import PENDING_ORGANIZATION_ID
from stacks.base import Providers, StageContext, opts, organization_id, target_id

ORG_ADMIN_PROTECTION = "protect-org-admin-roles-strict"
RESOURCE_PREFIX = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp",
                   "DECLARATIVE_POLICY_EC2": "declarative", "S3_POLICY": "s3policy"}
"""Resource-name prefix per policy type (the SCPs keep the ``scp-`` names they always had)."""


def with_org_admin_protection(cfg: LandingZoneConfig) -> LandingZoneConfig:
    """The configuration plus protect-org-admin-roles-strict on the root when admin roles exist and nothing
    protects their path yet (landingzone.policies.catalog.needs_org_admin_protection; plan_attachments adds it
    by itself, this is for callers that want the configuration)."""
    if not needs_org_admin_protection(cfg):
        return cfg
    extra = GuardrailAssignment(id=ORG_ADMIN_PROTECTION, targets=[ROOT_OU])
    return cfg.model_copy(update={"guardrails": [*cfg.guardrails, extra]})


def attachment_plan(cfg: LandingZoneConfig) -> AttachmentPlan:
    """What this stage will create, quota-checked (QuotaError otherwise)."""
    plan = plan_attachments(cfg)
    plan.check_quotas(cfg.quotas)
    return plan


def policy_types_used(cfg: LandingZoneConfig) -> list[str]:
    """Organizations policy types the guardrails need enabled (SCP always), for the organization stage."""
    return list(plan_attachments(cfg).policy_types())


def trusted_access_principals(cfg: LandingZoneConfig) -> list[str]:
    """Service principals the policy types in use need trusted access for (ec2.amazonaws.com with declarative
    policies: their account status report), for the organization stage."""
    from landingzone.policies.policy_types import policy_type

    found = (policy_type(t).trusted_access_principal for t in policy_types_used(cfg))
    return sorted({p for p in found if p})


def _content(ctx: StageContext, planned: PlannedPolicy) -> pulumi.Input[str]:
    if PENDING_ORGANIZATION_ID not in planned.content:
        return planned.content
    text = planned.content
    return organization_id(ctx).apply(lambda oid: text.replace(PENDING_ORGANIZATION_ID, str(oid)))


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    plan = attachment_plan(cfg)  # before any registration
    mgmt = Providers(ctx).management

    policy_ids: dict[str, pulumi.Output[str]] = {}
    for planned in plan.policies:
        prefix = RESOURCE_PREFIX[planned.policy_type]
        policy = aws.organizations.Policy(
            f"{prefix}-{planned.key}",
            name=planned.name,
            description=planned.description,
            content=_content(ctx, planned),
            type=planned.policy_type,
            opts=opts(mgmt),
        )
        policy_ids[planned.key] = policy.id
        for target in planned.targets:
            aws.organizations.PolicyAttachment(
                f"{prefix}-{planned.key}-on-{target}",
                policy_id=policy.id,
                target_id=target_id(ctx, target),
                opts=opts(mgmt),
            )

    pulumi.export("policy_ids", policy_ids)
    pulumi.export("policy_types", {p.key: p.policy_type for p in plan.policies})
