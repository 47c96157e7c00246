"""Stage baseline (one stack per account: every member account, created or adopted, and the management account):
the hardening every account gets, each part a switch under ``baseline`` in the configuration, on by default.

Each stack holds exactly one provider, that account's: the access role for a member account, the ambient
credentials for the management account (key ``management``). Regional resources take pulumi-aws 7's per-resource
``region`` for every governed region, never a provider per region.

- ``/org-admin/`` administration roles (member accounts), trusted only by the Security account's own
  administrators (moved here from stage security; same logical names, so an upgrade moves them without replacing
  anything).
- The default security group of the default VPC closed in each governed region (``close_default_security_groups``,
  moved here from stage security): the default VPC is looked up per region (aws:ec2/getVpcs); a region without one
  is skipped; for an account the organization stage has not created yet a preview shows the group with the VPC
  known after apply; a failed lookup fails the stack naming the account and region (ENGINE_HINTS add the fixes).
- Inbound DENY entries for SSH and RDP from the whole internet in the default network ACL of each default VPC
  (``baseline.deny_admin_ports_in_default_network_acls``; stacks/network_acls.py): the same default-VPC lookup,
  then the VPC's default ACL (aws:ec2/getNetworkAcls); the ACL's other entries stay as they are.
- EBS encryption by default (and the default KMS key where ``baseline.ebs_default_kms_keys`` names one).
- S3 Block Public Access for the whole account, all four settings.
- EC2 instance metadata defaults: IMDSv2 required, hop limit 2.
- An IAM account password policy where IAM users are allowed: the management account (SCPs never apply to it) and
  member accounts outside every deny-iam-users guardrail.
- AWS Config (``security_services.config.enabled``, stacks/config_recording.py): the service-linked role and, per
  governed region, a recorder of all supported types (global types in the home region only), a delivery channel to
  stage logging's Config bucket and the recorder started. This is why stage baseline runs after stage logging.

Outputs: admin_role_arns [ARN, ...], closed_default_security_groups {region: group id, or null where the region
has no default VPC}, default_network_acls {region: ACL id given the deny entries, or null likewise},
hardening {setting: [region, ...] or true}, config_recorders {region: recorder name}.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import MANAGEMENT_BASELINE, ROOT_OU, LandingZoneConfig, partition
from landingzone.errors import StageError
from stacks.base import UNKNOWN, Providers, StageContext, account_id, account_id_known, as_output, opts
from stacks.config_recording import config_recorders
from stacks.config_recording import enabled as config_enabled
from stacks.config_recording import fingerprint_inputs as config_fingerprint_inputs
from stacks.network_acls import add_deny_entries, default_network_acl_ids

ADMIN_POLICY = "AdministratorAccess"
MAX_SESSION_SECONDS = 3600
DENY_IAM_USERS = "deny-iam-users"
IMDS_HOP_LIMIT = 2
PASSWORD_POLICY: Mapping[str, Any] = {
    "minimum_password_length": 14,
    "require_lowercase_characters": True,
    "require_uppercase_characters": True,
    "require_numbers": True,
    "require_symbols": True,
    "allow_users_to_change_password": True,
    "password_reuse_prevention": 24,
    "max_password_age": 90,
}
"""CIS AWS Foundations 1.8/1.9: at least 14 characters, 24 passwords remembered."""


def baseline_accounts(cfg: LandingZoneConfig) -> list[str]:
    """The stacks of this stage: the management account first, then every member account."""
    return [MANAGEMENT_BASELINE, *(a.name for a in cfg.accounts)]


def iam_users_allowed(cfg: LandingZoneConfig, account: str) -> bool:
    """Whether IAM users may exist in ``account``: always in the management account (no SCP applies to it), in
    a member account unless a deny-iam-users guardrail is attached to it, its OU or an OU above, or the root."""
    if account == MANAGEMENT_BASELINE:
        return True
    ou = cfg.account(account).ou
    for guard in cfg.guardrails:
        if guard.id != DENY_IAM_USERS:
            continue
        for target in guard.targets:
            if target in (ROOT_OU, account) or ou == target or ou.startswith(f"{target}/"):
                return False
    return True


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


def fingerprint_inputs(ctx: StageContext) -> dict[str, Any]:
    """What one baseline stack's program reads: its slice of the configuration and of the organization's
    outputs (``up --changed-only`` skips the stack while this is unchanged since its last successful update)."""
    cfg, account = ctx.config, ctx.account or MANAGEMENT_BASELINE
    org = ctx.upstream.get("organization", UNKNOWN)
    ids = org.get("account_ids", {}) if isinstance(org, Mapping) else {}
    ids = ids if isinstance(ids, Mapping) else {}
    member = None if account == MANAGEMENT_BASELINE else cfg.account(account)
    return {
        "account": member.model_dump(mode="json") if member is not None else account,
        "account_id": repr(ids.get(account)) if member is not None and member.existing_id is None else None,
        "security_account": cfg.security_account.name,
        "security_account_id": repr(ids.get(cfg.security_account.name)),
        "home_region": cfg.home_region,
        "governed_regions": cfg.governed_regions,
        "access_role_name": cfg.access_role_name,
        "org_admin": cfg.org_admin.model_dump(mode="json"),
        "baseline": cfg.baseline.model_dump(mode="json", exclude={"assume_role_wait_seconds"}),
        "close_default_security_groups": cfg.close_default_security_groups,
        "iam_users_allowed": iam_users_allowed(cfg, account),
        "aws": cfg.aws.model_dump(mode="json"),
        "aws_config": config_fingerprint_inputs(ctx),
    }


_VPC_LOOKUPS: weakref.WeakKeyDictionary[aws.Provider, dict[str, pulumi.Output[list[str] | None]]] = (
    weakref.WeakKeyDictionary())
"""The default-VPC lookups of each running program, by its provider and region: the parts that need the default
VPC (security group, network ACL) share one lookup per region. Keyed weakly: the entries go with the program."""


def _default_vpc_ids(provider: aws.Provider, region: str) -> pulumi.Output[list[str] | None]:
    """The ids of the default VPC in ``region`` of the provider's account ([] when the region has none; None when
    the engine answered nothing, as it does through a provider that is not configured yet).

    An output invoke, not the blocking one: the lookups of all regions run at once (a blocking call inside the
    running program re-enters the event loop each time). A failed lookup fails the stack with the provider's
    error; the orchestrator adds what to do (ENGINE_HINTS). Looked up once per provider and region.
    """
    lookups = _VPC_LOOKUPS.setdefault(provider, {})
    if region not in lookups:
        lookups[region] = aws.ec2.get_vpcs_output(
            filters=[aws.ec2.GetVpcsFilterArgs(name="is-default", values=["true"])],
            region=region,
            opts=pulumi.InvokeOutputOptions(provider=provider),
        ).ids
    return lookups[region]


def close_default_security_groups(ctx: StageContext, provider: aws.Provider, label: str,
                                  known: bool) -> dict[str, Any]:
    """A DefaultSecurityGroup without rules for each governed region's default VPC: anything launched without a
    group of its own then gets no access at all (AWS creates the group with a self-referencing ingress rule and
    open egress). Returns {region: group id, or None where the region has no default VPC}."""
    cfg = ctx.config
    closed: dict[str, Any] = {}
    who = "management account" if label == "management" else f"account {ctx.account}"
    for region in cfg.governed_regions:
        name = f"default-sg-{label}-{region}"
        what = f"the default VPC of the {who} in {region}"

        def close(vpc_id: Any, name: str = name, region: str = region) -> pulumi.Output[str]:
            # No ingress and no egress arguments: the provider removes every rule of the group.
            return aws.ec2.DefaultSecurityGroup(name, vpc_id=vpc_id, region=region, opts=opts(provider)).id

        if not known:
            # The account is created by this apply (a preview only: as_output refuses otherwise).
            closed[region] = close(as_output(UNKNOWN, stage="organization", what=what))
            continue

        def close_if_any(ids: list[str] | None, what: str = what,
                         close: Callable[[Any], pulumi.Output[str]] = close) -> pulumi.Output[str] | None:
            if ids is None:
                return close(as_output(UNKNOWN, stage="organization", what=what))
            return close(sorted(ids)[0]) if ids else None  # no default VPC there: nothing to close

        closed[region] = _default_vpc_ids(provider, region).apply(close_if_any)
    return closed


def deny_admin_ports(ctx: StageContext, provider: aws.Provider, label: str, known: bool) -> dict[str, Any]:
    """Inbound DENY entries for TCP and UDP 22 and 3389 from 0.0.0.0/0 and ::/0 (rule numbers 91-98,
    stacks/network_acls.py) in the default network ACL of each governed region's default VPC, ahead of its
    allow-all entry 100; the ACL's other entries stay. The default VPC is looked up as for the default security
    group (a region without one is skipped; an account created by this apply shows the entries with the ACL known
    after apply in a preview); then its default ACL (aws:ec2/getNetworkAcls, filters vpc-id and default). Returns
    {region: ACL id, or None where the region has no default VPC}."""
    who = "management account" if label == "management" else f"account {ctx.account}"
    return {region: _deny_in_default_acl(provider, f"default-nacl-{label}-{region}", region, known,
                                         f"the default network ACL of the default VPC of the {who} in {region}")
            for region in ctx.config.governed_regions}


def _deny_in_default_acl(provider: aws.Provider, name: str, region: str, known: bool, what: str) -> Any:
    """The deny entries of one region's default ACL; its id (an Output), or None without a default VPC."""

    def deny(acl_id: Any) -> Any:
        add_deny_entries(name, acl_id, provider, region=region)
        return acl_id

    def unknown() -> Any:
        # An account created by this apply, or a provider not configured yet (a preview only: as_output refuses
        # otherwise).
        return deny(as_output(UNKNOWN, stage="organization", what=what))

    def in_acl(acl_ids: list[str] | None, vpc_id: str) -> Any:
        if acl_ids is None:
            return unknown()
        if not acl_ids:
            raise StageError("baseline", f"{what}: the VPC {vpc_id} has no default network ACL")
        return deny(acl_ids[0])

    def in_vpc(vpc_ids: list[str] | None) -> Any:
        if vpc_ids is None:
            return unknown()
        if not vpc_ids:
            return None  # no default VPC there: nothing to deny in
        vpc_id = sorted(vpc_ids)[0]
        return default_network_acl_ids(vpc_id, provider, region).apply(lambda acl_ids: in_acl(acl_ids, vpc_id))

    return unknown() if not known else _default_vpc_ids(provider, region).apply(in_vpc)


