"""Stages access and management_access: IAM Identity Center permission sets, groups and account assignments.

Stage ``access`` runs in the account that administers Identity Center (the delegated administrator, which stage
security registers; shared-services by default) with ONE provider, however many accounts and assignments there
are: an account assignment names its account by id, so nothing needs a provider per account. It creates the
groups (or looks up external SCIM groups by display name), the permission sets with their policies, and one
``AccountAssignment`` per (group, permission set, member account) the assignments reach (OUs expanded to their
accounts, "Root" to every member account).

Stage ``management_access`` runs in the management account, also with one provider: AWS lets only the management
account assign access to itself and manage a permission set provisioned there, so the permission sets assigned to
the management account (break-glass only; validation refuses any other group) live in this stage with all their
assignments.

The instance ARN and identity store id come from the configuration, which the orchestrator completes with
``sso-admin ListInstances`` before a preview or an apply (never the program: it calls no AWS API). Without them a
preview shows everything known after apply; an apply stops with how to enable Identity Center.

Outputs (access): administrator_account, instance_arn, identity_store_id, group_ids {group: id},
permission_set_arns {name: ARN}, assignment_count. management_access: permission_set_arns, assignment_count.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import (
    MANAGEMENT_TARGET,
    IdentityCenterConfig,
    LandingZoneConfig,
    PermissionSet,
    administrator_account,
    grants,
    management_permission_sets,
    partition,
)
from landingzone.errors import StageError
from stacks.base import (
    Providers,
    StageContext,
    account_id,
    management_account_id,
    opts,
    unknown_output,
    upstream_output,
)

ENABLE_HINT = ("enable IAM Identity Center once in the management account's console (IAM Identity Center > "
               "Enable, organization instance; README 'IAM Identity Center'), or set identity_center.instance_arn "
               "and identity_center.identity_store_id")


def _instance(ctx: StageContext, stage: str) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    ic = ctx.config.identity_center
    assert ic is not None
    if ic.instance_arn is not None and ic.identity_store_id is not None:
        return pulumi.Output.from_input(ic.instance_arn), pulumi.Output.from_input(ic.identity_store_id)
    if not pulumi.runtime.is_dry_run():
        raise StageError(stage, f"no IAM Identity Center instance was found; {ENABLE_HINT}")
    return unknown_output(), unknown_output()


def _region(cfg: LandingZoneConfig) -> dict[str, str]:
    """The per-resource region when Identity Center lives outside the home region (the providers' region)."""
    ic = cfg.identity_center
    return {"region": ic.region} if ic is not None and ic.region and ic.region != cfg.home_region else {}


def policy_arn(cfg: LandingZoneConfig, reference: str) -> str:
    """An AWS managed policy by name (with its path) or ARN -> its ARN in the home region's partition."""
    if reference.startswith("arn:"):
        return reference
    return f"arn:{partition(cfg.home_region)}:iam::aws:policy/{reference}"


def register_permission_set(cfg: LandingZoneConfig, pset: PermissionSet, instance_arn: pulumi.Output[str],
                            provider: aws.Provider) -> pulumi.Output[str]:
    """The permission set and its policies; returns its ARN."""
    where = _region(cfg)
    made = aws.ssoadmin.PermissionSet(
        f"permission-set-{pset.name}", name=pset.name, description=pset.effective_description,
        instance_arn=instance_arn, session_duration=pset.effective_session_duration,
        tags={"landingzone": cfg.name}, opts=opts(provider), **where)
    common: dict[str, Any] = {"instance_arn": instance_arn, "permission_set_arn": made.arn, **where}
    for ref in pset.effective_managed_policies:
        aws.ssoadmin.ManagedPolicyAttachment(
            f"permission-set-{pset.name}-{ref}", managed_policy_arn=policy_arn(cfg, ref), opts=opts(provider),
            **common)
    for cmp in pset.customer_managed_policies:
        aws.ssoadmin.CustomerManagedPolicyAttachment(
            f"permission-set-{pset.name}-customer-{cmp.path}{cmp.name}",
            customer_managed_policy_reference=aws.ssoadmin.CustomerManagedPolicyAttachmentCustomerManagedPolicyReferenceArgs(
                name=cmp.name, path=cmp.path),
            opts=opts(provider), **common)
    if pset.inline_policy is not None:
        aws.ssoadmin.PermissionSetInlinePolicy(
            f"permission-set-{pset.name}-inline", inline_policy=json.dumps(pset.inline_policy, separators=(",", ":")),
            opts=opts(provider), **common)
    boundary = pset.permissions_boundary
    if boundary is not None:
        ref_args = None
        if boundary.customer_managed_policy is not None:
            ref_args = aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryCustomerManagedPolicyReferenceArgs(
                name=boundary.customer_managed_policy.name, path=boundary.customer_managed_policy.path)
        aws.ssoadmin.PermissionsBoundaryAttachment(
            f"permission-set-{pset.name}-boundary",
            permissions_boundary=aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryArgs(
                managed_policy_arn=policy_arn(cfg, boundary.managed_policy) if boundary.managed_policy else None,
                customer_managed_policy_reference=ref_args),
            opts=opts(provider), **common)
    return made.arn


def register_groups(cfg: LandingZoneConfig, ic: IdentityCenterConfig, store_id: pulumi.Output[str],
                    provider: aws.Provider) -> dict[str, pulumi.Output[str]]:
    """Created groups, and external (SCIM) groups looked up by display name; {name: group id}."""
    where = _region(cfg)
    ids: dict[str, pulumi.Output[str]] = {}
    for group in ic.groups:
        if group.external:
            found = aws.identitystore.get_group_output(
                identity_store_id=store_id,
                alternate_identifier=aws.identitystore.GetGroupAlternateIdentifierArgs(
                    unique_attribute=aws.identitystore.GetGroupAlternateIdentifierUniqueAttributeArgs(
                        attribute_path="DisplayName", attribute_value=group.name)),
                opts=pulumi.InvokeOutputOptions(provider=provider), **where)
            # (offline, and through a provider not configured yet, the engine answers nothing: known after apply)
            ids[group.name] = found.group_id.apply(lambda gid: gid if gid else unknown_output())
        else:
            made = aws.identitystore.Group(
                f"group-{group.name}", display_name=group.name, description=group.description or None,
                identity_store_id=store_id, opts=opts(provider), **where)
            ids[group.name] = made.group_id
    return ids


def register_assignments(ctx: StageContext, permission_sets: set[str], arns: dict[str, pulumi.Output[str]],
                         group_ids: dict[str, pulumi.Output[str]], instance_arn: pulumi.Output[str],
                         provider: aws.Provider) -> int:
    """One AccountAssignment per (group, permission set, account) of the given permission sets."""
    cfg = ctx.config
    where = _region(cfg)
    count = 0
    mgmt_id: pulumi.Output[str] | None = None
    for grant in grants(cfg):
        if grant.permission_set not in permission_sets:
            continue
        if grant.account == MANAGEMENT_TARGET:
            mgmt_id = mgmt_id or management_account_id(ctx)
            target: pulumi.Output[str] = mgmt_id
        else:
            target = account_id(ctx, grant.account)
        aws.ssoadmin.AccountAssignment(
            f"assign-{grant.group}-{grant.permission_set}-{grant.account}", instance_arn=instance_arn,
            permission_set_arn=arns[grant.permission_set], principal_id=group_ids[grant.group],
            principal_type="GROUP", target_id=target, target_type="AWS_ACCOUNT", opts=opts(provider), **where)
        count += 1
    return count


def program(ctx: StageContext) -> None:
    """Stage access, from the administering account."""
    cfg = ctx.config
    ic = cfg.identity_center
    if ic is None:
        pulumi.export("assignment_count", 0)
        return
    admin = administrator_account(cfg)
    assert admin is not None  # validation
    provider = Providers(ctx).account(admin)
    instance_arn, store_id = _instance(ctx, "access")
    group_ids = register_groups(cfg, ic, store_id, provider)
    owned = {p.name for p in ic.permission_sets} - management_permission_sets(ic)
    arns = {p.name: register_permission_set(cfg, p, instance_arn, provider)
            for p in ic.permission_sets if p.name in owned}
    count = register_assignments(ctx, owned, arns, group_ids, instance_arn, provider)
    pulumi.export("administrator_account", admin)
    pulumi.export("instance_arn", instance_arn)
    pulumi.export("identity_store_id", store_id)
    pulumi.export("group_ids", group_ids)
    pulumi.export("permission_set_arns", arns)
    pulumi.export("assignment_count", count)


def management_program(ctx: StageContext) -> None:
    """Stage management_access, from the management account: the break-glass permission sets and assignments."""
    cfg = ctx.config
    ic = cfg.identity_center
    owned = management_permission_sets(ic) if ic is not None else set()
    if ic is None or not owned:
        pulumi.export("assignment_count", 0)
        return
    provider = Providers(ctx).management
    instance_arn, _ = _instance(ctx, "management_access")
    groups = {g.group for g in grants(cfg) if g.permission_set in owned}
    group_ids = {name: upstream_output(ctx, "access", "group_ids", name) for name in sorted(groups)}
    arns = {p.name: register_permission_set(cfg, p, instance_arn, provider)
            for p in ic.permission_sets if p.name in owned}
    count = register_assignments(ctx, owned, arns, group_ids, instance_arn, provider)
    pulumi.export("permission_set_arns", arns)
    pulumi.export("assignment_count", count)


def applies(cfg: LandingZoneConfig) -> bool:
    """Stage access has work when the configuration has an identity_center section."""
    return cfg.identity_center is not None


def management_applies(cfg: LandingZoneConfig) -> bool:
    """Stage management_access has work when something is assigned to the management account."""
    return cfg.identity_center is not None and bool(management_permission_sets(cfg.identity_center))
