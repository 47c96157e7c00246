"""Account baseline family: the settings stage baseline applies to every account, checked in every account the
access role shows and every governed region: EBS encryption by default, account-level S3 Block Public Access,
EC2 instance metadata defaults (IMDSv2 required). Reads that were refused are listed as not visible, never as
passing: a check none of whose reads answered is not applicable."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.discovery import AccountView

EBS_READS = ("ec2:get_ebs_encryption_by_default", "sts:assume_role")
BLOCK_READS = ("s3control:get_public_access_block", "sts:assume_role")
IMDS_READS = ("ec2:get_instance_metadata_defaults", "sts:assume_role")

IMDS_MAX_HOP_LIMIT = 2
"""The hop limit the baseline sets: enough for containers on the instance, no further."""


def _views(ctx: AuditContext) -> Iterator[AccountView]:
    for account_id in sorted(ctx.found.account_views):
        view = ctx.found.account_views[account_id]
        if view.visible:
            yield view


def _read_ebs(ctx: AuditContext) -> bool:
    return any(view.ebs_encryption_by_default for view in _views(ctx))


def _read_block(ctx: AuditContext) -> bool:
    return any(view.account_public_access_block is not None for view in _views(ctx))


def _read_imds(ctx: AuditContext) -> bool:
    return any(view.imds_defaults for view in _views(ctx))


@check(id="LZ-BAS-001", title="EBS encryption by default in every account and governed region",
       severity=Severity.MEDIUM, practice=Practice.ACCOUNT_BASELINE,
       rationale="With the setting on, every new EBS volume and snapshot copy is encrypted, whoever creates it and "
       "however; without it one forgotten flag leaves data unencrypted at rest.",
       remediation="Stage `baseline` turns it on in every account and governed region "
       "(baseline.ebs_encryption_by_default); the deny-ebs-encryption-disable guardrail keeps it on.",
       cis=Cis(v3="2.2.1"), nist=("PR.DS",), applies=_read_ebs, needs=EBS_READS)
def ebs_encryption_by_default(ctx: AuditContext) -> Iterator[Issue]:
    for view in _views(ctx):
        for region in sorted(view.ebs_encryption_by_default):
            if not view.ebs_encryption_by_default[region]:
                yield Issue(f"{view.account_id}/{region}", f"EBS encryption by default is off in {view.account_id} "
                            f"({region})", view.account_id, region)


@check(id="LZ-BAS-002", title="S3 Block Public Access on for every account", severity=Severity.HIGH,
       practice=Practice.ACCOUNT_BASELINE,
       rationale="The account-level setting overrides any bucket policy or ACL that would make a bucket public: "
       "one switch that holds for buckets created later, by anyone.",
       remediation="Stage `baseline` sets all four account-level settings (baseline.s3_account_public_access_block); "
       "the deny-s3-block-public-access-changes guardrail keeps them.",
       cis=Cis(v3="2.1.4"), nist=("PR.DS", "PR.AC"), applies=_read_block, needs=BLOCK_READS)
def account_public_access_block(ctx: AuditContext) -> Iterator[Issue]:
    for view in _views(ctx):
        if view.account_public_access_block is False:
            yield Issue(view.account_id, f"account {view.account_id} does not block public access to S3 at "
                        "account level (all four settings)", view.account_id)


@check(id="LZ-BAS-003", title="Instance metadata defaults require IMDSv2 in every account and governed region",
       severity=Severity.MEDIUM, practice=Practice.ACCOUNT_BASELINE,
       rationale="IMDSv1 answers any request that reaches the instance, the classic path from an SSRF bug to the "
       "instance role's credentials; the account default makes IMDSv2 the rule for instances launched without "
       "their own metadata options.",
       remediation="Stage `baseline` sets the account defaults (IMDSv2 required, hop limit 2) in every governed "
       "region (baseline.imds_defaults); the require-imdsv2 guardrail refuses instances that ask for IMDSv1.",
       nist=("PR.AC", "PR.PT"), applies=_read_imds, needs=IMDS_READS)
def imds_defaults(ctx: AuditContext) -> Iterator[Issue]:
    for view in _views(ctx):
        for region in sorted(view.imds_defaults):
            defaults = view.imds_defaults[region]
            tokens = defaults.get("HttpTokens")
            hops = defaults.get("HttpPutResponseHopLimit")
            if tokens != "required":
                yield Issue(f"{view.account_id}/{region}", f"instance metadata default in {view.account_id} "
                            f"({region}) does not require IMDSv2 (HttpTokens {tokens or 'not set'})",
                            view.account_id, region)
            elif isinstance(hops, int) and hops > IMDS_MAX_HOP_LIMIT:
                yield Issue(f"{view.account_id}/{region}", f"instance metadata default in {view.account_id} "
                            f"({region}) allows {hops} hops (at most {IMDS_MAX_HOP_LIMIT})", view.account_id,
                            region)
