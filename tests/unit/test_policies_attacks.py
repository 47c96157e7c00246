"""Issue 12: every hole the review found, as the attack (DENIED) and the legitimate path (ALLOWED), on the
simulator over the presets' own trees (SCPs on the caller's path, RCPs on the resource's path)."""

from __future__ import annotations

from typing import Any

import pytest

from landingzone.config import validate_config
from landingzone.policies.resource_simulator import simulate_request
from landingzone.policies.simulator import NamedPolicy, PolicyTree, TreeAccount, default_policy
from landingzone.presets import preset_data

PROD = "111122223333"
MGMT = "999999999999"
OUTSIDER = "arn:aws:iam::444455556666:role/partner"
DEV = f"arn:aws:iam::{PROD}:role/Developer"
ADMIN = f"arn:aws:iam::{PROD}:role/org-admin/LandingZoneAdministrator"
ACCESS = f"arn:aws:iam::{PROD}:role/OrganizationAccountAccessRole"
ROOT = f"arn:aws:iam::{PROD}:root"
SLR = f"arn:aws:iam::{PROD}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
ACCESS_ROLE = f"arn:aws:iam::{PROD}:role/OrganizationAccountAccessRole"
TRAIL_BUCKET_OBJECT = "arn:aws:s3:::acme-landing-zone-org-trail-123/AWSLogs/o-x/log.json.gz"
TRAIL_KEY = f"arn:aws:kms:us-east-1:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TRAIL_ALIAS = {"kms:ResourceAliases": ["alias/acme-landing-zone-organization-trail"]}
INSTANCE = f"arn:aws:ec2:us-east-1:{PROD}:instance/*"
R = "us-east-1"


def _tree(size: str, **changes: Any) -> PolicyTree:
    data = preset_data(size)  # type: ignore[arg-type]
    data["management_account"]["id"] = MGMT
    data.update(changes)
    return PolicyTree.from_config(validate_config(data), account_ids={"production": PROD})


MEDIUM = _tree("medium")
LARGE = _tree("large")
WITHOUT_PROTECTION = _tree("small", guardrails=[{"id": "deny-unapproved-regions", "targets": ["Root"]}])
SCP_FALLBACKS = _tree("medium", guardrails=[
    {"id": "deny-s3-block-public-access-changes", "targets": ["Root"]},
    {"id": "deny-unapproved-regions-bedrock", "parameters": {"allowed_regions": ["us-east-1"]},
     "targets": ["Root"]},
])
UNSPECIFIED = _tree("medium", guardrails=[
    {"id": "deny-unapproved-regions", "parameters": {"allowed_regions": ["us-east-1", "unspecified"]},
     "targets": ["Root"]}])
PERIMETER = _tree("medium", organization={"existing_id": "o-exampleorg12", "existing_root_id": "r-ab12"}, guardrails=[
    {"id": "rcp-identity-perimeter", "parameters": {"trusted_account_ids": ["777788889999"]}, "targets": ["Root"]}])