def admin_roles(ctx: StageContext, provider: aws.Provider, account: str) -> list[pulumi.Output[str]]:
    cfg = ctx.config
    part = partition(cfg.home_region)
    trust = account_id(ctx, cfg.security_account.name).apply(lambda sid: trust_policy(cfg, sid))
    arns: list[pulumi.Output[str]] = []
    for role_name in cfg.org_admin.role_names:
        role = aws.iam.Role(
            f"{account}-{role_name}",
            name=role_name,
            path=cfg.org_admin.path,
            description=f"Landing zone administration of {account}; assumable only from the Security "
                        f"account's {cfg.org_admin.path} roles",
            assume_role_policy=trust,
            max_session_duration=MAX_SESSION_SECONDS,
            opts=opts(provider),
        )
        aws.iam.RolePolicyAttachment(
            f"{account}-{role_name}-{ADMIN_POLICY}",
            role=role.name,
            policy_arn=f"arn:{part}:iam::aws:policy/{ADMIN_POLICY}",
            opts=opts(provider),
        )
        arns.append(role.arn)
    return arns


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    base = cfg.baseline
    account = ctx.account or MANAGEMENT_BASELINE
    providers = Providers(ctx)
    management = account == MANAGEMENT_BASELINE
    # The provider names are the ones stage security used, so moved resources keep their provider.
    provider = providers.management if management else providers.account(account)
    label = "management" if management else f"account-{account}"
    known = management or account_id_known(ctx, account)
    hardening: dict[str, Any] = {}

    arns = admin_roles(ctx, provider, account) if base.org_admin_roles and not management else []

    closed = close_default_security_groups(ctx, provider, label, known) if cfg.close_default_security_groups else {}

    acls: dict[str, Any] = {}
    if base.deny_admin_ports_in_default_network_acls:
        acls = deny_admin_ports(ctx, provider, label, known)
        hardening["deny_admin_ports_in_default_network_acls"] = list(cfg.governed_regions)

    if base.ebs_encryption_by_default:
        for region in cfg.governed_regions:
            aws.ebs.EncryptionByDefault(f"ebs-encryption-{region}", enabled=True, region=region,
                                        opts=opts(provider))
            key = base.ebs_default_kms_keys.get(region)
            if key is not None:
                aws.ebs.DefaultKmsKey(f"ebs-default-kms-key-{region}", key_arn=key, region=region,
                                      opts=opts(provider))
        hardening["ebs_encryption_by_default"] = list(cfg.governed_regions)

    if base.s3_account_public_access_block:
        aws.s3.AccountPublicAccessBlock("account-public-access-block", block_public_acls=True,
                                        block_public_policy=True, ignore_public_acls=True,
                                        restrict_public_buckets=True, opts=opts(provider))
        hardening["s3_account_public_access_block"] = True

    if base.imds_defaults:
        for region in cfg.governed_regions:
            aws.ec2.InstanceMetadataDefaults(f"imds-defaults-{region}", http_tokens="required",
                                             http_put_response_hop_limit=IMDS_HOP_LIMIT, region=region,
                                             opts=opts(provider))
        hardening["imds_defaults"] = list(cfg.governed_regions)

    if base.password_policy and iam_users_allowed(cfg, account):
        aws.iam.AccountPasswordPolicy("password-policy", opts=opts(provider), **PASSWORD_POLICY)
        hardening["password_policy"] = True

    recorders = config_recorders(ctx, provider, account, known, management) if config_enabled(cfg) else {}

    pulumi.export("admin_role_arns", arns)
    pulumi.export("closed_default_security_groups", closed)
    pulumi.export("default_network_acls", acls)
    pulumi.export("hardening", hardening)
    pulumi.export("config_recorders", recorders)
