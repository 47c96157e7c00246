"""Stage 2, security: the Security account becomes delegated administrator, and every member account gets the
administration roles under the protected IAM path (default /org-admin/), trusted only by the Security account's
own administrators.

CloudTrail's delegated administrator is registered through CloudTrail (so its service-linked role exists); the
other chosen services through Organizations.

Outputs: admin_role_arns {account: [role ARN, ...]}, delegated_services [service principal, ...].
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import LandingZoneConfig, SecurityService
from stacks.base import Providers, StageContext, account_id, opts, partition

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

    pulumi.export("admin_role_arns", admin_role_arns)
    pulumi.export("delegated_services", delegated)
