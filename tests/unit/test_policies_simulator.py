"""The SCP simulator, table-driven over the trees the presets build and over hand-made trees."""

from __future__ import annotations

from typing import Any

import pytest

from landingzone.config import validate_config
from landingzone.policies.simulator import (
    NamedPolicy,
    PolicyTree,
    SimulationError,
    TreeAccount,
    evaluate_condition,
    full_aws_access,
    simulate,
)
from landingzone.presets import preset_data

MEMBER = "111111111111"
MGMT_ID = "999999999999"
DEV = f"arn:aws:iam::{MEMBER}:role/developer"
ADMIN = f"arn:aws:iam::{MEMBER}:role/org-admin/LandingZoneAdministrator"
ACCESS = f"arn:aws:iam::{MEMBER}:role/OrganizationAccountAccessRole"
ROOT_USER = f"arn:aws:iam::{MEMBER}:root"
SLR = f"arn:aws:iam::{MEMBER}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
SLR_SESSION = f"arn:aws:sts::{MEMBER}:assumed-role/AWSServiceRoleForConfig/config-session"
ADMIN_SESSION = f"arn:aws:sts::{MEMBER}:assumed-role/LandingZoneAdministrator/pulumi"
ORG_ADMIN_ROLE = f"arn:aws:iam::{MEMBER}:role/org-admin/LandingZoneAdministrator"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{MGMT_ID}:trail/organization-trail"
BUCKET = "arn:aws:s3:::acme-landing-zone-org-trail-222222222222"
INSTANCE = f"arn:aws:ec2:us-east-1:{MEMBER}:instance/*"
IMDS_OK = {"ec2:MetadataHttpTokens": "required", "ec2:MetadataHttpPutResponseHopLimit": "2"}


def _tree(size: str = "medium") -> PolicyTree:
    data = preset_data(size)  # type: ignore[arg-type]
    data["management_account"]["id"] = MGMT_ID
    cfg = validate_config(data)
    return PolicyTree.from_config(cfg, account_ids={"production": MEMBER})


MEDIUM = _tree("medium")
LARGE = _tree("large")