# (case, tree, simulate_request kwargs, decision, deciding policy, statement, policy type)
CASES: list[tuple[str, PolicyTree, dict[str, Any], str, str | None, str | None, str | None]] = [
    # 1. the access role every exemption names
    ("access-role-rewritten", MEDIUM, dict(action="iam:AttachRolePolicy", principal_arn=DEV, account="production",
                                           region=R, resource=ACCESS_ROLE),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges", "SERVICE_CONTROL_POLICY"),
    ("access-role-trust-changed", MEDIUM, dict(action="iam:UpdateAssumeRolePolicy", principal_arn=DEV,
                                               account="production", region=R, resource=ACCESS_ROLE),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges", "SERVICE_CONTROL_POLICY"),
    ("access-role-created-where-absent", MEDIUM, dict(action="iam:CreateRole", principal_arn=DEV,
                                                      account="production", region=R, resource=ACCESS_ROLE),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges", "SERVICE_CONTROL_POLICY"),
    ("access-role-name-squatted-under-a-path", MEDIUM, dict(
        action="iam:CreateRole", principal_arn=DEV, account="production", region=R,
        resource=f"arn:aws:iam::{PROD}:role/team/OrganizationAccountAccessRole"),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges", "SERVICE_CONTROL_POLICY"),
    ("access-role-maintained-by-admin", MEDIUM, dict(action="iam:AttachRolePolicy", principal_arn=ADMIN,
                                                     account="production", region=R, resource=ACCESS_ROLE),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("access-role-maintained-by-itself", MEDIUM, dict(action="iam:TagRole", principal_arn=ACCESS,
                                                      account="production", region=R, resource=ACCESS_ROLE),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # 2. the fallback when no protect guardrail is chosen is the strict variant
    ("fallback-blocks-path-squatting", WITHOUT_PROTECTION, dict(
        action="iam:CreateRole", principal_arn=DEV, account="production", region=R,
        resource=f"arn:aws:iam::{PROD}:role/org-admin/Evil"),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges", "SERVICE_CONTROL_POLICY"),
    ("fallback-blocks-trust-change", WITHOUT_PROTECTION, dict(
        action="iam:UpdateAssumeRolePolicy", principal_arn=DEV, account="production", region=R,
        resource=f"arn:aws:iam::{PROD}:role/org-admin/LandingZoneAdministrator"),
     "denied", "protect-org-admin-roles-strict", "DenyOrgAdminRoleChanges", "SERVICE_CONTROL_POLICY"),
    ("fallback-lets-admin-maintain", WITHOUT_PROTECTION, dict(
        action="iam:AttachRolePolicy", principal_arn=ADMIN, account="production", region=R,
        resource=f"arn:aws:iam::{PROD}:role/org-admin/LandingZoneAdministrator"),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # 3. root user: long-lived credentials denied, AssumeRoot recovery sessions allowed
    ("root-credentials", MEDIUM, dict(action="s3:DeleteBucketPolicy", principal_arn=ROOT, account="production",
                                      region=R), "denied", "deny-root-user", "DenyRootUser", "SERVICE_CONTROL_POLICY"),
    ("assume-root-unlocks-a-bucket", MEDIUM, dict(action="s3:DeleteBucketPolicy", principal_arn=ROOT,
                                                  account="production", region=R,
                                                  context={"aws:AssumedRoot": "true"}),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # 4. account-level S3 Block Public Access: locked by the S3 policy; the SCP fallback exempts the admin
    ("bpa-switched-off", MEDIUM, dict(action="s3:PutAccountPublicAccessBlock", principal_arn=DEV,
                                      account="production", region=R),
     "denied", "s3-block-public-access", "public_access_block_configuration", "S3_POLICY"),
    ("bpa-scp-fallback-denies-others", SCP_FALLBACKS, dict(action="s3:PutAccountPublicAccessBlock",
                                                           principal_arn=DEV, account="production", region=R),
     "denied", "deny-s3-block-public-access-changes", "DenyS3AccountBlockPublicAccessChanges",
     "SERVICE_CONTROL_POLICY"),
    ("bpa-scp-fallback-lets-admin-turn-it-on", SCP_FALLBACKS, dict(
        action="s3:PutAccountPublicAccessBlock", principal_arn=ADMIN, account="production", region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # 5. IMDSv2
    ("imds-back-to-v1-after-launch", MEDIUM, dict(action="ec2:ModifyInstanceMetadataOptions", principal_arn=DEV,
                                                  account="production", region=R),
     "denied", "require-imdsv2", "DenyMetadataOptionChanges", "SERVICE_CONTROL_POLICY"),
    ("imds-account-default-changed", MEDIUM, dict(action="ec2:ModifyInstanceMetadataDefaults", principal_arn=DEV,
                                                  account="production", region=R),
     "denied", "require-imdsv2", "DenyMetadataOptionChanges", "SERVICE_CONTROL_POLICY"),
    ("imds-v1-credentials-used", MEDIUM, dict(action="s3:GetObject", principal_arn=DEV, account="production",
                                              region=R, context={"ec2:RoleDelivery": "1.0"}),
     "denied", "require-imdsv2", "DenyImdsV1Credentials", "SERVICE_CONTROL_POLICY"),
    ("imds-v1-launch", MEDIUM, dict(action="ec2:RunInstances", principal_arn=DEV, account="production", region=R,
                                    resource=INSTANCE, context={"ec2:MetadataHttpTokens": "optional"}),
     "denied", "require-imdsv2", "RequireImdsV2AtLaunch", "SERVICE_CONTROL_POLICY"),
    ("imds-launch-from-template-or-default", MEDIUM, dict(action="ec2:RunInstances", principal_arn=DEV,
                                                          account="production", region=R, resource=INSTANCE),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("imds-v2-credentials-used", MEDIUM, dict(action="s3:GetObject", principal_arn=DEV, account="production",
                                              region=R, context={"ec2:RoleDelivery": "2.0"}),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("imds-options-changed-by-admin", MEDIUM, dict(action="ec2:ModifyInstanceMetadataOptions", principal_arn=ADMIN,
                                                   account="production", region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("imds-default-locked-by-declarative-policy", MEDIUM, dict(
        action="ec2:ModifyInstanceMetadataDefaults", principal_arn=ADMIN, account="production", region=R),
     "denied", "ec2-declarative-baseline", "instance_metadata_defaults", "DECLARATIVE_POLICY_EC2"),
    ("serial-console-locked", MEDIUM, dict(action="ec2:EnableSerialConsoleAccess", principal_arn=DEV,
                                           account="security", region=R),
     "denied", "ec2-declarative-baseline", "serial_console_access", "DECLARATIVE_POLICY_EC2"),
    # 6. region deny: global services, opt-in regions, Bedrock cross-Region inference, "unspecified"
    ("identity-center-console-outside-regions", MEDIUM, dict(action="sso:ListInstances", principal_arn=DEV,
                                                             account="production", region="eu-west-1"),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("support-plans-outside-regions", MEDIUM, dict(action="supportplans:GetSupportPlan", principal_arn=DEV,
                                                   account="production", region="eu-west-1"),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("bucket-location-outside-regions", MEDIUM, dict(action="s3:GetBucketLocation", principal_arn=DEV,
                                                     account="production", region="eu-west-1"),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("opt-in-region-enabled", MEDIUM, dict(action="account:EnableRegion", principal_arn=DEV, account="production",
                                           region=R), "denied", "deny-unapproved-regions", "DenyRegionOptInChanges",
     "SERVICE_CONTROL_POLICY"),
    ("opt-in-region-disabled-by-admin", MEDIUM, dict(action="account:DisableRegion", principal_arn=ADMIN,
                                                     account="production", region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("bedrock-direct-outside-regions", SCP_FALLBACKS, dict(action="bedrock:InvokeModel", principal_arn=DEV,
                                                           account="production", region="eu-west-1"),
     "denied", "deny-unapproved-regions-bedrock", "DenyBedrockInferenceOutsideApprovedRegions",
     "SERVICE_CONTROL_POLICY"),
    ("bedrock-cross-region-inference", SCP_FALLBACKS, dict(
        action="bedrock:InvokeModel", principal_arn=DEV, account="production", region="us-west-2",
        context={"bedrock:InferenceProfileArn": f"arn:aws:bedrock:us-east-1:{PROD}:inference-profile/us.model"}),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("bedrock-other-services-outside-regions", SCP_FALLBACKS, dict(action="lambda:CreateFunction", principal_arn=DEV,
                                                                   account="production", region="eu-west-1"),
     "denied", "deny-unapproved-regions-bedrock", "DenyUnapprovedRegions", "SERVICE_CONTROL_POLICY"),
    ("unspecified-region-refused-by-default", MEDIUM, dict(action="bedrock:InvokeModel", principal_arn=DEV,
                                                           account="production", region="unspecified"),
     "denied", "deny-unapproved-regions", "DenyUnapprovedRegions", "SERVICE_CONTROL_POLICY"),
    ("unspecified-region-allowed-when-listed", UNSPECIFIED, dict(action="bedrock:InvokeModel", principal_arn=DEV,
                                                                 account="production", region="unspecified"),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # 7. security services and the trail's key, Lake store and bucket
    ("security-hub-v2-disabled", MEDIUM, dict(action="securityhub:DisableSecurityHubV2", principal_arn=DEV,
                                              account="production", region=R),
     "denied", "protect-security-services", "ProtectSecurityHub", "SERVICE_CONTROL_POLICY"),
    ("security-hub-configuration-policy-detached", MEDIUM, dict(
        action="securityhub:StartConfigurationPolicyDisassociation", principal_arn=DEV, account="production",
        region=R), "denied", "protect-security-services", "ProtectSecurityHub", "SERVICE_CONTROL_POLICY"),
    ("config-retention-shortened", MEDIUM, dict(action="config:PutRetentionConfiguration", principal_arn=DEV,
                                                account="production", region=R),
     "denied", "protect-security-services", "ProtectConfig", "SERVICE_CONTROL_POLICY"),
    ("config-service-linked-recorder-deleted", MEDIUM, dict(
        action="config:DeleteServiceLinkedConfigurationRecorder", principal_arn=DEV, account="production", region=R),
     "denied", "protect-security-services", "ProtectConfig", "SERVICE_CONTROL_POLICY"),
    ("guardduty-findings-archived", MEDIUM, dict(action="guardduty:ArchiveFindings", principal_arn=DEV,
                                                 account="production", region=R),
     "denied", "protect-security-services", "ProtectGuardDuty", "SERVICE_CONTROL_POLICY"),
    ("macie-disabled", MEDIUM, dict(action="macie2:DisableMacie", principal_arn=DEV, account="production", region=R),
     "denied", "protect-security-services", "ProtectMacie", "SERVICE_CONTROL_POLICY"),
    ("security-services-managed-by-admin", MEDIUM, dict(action="securityhub:UpdateConfigurationPolicy",
                                                        principal_arn=ADMIN, account="production", region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("config-service-linked-role", MEDIUM, dict(action="config:PutRetentionConfiguration", principal_arn=SLR,
                                                account="production", region=R), "allowed", None, None, None),
    ("trail-key-scheduled-for-deletion", MEDIUM, dict(action="kms:ScheduleKeyDeletion", principal_arn=DEV,
                                                      account="security", region=R, resource=TRAIL_KEY,
                                                      context=TRAIL_ALIAS),
     "denied", "protect-organization-trail", "DenyTrailKeyChanges", "SERVICE_CONTROL_POLICY"),
    ("other-key-scheduled-for-deletion", MEDIUM, dict(action="kms:ScheduleKeyDeletion", principal_arn=DEV,
                                                      account="security", region=R, resource=TRAIL_KEY,
                                                      context={"kms:ResourceAliases": ["alias/app"]}),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("trail-key-rotated-by-admin", MEDIUM, dict(action="kms:PutKeyPolicy", principal_arn=ADMIN, account="security",
                                                region=R, resource=TRAIL_KEY, context=TRAIL_ALIAS),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("lake-store-deleted", MEDIUM, dict(action="cloudtrail:DeleteEventDataStore", principal_arn=DEV,
                                        account="security", region=R,
                                        resource=f"arn:aws:cloudtrail:us-east-1:{MGMT}:eventdatastore/abc"),
     "denied", "protect-organization-trail", "DenyEventDataStoreChanges", "SERVICE_CONTROL_POLICY"),
    ("trail-bucket-replicated-away", MEDIUM, dict(action="s3:PutReplicationConfiguration", principal_arn=DEV,
                                                  account="log-archive", region=R,
                                                  resource="arn:aws:s3:::acme-landing-zone-org-trail-123"),
     "denied", "protect-organization-trail", "DenyTrailBucketChanges", "SERVICE_CONTROL_POLICY"),
    ("trail-object-retention-shortened", MEDIUM, dict(action="s3:PutObjectRetention", principal_arn=DEV,
                                                      account="log-archive", region=R, resource=TRAIL_BUCKET_OBJECT),
     "denied", "protect-organization-trail", "DenyTrailBucketChanges", "SERVICE_CONTROL_POLICY"),
    # 8. IAM users and EBS encryption
    ("service-specific-credential", LARGE, dict(action="iam:CreateServiceSpecificCredential", principal_arn=DEV,
                                                account="production", region=R),
     "denied", "deny-iam-users", "DenyIamUserCredentials", "SERVICE_CONTROL_POLICY"),
    ("login-profile-changed", LARGE, dict(action="iam:UpdateLoginProfile", principal_arn=DEV, account="production",
                                          region=R), "denied", "deny-iam-users", "DenyIamUserCredentials",
     "SERVICE_CONTROL_POLICY"),
    ("access-key-reactivated", LARGE, dict(action="iam:UpdateAccessKey", principal_arn=DEV, account="production",
                                           region=R), "denied", "deny-iam-users", "DenyIamUserCredentials",
     "SERVICE_CONTROL_POLICY"),
    ("ebs-default-key-changed", MEDIUM, dict(action="ec2:ModifyEbsDefaultKmsKeyId", principal_arn=DEV,
                                             account="production", region=R),
     "denied", "deny-ebs-encryption-disable", "DenyDisablingEbsEncryptionByDefault", "SERVICE_CONTROL_POLICY"),
    ("ebs-default-key-set-by-admin", MEDIUM, dict(action="ec2:ModifyEbsDefaultKmsKeyId", principal_arn=ADMIN,
                                                  account="production", region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # 9. the Suspended OU
    ("suspended-account-keeps-running", LARGE, dict(action="ec2:RunInstances", principal_arn=DEV, ou="Suspended",
                                                    region=R), "denied", "deny-all-suspended",
     "DenyAllExceptLandingZoneAdministrators", "SERVICE_CONTROL_POLICY"),
    ("suspended-account-closed-down-by-admin", LARGE, dict(action="ec2:TerminateInstances", principal_arn=ACCESS,
                                                           ou="Suspended", region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    # RCPs on the resource's path: principals outside and inside the organization, AWS services
    ("outsider-reads-the-trail", MEDIUM, dict(action="s3:GetObject", principal_arn=OUTSIDER,
                                              resource_account="log-archive", region=R, resource=TRAIL_BUCKET_OBJECT),
     "denied", "rcp-protect-organization-trail", "TrailBucketOrgIdentitiesOnly", "RESOURCE_CONTROL_POLICY"),
    ("outsider-uses-the-trail-key", MEDIUM, dict(action="kms:Decrypt", principal_arn=OUTSIDER,
                                                 resource_account="log-archive", region=R, resource=TRAIL_KEY,
                                                 context=TRAIL_ALIAS),
     "denied", "rcp-protect-organization-trail", "TrailKeyOrgIdentitiesOnly", "RESOURCE_CONTROL_POLICY"),
    ("insider-reads-the-trail", MEDIUM, dict(action="s3:GetObject", principal_arn=DEV, account="production",
                                             resource_account="log-archive", region=R, resource=TRAIL_BUCKET_OBJECT),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("cloudtrail-delivers-for-the-organization", MEDIUM, dict(
        action="s3:PutObject", principal_arn="cloudtrail.amazonaws.com", resource_account="log-archive", region=R,
        resource=TRAIL_BUCKET_OBJECT, context={"aws:SourceOrgID": "o-pendingorgid", "aws:SourceAccount": MGMT}),
     "allowed", "RCPFullAWSAccess", "Statement[0]", "RESOURCE_CONTROL_POLICY"),
    ("cloudtrail-delivers-for-another-organization", MEDIUM, dict(
        action="s3:PutObject", principal_arn="cloudtrail.amazonaws.com", resource_account="log-archive", region=R,
        resource=TRAIL_BUCKET_OBJECT, context={"aws:SourceOrgID": "o-someoneelse1", "aws:SourceAccount": "1" * 12}),
     "denied", "rcp-protect-organization-trail", "TrailBucketServicesForOrgOnly", "RESOURCE_CONTROL_POLICY"),
    ("outsider-reads-another-bucket", MEDIUM, dict(action="s3:GetObject", principal_arn=OUTSIDER,
                                                   resource_account="production", region=R,
                                                   resource="arn:aws:s3:::public-site/index.html"),
     "allowed", "RCPFullAWSAccess", "Statement[0]", "RESOURCE_CONTROL_POLICY"),
    ("plain-http-to-s3", LARGE, dict(action="s3:GetObject", principal_arn=DEV, account="production",
                                     resource_account="production", region=R, resource="arn:aws:s3:::data/x",
                                     context={"aws:SecureTransport": "false"}),
     "denied", "rcp-s3-require-tls", "EnforceSecureTransport", "RESOURCE_CONTROL_POLICY"),
    ("tls-to-s3", LARGE, dict(action="s3:GetObject", principal_arn=DEV, account="production",
                              resource_account="production", region=R, resource="arn:aws:s3:::data/x",
                              context={"aws:SecureTransport": "true"}),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("management-account-resources-are-outside-rcps", MEDIUM, dict(
        action="s3:GetObject", principal_arn=OUTSIDER, resource_account="management", region=R,
        resource=TRAIL_BUCKET_OBJECT), "allowed", None, None, None),
    ("perimeter-outsider-assumes-a-role", PERIMETER, dict(action="sts:AssumeRole", principal_arn=OUTSIDER,
                                                          resource_account="production", region=R,
                                                          resource=f"arn:aws:iam::{PROD}:role/app"),
     "denied", "rcp-identity-perimeter", "EnforceOrgIdentities", "RESOURCE_CONTROL_POLICY"),
    ("perimeter-trusted-partner-assumes-a-role", PERIMETER, dict(
        action="sts:AssumeRole", principal_arn="arn:aws:iam::777788889999:role/vendor", resource_account="production",
        region=R, resource=f"arn:aws:iam::{PROD}:role/app"),
     "allowed", "RCPFullAWSAccess", "Statement[0]", "RESOURCE_CONTROL_POLICY"),
    ("perimeter-insider-reads-a-secret", PERIMETER, dict(action="secretsmanager:GetSecretValue", principal_arn=DEV,
                                                         account="production", resource_account="development",
                                                         region=R),
     "allowed", "FullAWSAccess", "Statement[0]", "SERVICE_CONTROL_POLICY"),
    ("perimeter-service-confused-deputy", PERIMETER, dict(
        action="sqs:SendMessage", principal_arn="sns.amazonaws.com", resource_account="production", region=R,
        context={"aws:SourceAccount": "123456789012", "aws:SourceOrgID": "o-someoneelse1"}),
     "denied", "rcp-identity-perimeter", "EnforceConfusedDeputyProtection", "RESOURCE_CONTROL_POLICY"),
    ("perimeter-service-for-the-organization", PERIMETER, dict(
        action="sqs:SendMessage", principal_arn="sns.amazonaws.com", resource_account="production", region=R,
        context={"aws:SourceAccount": PROD, "aws:SourceOrgID": "o-exampleorg12"}),
     "allowed", "RCPFullAWSAccess", "Statement[0]", "RESOURCE_CONTROL_POLICY"),
    ("perimeter-service-linked-role", PERIMETER, dict(action="s3:GetObject", principal_arn=SLR,
                                                      resource_account="production", region=R),
     "allowed", None, None, None),
]


@pytest.mark.parametrize(("case", "tree", "kwargs", "decision", "policy", "sid", "policy_type"), CASES,
                         ids=[c[0] for c in CASES])
def test_attack_denied_and_legitimate_path_allowed(case: str, tree: PolicyTree, kwargs: dict[str, Any],
                                                   decision: str, policy: str | None, sid: str | None,
                                                   policy_type: str | None) -> None:
    verdict = simulate_request(tree=tree, **kwargs)
    assert (verdict.decision, verdict.policy, verdict.statement_sid, verdict.policy_type) == (
        decision, policy, sid, policy_type), verdict.reason


def test_every_hole_has_an_attack_and_a_legitimate_path() -> None:
    denied = sum(1 for c in CASES if c[3] == "denied")
    allowed = sum(1 for c in CASES if c[3] == "allowed")
    assert denied >= 30 and allowed >= 20, (denied, allowed)


def test_rcp_deny_names_the_resource_side() -> None:
    verdict = simulate_request("s3:GetObject", OUTSIDER, tree=MEDIUM, resource_account="log-archive", region=R,
                               resource=TRAIL_BUCKET_OBJECT)
    assert "RCP rcp-protect-organization-trail (TrailBucketOrgIdentitiesOnly) attached to Root" in verdict.reason
    assert "resource's account" in verdict.reason


def test_a_hand_made_rcp_tree_without_rcps_enabled_lets_the_resource_policy_decide() -> None:
    full = default_policy("SERVICE_CONTROL_POLICY")
    tree = PolicyTree(root=[full], ous={}, accounts=[TreeAccount("a", "Root", [full])])
    verdict = simulate_request("s3:GetObject", OUTSIDER, tree=tree, resource_account="a")
    assert verdict.allowed and "RESOURCE_CONTROL_POLICY is not enabled" in verdict.reason
    deny = NamedPolicy.parse("deny-sqs", {"Version": "2012-10-17", "Statement": [
        {"Sid": "NoSqs", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]},
        "RESOURCE_CONTROL_POLICY")
    rcp_full = default_policy("RESOURCE_CONTROL_POLICY")
    tree.resource_policies = PolicyTree(root=[rcp_full], ous={}, accounts=[TreeAccount("a", "Root", [rcp_full, deny])],
                                        default=rcp_full)
    verdict = simulate_request("sqs:SendMessage", OUTSIDER, tree=tree, resource_account="a")
    assert (verdict.decision, verdict.policy, verdict.level) == ("denied", "deny-sqs", "account a")
