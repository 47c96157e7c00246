"""The linter's checks that look past grammar: size against the policy type's quota, region denies against the
global-services data file, and Deny statements that would lock the landing zone's administrators out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from landingzone.policies import global_services
from landingzone.policies.findings import OLD_SCP_MAX_CHARACTERS, PolicyFinding
from landingzone.policies.findings import finding as _f
from landingzone.policies.iam_catalogue import IamCatalogue
from landingzone.policies.policy_types import SCP, limits, policy_type
from landingzone.policies.simulator import (
    SimulationError,
    evaluate_condition,
    parse_operator,
    request_context,
    statement_covers_action,
)

if TYPE_CHECKING:
    from landingzone.config import QuotaConfig

PRINCIPAL_KEYS: frozenset[str] = frozenset(k.lower() for k in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:userid", "aws:username",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
))
"""Condition keys that describe who makes the request: an exemption for the administrator uses one of these."""

LANDING_ZONE_ADMIN_ACTIONS: tuple[str, ...] = (
    # sts: reaching member accounts
    "sts:AssumeRole",
    # security stage: /org-admin/ roles in member accounts, delegated security services
    "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy",
    "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:TagRole", "iam:UntagRole",
    "guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:UpdateOrganizationConfiguration",
    "securityhub:EnableSecurityHub", "securityhub:UpdateOrganizationConfiguration",
    "config:PutConfigurationAggregator", "access-analyzer:CreateAnalyzer", "access-analyzer:DeleteAnalyzer",
    # logging stage: trail, bucket, key, query layer
    "cloudtrail:CreateTrail", "cloudtrail:UpdateTrail", "cloudtrail:DeleteTrail", "cloudtrail:StartLogging",
    "cloudtrail:PutEventSelectors", "cloudtrail:AddTags",
    "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls", "s3:PutBucketLogging", "s3:PutBucketTagging",
    "kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion", "kms:CreateAlias",
    "glue:CreateDatabase", "glue:CreateTable", "athena:CreateWorkGroup", "athena:CreateNamedQuery",
    # network stage: role-based security groups
    "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
    "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags",
)
"""What the landing zone itself does in member accounts, through the principals that administer it. A Deny that
covers one of these without exempting those principals stops the landing zone from updating or destroying what
it built."""

CREDENTIAL_ORIGIN_KEYS: frozenset[str] = frozenset(k.lower() for k in (
    "ec2:RoleDelivery", "ec2:SourceInstanceARN", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:AssumedRoot", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SecureTransport",
))
"""Condition keys that describe where the caller's credentials and request come from (instance role delivery,
AssumeRoot, the caller's organization, TLS): the administering principals' requests carry none of the EC2 ones,
no AssumedRoot, always the organization's id and always TLS, so a Deny conditioned on them can spare the
administrator."""


def size_findings(text: str, document: dict[str, Any], quotas: QuotaConfig | None,
                   policy_type_name: str = SCP) -> list[PolicyFinding]:
    from landingzone.policies.catalog import minify

    label = policy_type(policy_type_name).label
    size = len(minify(document))
    _, limit = limits(policy_type_name, quotas)
    if size > limit:
        return [_f("POLICY_TOO_LARGE", "error", f"the policy has {size:,} characters after minification; the "
                   f"{label} quota is {limit:,}.", f"Split it into two {label}s attached to the same targets, or "
                   "shorten it (wildcards such as iam:*Role*, NotAction, fewer Resource ARNs).")]
    findings: list[PolicyFinding] = []
    if len(text) > limit:
        findings.append(_f("NOT_MINIFIED", "warning", f"as written the policy has {len(text):,} characters, over the "
                           f"{limit:,} quota; minified it has {size:,}.",
                           "Submit the minified JSON (`landingzone policies show` prints it minified); AWS counts "
                           "whitespace."))
    if policy_type_name == SCP and limit > OLD_SCP_MAX_CHARACTERS and size > OLD_SCP_MAX_CHARACTERS:
        findings.append(_f("POLICY_SIZE_OVER_OLD_LIMIT", "warning", f"the policy has {size:,} characters, over "
                           f"{OLD_SCP_MAX_CHARACTERS:,}, the SCP quota before 2026-05-15 that some partitions and "
                           "organizations still have.", "If any of your partitions is still on the old quota, set "
                           "quotas.scp_max_characters: 5120 and split the policy."))
    return findings


def _sid(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"{sid!r}" if isinstance(sid, str) and sid else f"Statement[{index}]"


def region_findings(statement: dict[str, Any], index: int, catalogue: IamCatalogue) -> list[PolicyFinding]:
    """A region deny (a Deny conditioned on aws:RequestedRegion not being one of a list) must leave every global
    service of data/global-services.json alone; missing critical ones are errors, the rest warnings."""
    if statement.get("Effect") != "Deny" or not isinstance(statement.get("Condition"), dict):
        return []
    is_region_deny = False
    for operator, pairs in statement["Condition"].items():
        op = parse_operator(operator)
        if op.negated and op.base.startswith("String") and isinstance(pairs, dict):
            is_region_deny |= any(k.lower() == "aws:requestedregion" for k in pairs)
    if not is_region_deny:
        return []
    missing = global_services.uncovered(lambda action: statement_covers_action(statement, action), catalogue.expand)
    if not missing:
        return []
    critical = [m.pattern for m in missing if m.critical]
    others = [m.pattern for m in missing if not m.critical]
    source = "landingzone/policies/data/global-services.json (Control Tower's GRREGIONDENY list)"
    if critical:
        shown = ", ".join(critical[:8]) + (f" and {len(critical) - 8} more" if len(critical) > 8 else "")
        extra = f" It also denies {len(others)} other global-service pattern(s)." if others else ""
        return [_f("REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS", "error",
                   f"statement {_sid(statement, index)} denies requests outside the approved regions but also "
                   f"covers global services ({shown}) whose requests go to a fixed region or name none: IAM, STS, "
                   f"Organizations, Identity Center or Support would break in accounts that do not use it.{extra}",
                   f"Use NotAction with every pattern of {source}, as the deny-unapproved-regions guardrail does.",
                   f"Statement[{index}]")]
    shown = ", ".join(others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
    return [_f("REGION_DENY_BLOCKS_GLOBAL_SERVICES", "warning",
               f"statement {_sid(statement, index)} denies global services outside the approved regions ({shown}); "
               "their consoles and APIs stop working wherever they are served from another region.",
               f"Add them to NotAction (see {source}) unless the organization does not use them.",
               f"Statement[{index}]")]


def _sample_principal(pattern: str) -> str:
    """A concrete ARN that matches an admin ARN pattern (the account and any wildcards filled in)."""
    parts = pattern.split(":", 5)
    if len(parts) == 6 and parts[4] in ("*", ""):
        parts[4] = "111122223333"
    return ":".join(parts).replace("*", "LandingZoneAdministrator").replace("?", "x")


def _describes_caller(key: str) -> bool:
    lowered = key.lower()
    return lowered in PRINCIPAL_KEYS or lowered in CREDENTIAL_ORIGIN_KEYS or lowered.startswith("aws:principaltag/")


def lockout_findings(statement: dict[str, Any], index: int, admin_principals: Sequence[str],
                      organization_id: str) -> list[PolicyFinding]:
    if statement.get("Effect") != "Deny" or not admin_principals:
        return []
    denied = [a for a in LANDING_ZONE_ADMIN_ACTIONS if statement_covers_action(statement, a)]
    if not denied:
        return []
    # Only the conditions about who is asking (and where its credentials come from) can spare the administrator;
    # others (region, tags) are assumed to hold, since the administrator cannot choose them away.
    condition = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
    principal_only = {op: {k: v for k, v in pairs.items() if _describes_caller(k)}
                      for op, pairs in (condition or {}).items() if isinstance(pairs, dict)}
    principal_only = {op: pairs for op, pairs in principal_only.items() if pairs}
    hit: list[str] = []
    for pattern in admin_principals:
        ctx = request_context(_sample_principal(pattern), None,
                              {"aws:PrincipalOrgID": organization_id, "aws:SecureTransport": "true"})
        try:
            applies = evaluate_condition(principal_only, ctx)
        except SimulationError:
            applies = True
        if applies:
            hit.append(pattern)
    if not hit:
        return []
    shown = ", ".join(denied[:4]) + (f" and {len(denied) - 4} more" if len(denied) > 4 else "")
    exempt = json.dumps({"ArnNotLike": {"aws:PrincipalArn": list(admin_principals)}})
    return [_f("LOCKOUT_DENY", "error",
               f"statement {_sid(statement, index)} denies {shown} to every principal, including the ones that "
               f"administer the landing zone ({', '.join(hit)}); the landing zone could no longer update or destroy "
               "what it built in the accounts this policy reaches.",
               f'Exempt the administrators: add "Condition": {exempt} to the statement (merge it with any existing '
               "condition).", f"Statement[{index}]")]
