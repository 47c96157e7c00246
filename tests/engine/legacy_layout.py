"""The security stage as it was before stage baseline (git 7a70c08, stacks/security.py, unchanged below the
docstring): one stack holding the delegated administrators, every member account's provider, the /org-admin/ roles
and the closed default security groups. Engine tests apply it to make state "made by today's layout" and then
upgrade (tests/engine/test_upgrade_engine.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

import stacks
from landingzone.config import LandingZoneConfig, SecurityService, partition
from stacks.base import UNKNOWN, Providers, StageContext, account_id, account_id_known, as_output, opts

ADMIN_POLICY = "AdministratorAccess"
MAX_SESSION_SECONDS = 3600


def trust_policy(cfg: LandingZoneConfig, security_account_id: str) -> str:
    """Only roles under the org-admin path in the Security account may assume an administration role.

    aws:PrincipalArn keeps the role path (an assumed-role session ARN drops it), so the path check holds.
    """
    part = partition(cfg.home_region)
    doc: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SecurityAccountAdministrators",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{part}:iam::{security_account_id}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "ArnLike": {
                        "aws:PrincipalArn": f"arn:{part}:iam::{security_account_id}:role{cfg.org_admin.path}*"
                    }
                },
            }
        ],
    }
    return json.dumps(doc, separators=(",", ":"))


def _default_vpc_ids(provider: aws.Provider, region: str) -> pulumi.Output[list[str] | None]:
    """The ids of the default VPC in ``region`` of the provider's account ([] when the region has none; None when
    the engine answered nothing, as it does through a provider that is not configured yet).

    An output invoke, not the blocking one: the lookups of all accounts and regions run at once, and a blocking
    call inside the running program re-enters the event loop each time (measured: quadratic in the accounts). A
    failed lookup fails the stage with the provider's error; the orchestrator adds what to do (ENGINE_HINTS).
    """
    found = aws.ec2.get_vpcs_output(
        filters=[aws.ec2.GetVpcsFilterArgs(name="is-default", values=["true"])],
        region=region,
        opts=pulumi.InvokeOutputOptions(provider=provider),
    )
    return found.ids


def close_default_security_groups(ctx: StageContext, providers: Providers) -> dict[str, dict[str, Any]]:
    """A DefaultSecurityGroup without rules for each default VPC: anything launched without a group of its own
    then gets no access at all (AWS creates the group with a self-referencing ingress rule and open egress).

    Returns {provider name: {region: group id, or None where the region has no default VPC}}.
    """
    cfg = ctx.config
    closed: dict[str, dict[str, Any]] = {}
    if not cfg.close_default_security_groups:
        return closed
    targets = [("management", "management account", providers.management, True)]
    targets += [(f"account-{a.name}", f"account {a.name}", providers.account(a.name), account_id_known(ctx, a.name))
                for a in cfg.accounts]
    for label, who, provider, known in targets:
        for region in cfg.governed_regions:
            name = f"default-sg-{label}-{region}"
            what = f"the default VPC of the {who} in {region}"

            def close(vpc_id: Any, name: str = name, region: str = region,
                      provider: aws.Provider = provider) -> pulumi.Output[str]:
                # No ingress and no egress arguments: the provider removes every rule of the group.
                return aws.ec2.DefaultSecurityGroup(name, vpc_id=vpc_id, region=region, opts=opts(provider)).id

            if not known:
                # The account is created by this apply (a preview only: as_output refuses otherwise).
                closed.setdefault(label, {})[region] = close(as_output(UNKNOWN, stage="organization", what=what))
                continue

            def close_if_any(ids: list[str] | None, what: str = what,
                             close: Callable[[Any], pulumi.Output[str]] = close) -> pulumi.Output[str] | None:
                if ids is None:
                    return close(as_output(UNKNOWN, stage="organization", what=what))
                return close(sorted(ids)[0]) if ids else None  # no default VPC there: nothing to close

            closed.setdefault(label, {})[region] = _default_vpc_ids(provider, region).apply(close_if_any)
    return closed


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    providers = Providers(ctx)
    mgmt = providers.management
    security = cfg.security_account
    security_id = account_id(ctx, security.name)

    # Registered from the management account: only it may name delegated administrators.
    delegated: list[str] = []
    cloudtrail_admin = aws.cloudtrail.OrganizationDelegatedAdminAccount(
        "delegated-admin-cloudtrail", account_id=security_id, opts=opts(mgmt))
    delegated.append(SecurityService.CLOUDTRAIL.service_principal)
    for service in cfg.organization.security_services:
        if service == SecurityService.CLOUDTRAIL:
            continue
        aws.organizations.DelegatedAdministrator(
            f"delegated-admin-{service.value}",
            account_id=security_id,
            service_principal=service.service_principal,
            # Organizations refuses concurrent delegations for one account now and then; keep them in order.
            opts=opts(mgmt, depends_on=[cloudtrail_admin]),
        )
        delegated.append(service.service_principal)

    part = partition(cfg.home_region)
    trust = security_id.apply(lambda sid: trust_policy(cfg, sid))
    admin_role_arns: dict[str, list[pulumi.Output[str]]] = {}
    for acct in cfg.accounts:
        provider = providers.account(acct.name)
        arns: list[pulumi.Output[str]] = []
        for role_name in cfg.org_admin.role_names:
            role = aws.iam.Role(
                f"{acct.name}-{role_name}",
                name=role_name,
                path=cfg.org_admin.path,
                description=f"Landing zone administration of {acct.name}; assumable only from the Security "
                            f"account's {cfg.org_admin.path} roles",
                assume_role_policy=trust,
                max_session_duration=MAX_SESSION_SECONDS,
                opts=opts(provider),
            )
            aws.iam.RolePolicyAttachment(
                f"{acct.name}-{role_name}-{ADMIN_POLICY}",
                role=role.name,
                policy_arn=f"arn:{part}:iam::aws:policy/{ADMIN_POLICY}",
                opts=opts(provider),
            )
            arns.append(role.arn)
        admin_role_arns[acct.name] = arns

    closed = close_default_security_groups(ctx, providers)

    pulumi.export("admin_role_arns", admin_role_arns)
    pulumi.export("delegated_services", delegated)
    pulumi.export("closed_default_security_groups", closed)


LEGACY_SECURITY = stacks.Stage(
    "security", program, ("organization",), "management",
    "Security account as delegated administrator; /org-admin/ roles in every member account; default security "
    "groups of default VPCs closed (the layout before stage baseline)",
    ("admin_role_arns", "delegated_services", "closed_default_security_groups"))
