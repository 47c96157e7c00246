"""Stage 2, security (management account only): the Security account becomes delegated administrator.

CloudTrail's delegated administrator is registered through CloudTrail (so its service-linked role exists); the
other chosen services through Organizations, and those turned on under ``security_services`` that have a
designation API of their own (GuardDuty, Security Hub, Inspector, Macie, Detective) through it as well, per region
(stacks.security_services.designate_administrators), so stage security_services can enable them. This stack holds
one provider, the management account's: what every account gets (the /org-admin/ roles, closed default security
groups, ...) lives in stage baseline, one stack per account (a landing zone applied before has them moved there by
``landingzone up``, without replacing anything).

Outputs: delegated_services [service principal, ...].
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from landingzone.config import SSO_SERVICE_PRINCIPAL, SecurityService, administrator_account
from stacks.base import Providers, StageContext, account_id, opts
from stacks.security_services import designate_administrators

MOVED_TO_BASELINE = ("aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                     "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
"""Resource types this stage held before stage baseline existed (the upgrade moves them out of its state)."""


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    providers = Providers(ctx)
    mgmt = providers.management
    security = cfg.security_account
    security_id = account_id(ctx, security.name)

    # Registered from the management account: only it may name delegated administrators.
    delegated: list[str] = []
    delegations: list[pulumi.Resource] = []
    cloudtrail_admin = aws.cloudtrail.OrganizationDelegatedAdminAccount(
        "delegated-admin-cloudtrail", account_id=security_id, opts=opts(mgmt))
    delegated.append(SecurityService.CLOUDTRAIL.service_principal)
    for service in cfg.organization.security_services:
        if service == SecurityService.CLOUDTRAIL:
            continue
        delegations.append(aws.organizations.DelegatedAdministrator(
            f"delegated-admin-{service.value}",
            account_id=security_id,
            service_principal=service.service_principal,
            # Organizations refuses concurrent delegations for one account now and then; keep them in order.
            opts=opts(mgmt, depends_on=[cloudtrail_admin]),
        ))
        delegated.append(service.service_principal)
    # Services with a designation API of their own (GuardDuty, Security Hub, ...) are designated through it too,
    # per region, for stage security_services.
    designate_administrators(cfg, mgmt, security_id, delegations)
    ic_admin = administrator_account(cfg)
    if ic_admin is not None:
        # IAM Identity Center is administered from a member account (stage access runs there).
        aws.organizations.DelegatedAdministrator(
            "delegated-admin-sso", account_id=account_id(ctx, ic_admin), service_principal=SSO_SERVICE_PRINCIPAL,
            opts=opts(mgmt, depends_on=[cloudtrail_admin]))
        delegated.append(SSO_SERVICE_PRINCIPAL)

    pulumi.export("delegated_services", delegated)
