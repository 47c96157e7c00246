"""Properties of SCP evaluation that hold for any request: adding a Deny never allows more, a level without an
Allow blocks everything, and the management account and service-linked roles are never affected."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from landingzone.policies.simulator import NamedPolicy, PolicyTree, TreeAccount, full_aws_access, simulate
from landingzone.presets import preset

ACTIONS = st.sampled_from([
    "ec2:RunInstances", "ec2:CreateVpc", "iam:CreateRole", "iam:UpdateRole", "s3:DeleteBucket", "sts:AssumeRole",
    "organizations:LeaveOrganization", "cloudtrail:StopLogging", "guardduty:DeleteDetector",
    "ec2:DisableEbsEncryptionByDefault", "s3:PutAccountPublicAccessBlock", "kms:Decrypt",
])
REGIONS = st.sampled_from(["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"])
PRINCIPALS = st.sampled_from([
    "arn:aws:iam::111111111111:role/dev", "arn:aws:iam::111111111111:role/org-admin/LandingZoneAdministrator",
    "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole", "arn:aws:iam::111111111111:root",
])
RESOURCES = st.sampled_from(["*", "arn:aws:iam::111111111111:role/org-admin/X", "arn:aws:s3:::acme-landing-zone-"
                             "org-trail-1", "arn:aws:ec2:us-east-1:111111111111:instance/*"])
CFG = preset("large")
TREE = PolicyTree.from_config(CFG)
ACCOUNTS = st.sampled_from([a.name for a in CFG.accounts])
DENY_ALL = NamedPolicy.parse("deny-everything", {"Version": "2012-10-17", "Statement": [
    {"Sid": "All", "Effect": "Deny", "Action": "*", "Resource": "*"}]})


def _with_extra(ou: str, policy: NamedPolicy | None, drop_full: bool = False) -> PolicyTree:
    ous = {path: list(pols) for path, pols in TREE.ous.items()}
    if drop_full:
        ous[ou] = [p for p in ous[ou] if p.name != "FullAWSAccess"]
    if policy is not None:
        ous[ou].append(policy)
    return replace(TREE, ous=ous)  # the same tree otherwise (RCPs, settings locked by declarative policies)


DENY_PATTERNS = st.sampled_from(["ec2:*", "iam:*Role", "s3:Delete*", "*", "sts:AssumeRole", "kms:Decrypt"])


@settings(max_examples=150, deadline=None)
@given(ACTIONS, PRINCIPALS, ACCOUNTS, REGIONS, RESOURCES, DENY_PATTERNS)
def test_adding_a_deny_never_allows_more(action: str, principal: str, account: str, region: str,
                                         resource: str, pattern: str) -> None:
    ou = CFG.account(account).ou
    if ou == "Root":
        return
    extra = NamedPolicy.parse("extra-deny", {"Version": "2012-10-17", "Statement": [
        {"Sid": "Extra", "Effect": "Deny", "Action": pattern, "Resource": "*"}]})
    before = simulate(action, principal, account, region=region, resource=resource, tree=TREE)
    after = simulate(action, principal, account, region=region, resource=resource,
                     tree=_with_extra(ou.split("/")[0], extra))
    if before.decision == "denied":
        assert after.decision == "denied"
        assert (after.policy, after.statement_sid) == (before.policy, before.statement_sid) or \
            after.policy == "extra-deny"
    covered = pattern == "*" or (pattern.endswith("*") and action.startswith(pattern[:-1])) or pattern == action \
        or (pattern == "iam:*Role" and action.startswith("iam:") and action.endswith("Role"))
    if covered:
        assert after.decision == "denied"
    else:
        assert after.decision == before.decision


@settings(max_examples=100, deadline=None)
@given(ACTIONS, PRINCIPALS, ACCOUNTS, REGIONS)
def test_a_level_without_allow_blocks_everything(action: str, principal: str, account: str, region: str) -> None:
    ou = CFG.account(account).ou
    if ou == "Root":
        return
    verdict = simulate(action, principal, account, region=region, tree=_with_extra(ou, None, drop_full=True))
    assert verdict.decision == "denied"
    # Either an explicit Deny decided first, or the level without an Allow did.
    assert verdict.policy is not None or verdict.level == f"OU {ou}"


@settings(max_examples=60, deadline=None)
@given(ACTIONS, REGIONS, RESOURCES)
def test_management_account_and_service_linked_roles_are_never_affected(action: str, region: str,
                                                                         resource: str) -> None:
    tree = PolicyTree(root=[DENY_ALL], ous={}, accounts=[TreeAccount("workload", "Root", [full_aws_access()])],
                      management_account_id="999999999999")
    slr = "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    assert simulate(action, slr, "workload", region=region, resource=resource, tree=tree).allowed
    mgmt = "arn:aws:iam::999999999999:role/Admin"
    assert simulate(action, mgmt, "999999999999", region=region, resource=resource, tree=tree).allowed
    assert not simulate(action, "arn:aws:iam::111111111111:role/x", "workload", region=region, resource=resource,
                        tree=tree).allowed