# (case id, simulate kwargs, decision, deciding policy, deciding statement)
CASES: list[tuple[str, dict[str, Any], str, str | None, str | None]] = [
    # management account and service-linked roles are outside SCPs
    ("mgmt-by-name", dict(action="organizations:LeaveOrganization", principal_arn=f"arn:aws:iam::{MGMT_ID}:role/Admin",
                          account="management"), "allowed", None, None),
    ("mgmt-by-principal", dict(action="ec2:RunInstances", principal_arn=f"arn:aws:iam::{MGMT_ID}:role/Admin",
                               account=MGMT_ID, region="eu-west-1"), "allowed", None, None),
    ("mgmt-root-user", dict(action="s3:ListAllMyBuckets", principal_arn=f"arn:aws:iam::{MGMT_ID}:root",
                            account="management"), "allowed", None, None),
    ("slr-outside-region", dict(action="guardduty:CreateDetector", principal_arn=SLR, account="production",
                                region="eu-west-1"), "allowed", None, None),
    ("slr-session-deleting-detector", dict(action="guardduty:DeleteDetector", principal_arn=SLR_SESSION,
                                           account="production"), "allowed", None, None),
    # organization membership and the root user
    ("leave-org-denied", dict(action="organizations:LeaveOrganization", principal_arn=DEV, account="production"),
     "denied", "deny-leave-organization", "DenyLeaveOrganization"),
    ("leave-org-denied-even-for-admin", dict(action="organizations:LeaveOrganization", principal_arn=ADMIN,
                                             account="security"), "denied", "deny-leave-organization",
     "DenyLeaveOrganization"),
    ("root-user-denied", dict(action="s3:ListAllMyBuckets", principal_arn=ROOT_USER, account="production"),
     "denied", "deny-root-user", "DenyRootUser"),
    ("root-user-denied-in-security", dict(action="iam:CreateRole", principal_arn=ROOT_USER, account="security"),
     "denied", "deny-root-user", "DenyRootUser"),
    # regions
    ("region-inside-home", dict(action="ec2:CreateVpc", principal_arn=DEV, account="production",
                                region="us-east-1"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-inside-second", dict(action="ec2:CreateVpc", principal_arn=DEV, account="development",
                                  region="us-west-2"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-outside", dict(action="ec2:CreateVpc", principal_arn=DEV, account="production", region="eu-west-1"),
     "denied", "deny-unapproved-regions", "DenyUnapprovedRegions"),
    ("region-outside-by-account-id", dict(action="ec2:CreateVpc", principal_arn=DEV, account=MEMBER,
                                          region="eu-west-1"), "denied", "deny-unapproved-regions",
     "DenyUnapprovedRegions"),
    ("region-outside-global-iam", dict(action="iam:ListRoles", principal_arn=DEV, account="production",
                                       region="eu-west-1"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-outside-global-sts", dict(action="sts:AssumeRole", principal_arn=DEV, account="production",
                                       region="ap-south-1"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-outside-global-s3-wildcard", dict(action="s3:GetAccountPublicAccessBlock", principal_arn=DEV,
                                               account="production", region="eu-west-1"),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-outside-admin-exempt", dict(action="ec2:CreateVpc", principal_arn=ADMIN, account="production",
                                         region="eu-west-1"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-outside-access-role-exempt", dict(action="ec2:DeleteVpc", principal_arn=ACCESS,
                                               account="development", region="eu-west-1"),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-outside-security-ou-not-governed", dict(action="ec2:CreateVpc", principal_arn=DEV, account="security",
                                                     region="eu-west-1"), "allowed", "FullAWSAccess",
     "Statement[0]"),
    # The preset's region deny covers the Infrastructure OU too (shared-services is a workload account).
    ("region-outside-infrastructure", dict(action="ec2:CreateVpc", principal_arn=DEV, account="shared-services",
                                           region="eu-west-1"), "denied", "deny-unapproved-regions",
     "DenyUnapprovedRegions"),
    ("region-outside-new-account-in-sandbox", dict(action="ec2:CreateVpc", principal_arn=DEV, ou="Sandbox",
                                                   region="sa-east-1"), "denied", "deny-unapproved-regions",
     "DenyUnapprovedRegions"),
    ("region-inherited-from-parent-ou", dict(action="lambda:CreateFunction", principal_arn=DEV,
                                             ou="Workloads/NonProd", region="eu-west-1"),
     "denied", "deny-unapproved-regions", "DenyUnapprovedRegions"),
    # org-admin roles (strict variant at the root)
    ("org-admin-create-squat", dict(action="iam:CreateRole", principal_arn=DEV, account="production",
                                    resource=f"arn:aws:iam::{MEMBER}:role/org-admin/Evil"),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges"),
    ("org-admin-attach-policy", dict(action="iam:AttachRolePolicy", principal_arn=DEV, account="development",
                                     resource=ORG_ADMIN_ROLE), "denied", "protect-org-admin-roles-strict",
     "DenyOrgAdminRoleChanges"),
    ("org-admin-trust-change-security", dict(action="iam:UpdateAssumeRolePolicy", principal_arn=DEV,
                                             account="security", resource=ORG_ADMIN_ROLE),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges"),
    ("org-admin-update-by-admin", dict(action="iam:UpdateRole", principal_arn=ADMIN, account="production",
                                       resource=ORG_ADMIN_ROLE), "allowed", "FullAWSAccess", "Statement[0]"),
    ("org-admin-update-by-access-role", dict(action="iam:DeleteRole", principal_arn=ACCESS, account="production",
                                             resource=ORG_ADMIN_ROLE), "allowed", "FullAWSAccess",
     "Statement[0]"),
    ("role-outside-path", dict(action="iam:CreateRole", principal_arn=DEV, account="production",
                               resource=f"arn:aws:iam::{MEMBER}:role/app/Worker"),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("admin-session-with-principal-arn", dict(action="iam:PutRolePolicy", principal_arn=ADMIN_SESSION,
                                              account="production", resource=ORG_ADMIN_ROLE,
                                              context={"aws:PrincipalArn": ORG_ADMIN_ROLE}),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("admin-session-path-lost", dict(action="iam:PutRolePolicy", principal_arn=ADMIN_SESSION,
                                     account="production", resource=ORG_ADMIN_ROLE),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges"),
    # organization trail and bucket
    ("trail-stop-logging", dict(action="cloudtrail:StopLogging", principal_arn=DEV, account="security",
                                resource=TRAIL), "denied", "protect-organization-trail",
     "DenyOrganizationTrailChanges"),
    ("other-trail-stop-logging", dict(action="cloudtrail:StopLogging", principal_arn=DEV, account="security",
                                      resource=f"arn:aws:cloudtrail:us-east-1:{MEMBER}:trail/app-trail"),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("trail-update-by-admin", dict(action="cloudtrail:UpdateTrail", principal_arn=ADMIN, account="security",
                                   resource=TRAIL), "allowed", "FullAWSAccess", "Statement[0]"),
    ("trail-bucket-delete", dict(action="s3:DeleteBucket", principal_arn=DEV, account="log-archive",
                                 resource=BUCKET), "denied", "protect-organization-trail", "DenyTrailBucketChanges"),
    ("trail-object-delete", dict(action="s3:DeleteObject", principal_arn=DEV, account="log-archive",
                                 resource=f"{BUCKET}/AWSLogs/o-abc/log.json.gz"),
     "denied", "protect-organization-trail", "DenyTrailBucketChanges"),
    ("other-bucket-delete", dict(action="s3:DeleteBucket", principal_arn=DEV, account="log-archive",
                                 resource="arn:aws:s3:::team-data"), "allowed", "FullAWSAccess", "Statement[0]"),
    # security services
    ("guardduty-delete-in-prod", dict(action="guardduty:DeleteDetector", principal_arn=DEV, account="production"),
     "denied", "protect-security-services", "ProtectGuardDuty"),
    ("securityhub-disable-in-sandbox", dict(action="securityhub:DisableSecurityHub", principal_arn=DEV,
                                            ou="Sandbox"), "denied", "protect-security-services",
     "ProtectSecurityHub"),
    ("config-stop-by-admin", dict(action="config:StopConfigurationRecorder", principal_arn=ADMIN,
                                  account="production"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("guardduty-delete-in-security-account", dict(action="guardduty:DeleteDetector", principal_arn=DEV,
                                                  account="security"), "allowed", "FullAWSAccess", "Statement[0]"),
    ("analyzer-delete-in-infrastructure", dict(action="access-analyzer:DeleteAnalyzer", principal_arn=DEV,
                                               account="shared-services"), "denied", "protect-security-services",
     "ProtectAccessAnalyzer"),
    # S3 account-level Block Public Access and EBS encryption
    # The medium preset sets account-level BPA with the Organizations S3 policy, which locks the setting.
    ("s3-bpa-change", dict(action="s3:PutAccountPublicAccessBlock", principal_arn=DEV, account="production",
                           region="us-east-1"), "denied", "s3-block-public-access",
     "public_access_block_configuration"),
    ("ebs-disable-in-prod", dict(action="ec2:DisableEbsEncryptionByDefault", principal_arn=DEV,
                                 account="production", region="us-east-1"), "denied", "deny-ebs-encryption-disable",
     "DenyDisablingEbsEncryptionByDefault"),
    ("ebs-disable-in-security", dict(action="ec2:DisableEbsEncryptionByDefault", principal_arn=DEV,
                                     account="security", region="us-east-1"), "allowed", "FullAWSAccess",
     "Statement[0]"),
    # IMDSv2 (Numeric and String conditions, missing keys)
    ("imds-optional", dict(action="ec2:RunInstances", principal_arn=DEV, account="production", region="us-east-1",
                           resource=INSTANCE, context={"ec2:MetadataHttpTokens": "optional"}),
     "denied", "require-imdsv2", "RequireImdsV2AtLaunch"),
    ("imds-required-hop-2", dict(action="ec2:RunInstances", principal_arn=DEV, account="production",
                                 region="us-east-1", resource=INSTANCE, context=IMDS_OK),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("imds-required-hop-5", dict(action="ec2:RunInstances", principal_arn=DEV, account="production",
                                 region="us-east-1", resource=INSTANCE,
                                 context={**IMDS_OK, "ec2:MetadataHttpPutResponseHopLimit": "5"}),
     "denied", "require-imdsv2", "LimitImdsHopLimit"),
    # A launch that takes IMDSv2 from a launch template or the account default carries no ec2:MetadataHttpTokens:
    # issue 12 calls denying it a hole (compliant launches refused); the declarative policy sets the default.
    ("imds-tokens-from-defaults", dict(action="ec2:RunInstances", principal_arn=DEV, account="development",
                                       region="us-east-1", resource=INSTANCE), "allowed", "FullAWSAccess",
     "Statement[0]"),
    ("imds-volume-resource-not-scoped", dict(action="ec2:RunInstances", principal_arn=DEV, account="development",
                                             region="us-east-1", resource=f"arn:aws:ec2:us-east-1:{MEMBER}:volume/*"),
     "allowed", "FullAWSAccess", "Statement[0]"),
]

LARGE_CASES: list[tuple[str, dict[str, Any], str, str | None, str | None]] = [
    ("iam-user-in-prod", dict(action="iam:CreateUser", principal_arn=DEV, account="production"),
     "denied", "deny-iam-users", "DenyIamUserCredentials"),
    ("iam-user-in-dev", dict(action="iam:CreateUser", principal_arn=DEV, account="development"),
     "allowed", "FullAWSAccess", "Statement[0]"),
    ("region-in-deployments", dict(action="ec2:CreateVpc", principal_arn=DEV, ou="Deployments",
                                   region="eu-west-1"), "denied", "deny-unapproved-regions", "DenyUnapprovedRegions"),
    ("suspended-denies-everything", dict(action="ec2:CreateVpc", principal_arn=DEV, ou="Suspended",
                                         region="us-east-1"), "denied", "deny-all-suspended",
     "DenyAllExceptLandingZoneAdministrators"),
    ("suspended-admin-may-clean-up", dict(action="ec2:DeleteVpc", principal_arn=ADMIN, ou="Suspended",
                                          region="eu-west-1"), "allowed", "FullAWSAccess", "Statement[0]"),
]


@pytest.mark.parametrize(("case", "kwargs", "decision", "policy", "sid"), CASES, ids=[c[0] for c in CASES])
def test_medium_preset(case: str, kwargs: dict[str, Any], decision: str, policy: str | None,
                       sid: str | None) -> None:
    verdict = simulate(tree=MEDIUM, **kwargs)
    assert (verdict.decision, verdict.policy, verdict.statement_sid) == (decision, policy, sid), verdict.reason


@pytest.mark.parametrize(("case", "kwargs", "decision", "policy", "sid"), LARGE_CASES,
                         ids=[c[0] for c in LARGE_CASES])
def test_large_preset(case: str, kwargs: dict[str, Any], decision: str, policy: str | None,
                      sid: str | None) -> None:
    verdict = simulate(tree=LARGE, **kwargs)
    assert (verdict.decision, verdict.policy, verdict.statement_sid) == (decision, policy, sid), verdict.reason


def test_the_table_is_large_enough() -> None:
    assert len(CASES) + len(LARGE_CASES) + len(CUSTOM_CASES) >= 40


def test_inherited_deny_names_the_parent_ou() -> None:
    verdict = simulate("ec2:CreateVpc", DEV, ou="Workloads/NonProd", region="eu-west-1", tree=MEDIUM)
    assert verdict.level == "OU Workloads"
    assert "attached to OU Workloads" in verdict.reason


def test_allow_names_every_level() -> None:
    verdict = simulate("ec2:CreateVpc", DEV, "production", region="us-east-1", tree=MEDIUM)
    assert list(verdict.allowed_by) == ["Root", "OU Workloads", "OU Workloads/Prod", "account production"]


# Hand-made trees: missing Allow at one level, Allow lists, deny at the account.
DENY_EC2 = NamedPolicy.parse("deny-ec2", {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoEc2", "Effect": "Deny", "Action": "ec2:*", "Resource": "*"}]})
ALLOW_S3 = NamedPolicy.parse("allow-s3-only", {"Version": "2012-10-17", "Statement": [
    {"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
FULL = full_aws_access()
CUSTOM = PolicyTree(
    root=[FULL],
    ous={"Team": [FULL], "Team/NoAllow": [DENY_EC2], "Team/S3": [ALLOW_S3], "Other": [FULL]},
    accounts=[
        TreeAccount("no-allow-acct", "Team/NoAllow", [FULL]),
        TreeAccount("s3-acct", "Team/S3", [FULL]),
        TreeAccount("deny-here", "Other", [FULL, DENY_EC2], "333333333333"),
        TreeAccount("account-without-allow", "Team", []),
    ],
)
CUSTOM_CASES: list[tuple[str, dict[str, Any], str, str | None, str | None, str]] = [
    ("missing-allow-at-ou", dict(action="s3:GetObject", principal_arn=DEV, account="no-allow-acct"),
     "denied", None, None, "OU Team/NoAllow"),
    ("deny-at-ou-without-allow", dict(action="ec2:RunInstances", principal_arn=DEV, account="no-allow-acct"),
     "denied", "deny-ec2", "NoEc2", "OU Team/NoAllow"),
    ("allow-list-permits-s3", dict(action="s3:PutObject", principal_arn=DEV, account="s3-acct"),
     "allowed", "FullAWSAccess", "Statement[0]", "account s3-acct"),
    ("allow-list-blocks-ec2", dict(action="ec2:CreateVpc", principal_arn=DEV, account="s3-acct"),
     "denied", None, None, "OU Team/S3"),
    ("deny-at-account", dict(action="ec2:CreateVpc", principal_arn=DEV, account="333333333333"),
     "denied", "deny-ec2", "NoEc2", "account deny-here"),
    ("account-level-missing-allow", dict(action="sts:GetCallerIdentity", principal_arn=DEV,
                                         account="account-without-allow"), "denied", None, None,
     "account account-without-allow"),
    ("new-account-in-ou-gets-full-access", dict(action="s3:PutObject", principal_arn=DEV, ou="Team/S3"),
     "allowed", "FullAWSAccess", "Statement[0]", "account (new, FullAWSAccess only)"),
]


@pytest.mark.parametrize(("case", "kwargs", "decision", "policy", "sid", "level"), CUSTOM_CASES,
                         ids=[c[0] for c in CUSTOM_CASES])
def test_custom_trees(case: str, kwargs: dict[str, Any], decision: str, policy: str | None, sid: str | None,
                      level: str) -> None:
    verdict = simulate(tree=CUSTOM, **kwargs)
    assert (verdict.decision, verdict.policy, verdict.statement_sid, verdict.level) == (
        decision, policy, sid, level), verdict.reason


def test_missing_allow_reason_names_the_fix() -> None:
    verdict = simulate("s3:GetObject", DEV, "no-allow-acct", tree=CUSTOM)
    assert "no SCP attached to OU Team/NoAllow allows s3:GetObject" in verdict.reason
    assert "attach FullAWSAccess" in verdict.reason


@pytest.mark.parametrize(("kwargs", "fragment"), [
    (dict(account="nobody"), "neither an account name nor an account id"),
    (dict(ou="Team/Missing"), "'Team/Missing' is not an OU path"),
    (dict(), "name an account"),
])
def test_unknown_targets_raise(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SimulationError, match=fragment):
        simulate("s3:GetObject", DEV, tree=CUSTOM, **kwargs)


@pytest.mark.parametrize(("condition", "context", "expected"), [
    ({"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}}, {"aws:PrincipalTag/team": "b"}, True),
    ({"StringEquals": {"aws:PrincipalTag/team": "a"}}, {}, False),
    ({"StringNotEquals": {"aws:PrincipalTag/team": "a"}}, {}, True),
    ({"StringEqualsIfExists": {"aws:PrincipalTag/team": "a"}}, {}, True),
    ({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "A"}}, {"aws:principaltag/team": "a"}, True),
    ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/x"}, True),
    ({"StringNotLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "tmp/x"}, True),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/org-admin/*"}}, {"aws:PrincipalArn": ADMIN}, True),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/org-admin/*"}}, {"aws:PrincipalArn": DEV}, True),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": False}, True),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"}, False),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "100"}, True),
    ({"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "100"}, False),
    ({"NumericEquals": {"x:n": "2"}}, {"x:n": "2.0"}, True),
    ({"NumericNotEquals": {"x:n": "2"}}, {"x:n": "3"}, True),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.168.1.1"}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "env"]}}, {"aws:TagKeys": ["cost", "env"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}, {}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["owner", "env"]}}, {"aws:TagKeys": ["owner", "x"]}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["owner", "env"]}}, {"aws:TagKeys": ["owner"]}, True),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["owner"]}}, {}, True),
    ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}, "Bool": {"aws:SecureTransport": "true"}},
     {"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "false"}, False),
])
def test_condition_operators(condition: dict[str, Any], context: dict[str, Any], expected: bool) -> None:
    assert evaluate_condition(condition, context) is expected


def test_unsupported_operator_is_an_error_not_a_guess() -> None:
    with pytest.raises(SimulationError, match="not supported"):
        evaluate_condition({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {})
