"""Stage 1, organization (management account): the Organization, the OU tree and the member accounts.

The Organization and the accounts are protected: a destroy never removes them, and an account is closed only if the
configuration says ``close_on_deletion``; an account retired with ``state: suspended`` moves to the Suspended OU
instead. Trusted access covers the delegated security services and what stages regions and governance need
(iam.amazonaws.com, account.amazonaws.com). What the configuration marks as existing (with its id) is adopted with
``import_`` instead of being created.

The policy types enabled are every type the guardrails use (SERVICE_CONTROL_POLICY always; RESOURCE_CONTROL_POLICY,
DECLARATIVE_POLICY_EC2 and S3_POLICY when an assigned guardrail is of that type), so the guardrails stage can
attach them; with declarative policies the organization also trusts ec2.amazonaws.com (the account status report
needs it).

Outputs: organization_id, root_id, account_ids {name: id}, ou_ids {path: id}, management_account_id.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from landingzone.config import ROOT_OU, SSO_SERVICE_PRINCIPAL, iter_ous
from landingzone.config.governance import effective_ou, governance_principals
from stacks.base import Providers, StageContext, opts
from stacks.guardrails import policy_types_used, trusted_access_principals

SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY"


def _root_id(roots: Sequence[aws.organizations.outputs.OrganizationRoot]) -> str:
    if not roots or roots[0].id is None:
        raise ValueError("the organization reports no root")
    return roots[0].id


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    providers = Providers(ctx)
    mgmt = providers.management

    # Trusted access for every delegated service; CloudTrail is always among them (config guarantees it).
    # Governance adds IAM (centralized root access) and Account Management (contacts and regions of members);
    # declarative policies add EC2 (their account status report).
    principals = sorted({svc.service_principal for svc in cfg.organization.security_services}
                        | set(governance_principals(cfg)) | set(trusted_access_principals(cfg)))
    if cfg.identity_center is not None:
        # IAM Identity Center's delegated administrator (stage security) needs its trusted access.
        principals = sorted({*principals, SSO_SERVICE_PRINCIPAL})
    org = aws.organizations.Organization(
        "organization",
        feature_set="ALL",
        aws_service_access_principals=principals,
        enabled_policy_types=policy_types_used(cfg),
        opts=opts(mgmt, protect=True, import_=cfg.organization.existing_id),
    )
    root_id: pulumi.Output[str] = (
        pulumi.Output.from_input(cfg.organization.existing_root_id)
        if cfg.organization.existing_root_id is not None
        else org.roots.apply(_root_id)
    )

    ou_ids: dict[str, pulumi.Output[str]] = {}
    for path, ou in iter_ous(cfg.organizational_units):
        parent_path = path.rpartition("/")[0]
        parent_id = ou_ids[parent_path] if parent_path else root_id
        unit = aws.organizations.OrganizationalUnit(
            f"ou-{path}",
            name=ou.name,
            parent_id=parent_id,
            opts=opts(mgmt, import_=ou.existing_id, depends_on=[org]),
        )
        ou_ids[path] = unit.id

    account_ids: dict[str, pulumi.Output[str]] = {}
    for acct in cfg.accounts:
        account = aws.organizations.Account(
            f"account-{acct.name}",
            name=acct.name,
            email=acct.email,
            # A retired account (state: suspended) sits in the Suspended OU instead of being closed.
            parent_id=root_id if effective_ou(acct) == ROOT_OU else ou_ids[effective_ou(acct)],
            role_name=cfg.access_role_name,
            close_on_deletion=acct.close_on_deletion,
            # role_name is only used at creation and cannot be read back (nor for adopted accounts).
            opts=opts(mgmt, protect=True, import_=acct.existing_id, ignore_changes=["role_name"],
                      depends_on=[org]),
        )
        account_ids[acct.name] = account.id

    pulumi.export("organization_id", cfg.organization.existing_id or org.id)
    pulumi.export("root_id", root_id)
    pulumi.export("management_account_id", org.master_account_id)
    pulumi.export("account_ids", account_ids)
    pulumi.export("ou_ids", ou_ids)
