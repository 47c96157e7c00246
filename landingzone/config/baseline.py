"""The ``baseline`` section: the hardening stage baseline applies to every account, each part a switch, on by
default."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from landingzone.config.base import _Model


class BaselineConfig(_Model):
    """Hardening of every account (stage `baseline`: one stack per member account and one for the management
    account, each with that account's provider only). Every switch is on by default."""

    org_admin_roles: bool = True
    """Create the administration roles (`org_admin`) in every member account, trusted only by the Security
    account's /org-admin/ roles. Off only if another tool manages them: the protect-org-admin-roles guardrails
    still protect the path."""
    deny_admin_ports_in_default_network_acls: bool = True
    """In every account and governed region, add inbound DENY entries for TCP and UDP 22 (SSH) and 3389 (RDP)
    from 0.0.0.0/0 and ::/0 to the default network ACL of the default VPC, and stage network does so in the
    default ACL of each VPC it creates (CIS AWS Foundations v3.0 5.1, v5.0 5.2, v7.0 6.2; the audit's LZ-NET-005).
    They take rule numbers 91-98, ahead of the allow-all entry 100; the ACL's other entries stay. SSH and RDP into
    subnets using those ACLs then come only through a narrower allow at 1-90 (or Session Manager): stage network
    puts one there, from 1 up, for each admin-port access its configuration declares (edge ingress from its range,
    role rules from the VPC's range).
    Where an ACL already uses one of 91-98 inbound, AWS refuses the entry (NetworkAclEntryAlreadyExists) and that
    account's stack fails with that error (the orchestrator reports it for that account): recreate the existing
    entry under another number or turn this off."""
    ebs_encryption_by_default: bool = True
    """Turn on EBS encryption by default in every account and governed region: new volumes and snapshot copies
    are encrypted (CIS AWS Foundations 2.2.1). The audit (LZ-BAS-001) reports regions where it is off."""
    ebs_default_kms_keys: dict[str, str] = Field(default_factory=dict)
    """Governed region -> ARN of the KMS key EBS uses by default there; regions not listed keep the AWS managed
    key aws/ebs. The key policy must let the accounts use it."""
    s3_account_public_access_block: bool = True
    """S3 Block Public Access for the whole account, all four settings (block and ignore public ACLs, block
    public policies, restrict public buckets). The audit (LZ-BAS-002) reports accounts without it."""
    imds_defaults: bool = True
    """Account defaults for EC2 instance metadata in every governed region: IMDSv2 required, hop limit 2 (enough
    for containers on the instance). Instances launched without their own settings get them (LZ-BAS-003)."""
    password_policy: bool = True
    """An IAM account password policy (14 characters, all character classes, 24 remembered, 90 days) in the
    accounts where IAM users are allowed: the management account, and member accounts the deny-iam-users
    guardrail does not cover."""
    assume_role_wait_seconds: int = Field(default=600, ge=0, le=3600)
    """How long a baseline keeps retrying when the access role of an account cannot be assumed yet (right after
    CreateAccount this fails for minutes), with backoff and progress, before it fails naming the account."""

    @field_validator("ebs_default_kms_keys")
    @classmethod
    def _kms_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for region, arn in value.items():
            if not re.match(r"^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/+=,.@-]+$", arn):
                raise ValueError(f"{region}: {arn!r} is not a KMS key or alias ARN (arn:aws:kms:<region>:<account>:"
                                 "key/<id>)")
        return value
