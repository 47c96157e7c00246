"""Issue 13's checks and reads fed with data directly (no AWS): network ACLs in rule order, management events from
event selectors, TLS-only bucket policies, root users, the region deny through the simulator, and what an unread
part does to a check ("not evaluated", never a pass)."""

from __future__ import annotations

import json

import pytest

from landingzone.audit import run_audit
from landingzone.audit.model import AuditContext, AuditSettings
from landingzone.discovery import (
    AccountInfo,
    AccountView,
    Discovery,
    DiscoveryOptions,
    NetworkAclEntry,
    NetworkAclInfo,
    NotVisible,
    OrganizationInfo,
    OuInfo,
    PolicyInfo,
    RootInfo,
    RootUserInfo,
    SecurityGroupInfo,
    SecurityGroupRule,
)
from landingzone.discovery.logging import denies_insecure_transport, management_events
from landingzone.policies.catalog import RenderContext, default_catalog
from stacks.network_acls import deny_entries

MGMT, PROD = "111111111111", "222222222222"


def _org() -> Discovery:
    found = Discovery(options=DiscoveryOptions(), caller_account_id=MGMT)
    found.organization = OrganizationInfo("o-abcdefghij", f"arn:aws:organizations::{MGMT}:organization/o-x", "ALL",
                                          MGMT, "m@example.com")
    found.roots = [RootInfo("r-ab12", "Root", ("SERVICE_CONTROL_POLICY",))]
    found.ous = [OuInfo("ou-w", "Workloads", "r-ab12", "Workloads")]
    found.accounts = [AccountInfo(MGMT, "management", "m@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(PROD, "production", "p@example.com", "ACTIVE", "ou-w", "Workloads")]
    found.account_views = {MGMT: AccountView(MGMT), PROD: AccountView(PROD)}
    return found


def _ids(found: Discovery, *check_ids: str, settings: AuditSettings | None = None) -> list[str]:
    return [f.id for f in run_audit(AuditContext(found, settings=settings), only=set(check_ids)).findings]


def _acl(*entries: NetworkAclEntry) -> NetworkAclInfo:
    return NetworkAclInfo(PROD, "us-east-1", "acl-1", "vpc-1", True, entries)


ALLOW_ALL = NetworkAclEntry(100, "-1", True, False, cidr_ipv4="0.0.0.0/0")
DENY_ALL = NetworkAclEntry(32767, "-1", False, False, cidr_ipv4="0.0.0.0/0")


@pytest.mark.parametrize(("entries", "opened"), [
    ((ALLOW_ALL, DENY_ALL), ["tcp 22", "tcp 3389", "udp 22", "udp 3389"]),  # every VPC's default ACL
    ((DENY_ALL,), []),
    # Denies ahead of the allow-all close the ports; the order (rule number), not the list order, decides.
    ((ALLOW_ALL, *(NetworkAclEntry(n, p, False, False, cidr_ipv4="0.0.0.0/0", from_port=port, to_port=port)
                   for n, p, port in ((50, "6", 22), (51, "6", 3389), (52, "17", 22), (53, "17", 3389)))), []),
    ((NetworkAclEntry(50, "6", False, False, cidr_ipv4="0.0.0.0/0", from_port=22, to_port=22), ALLOW_ALL),
     ["tcp 3389", "udp 22", "udp 3389"]),
    # A deny placed after the allow decides nothing.
    ((ALLOW_ALL, NetworkAclEntry(200, "6", False, False, cidr_ipv4="0.0.0.0/0", from_port=22, to_port=22)),
     ["tcp 22", "tcp 3389", "udp 22", "udp 3389"]),
    # A deny for a narrower range does not stop the rest of the internet.
    ((NetworkAclEntry(50, "-1", False, False, cidr_ipv4="198.51.100.0/24"), ALLOW_ALL),
     ["tcp 22", "tcp 3389", "udp 22", "udp 3389"]),
    ((NetworkAclEntry(100, "6", True, False, cidr_ipv4="0.0.0.0/0", from_port=4000, to_port=65535),), []),
    ((NetworkAclEntry(100, "6", True, False, cidr_ipv4="0.0.0.0/0", from_port=0, to_port=3389),),
     ["tcp 22", "tcp 3389"]),
    ((NetworkAclEntry(100, "6", True, True, cidr_ipv4="0.0.0.0/0", from_port=22, to_port=22),), []),  # egress
    ((NetworkAclEntry(101, "-1", True, False, cidr_ipv6="::/0"),),
     ["tcp 22 from ::/0", "tcp 3389 from ::/0", "udp 22 from ::/0", "udp 3389 from ::/0"]),
])
def test_network_acl_admin_ports(entries: tuple[NetworkAclEntry, ...], opened: list[str]) -> None:
    found = _org()
    found.account_views[PROD].network_acls = [_acl(*entries)]
    report = run_audit(AuditContext(found), only={"LZ-NET-005"})
    if not opened:
        assert report.findings == []
        return
    (finding,) = report.findings
    assert finding.issue.resource == "acl-1" and finding.issue.message.startswith("default network ACL acl-1")
    for what in opened:
        assert what in finding.issue.message
    assert finding.issue.message.count(" from ") == len(opened)


def _stage_entries(skip: int | None = None) -> list[NetworkAclEntry]:
    """The inbound entries stage baseline (and stage network) adds to a default ACL, as DescribeNetworkAcls
    reports them (protocol numbers), but the one with rule number ``skip``."""
    numbers = {"tcp": "6", "udp": "17"}
    return [NetworkAclEntry(e.rule_number, numbers[e.protocol], False, False,
                            cidr_ipv4=e.cidr if e.family == "ipv4" else None,
                            cidr_ipv6=e.cidr if e.family == "ipv6" else None, from_port=e.port, to_port=e.port)
            for e in deny_entries() if e.rule_number != skip]


def test_the_stages_deny_entries_satisfy_the_network_acl_check_and_each_one_is_needed() -> None:
    """What stacks/network_acls.py builds is what LZ-NET-005 counts: with all of its entries ahead of AWS's
    allow-all entries (IPv4 100, IPv6 101) nothing is found; without any one of them, that one opening is."""
    allow_v6 = NetworkAclEntry(101, "-1", True, False, cidr_ipv6="::/0")
    found = _org()
    found.account_views[PROD].network_acls = [_acl(*_stage_entries(), ALLOW_ALL, allow_v6, DENY_ALL)]
    assert run_audit(AuditContext(found), only={"LZ-NET-005"}).findings == []
    for entry in deny_entries():
        found.account_views[PROD].network_acls = [_acl(*_stage_entries(skip=entry.rule_number), ALLOW_ALL, allow_v6)]
        (finding,) = run_audit(AuditContext(found), only={"LZ-NET-005"}).findings
        assert finding.issue.message.endswith(f"admits {entry.protocol} {entry.port} from {entry.cidr} (rule "
                                              f"{100 if entry.family == 'ipv4' else 101})"), finding.issue.message


@pytest.mark.parametrize(("answer", "recorded"), [
    ({}, (True, True)),  # no selector at all: AWS records every management event
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}, (True, True)),
    ({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}, (False, True)),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]}, (False, False)),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]},
     (True, True)),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                     {"Field": "readOnly", "Equals": ["true"]}]}]}, (True, False)),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}]},
     (False, False)),  # data events only
])
def test_management_events_from_selectors(answer: dict[str, object], recorded: tuple[bool, bool]) -> None:
    assert management_events(answer) == recorded


def test_tls_only_policy() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert denies_insecure_transport({"Statement": [deny]}, "b")
    assert denies_insecure_transport({"Statement": {**deny, "Principal": {"AWS": "*"}}}, "b")
    assert not denies_insecure_transport({"Statement": [{**deny, "Action": "s3:GetObject"}]}, "b")  # one action
    assert not denies_insecure_transport({"Statement": [{**deny, "Effect": "Allow"}]}, "b")
    assert not denies_insecure_transport({"Statement": [{**deny, "Resource": "arn:aws:s3:::other/*"}]}, "b")
    assert not denies_insecure_transport({"Statement": [{**deny, "Condition": {}}]}, "b")
    assert not denies_insecure_transport({}, "b")


def test_root_users() -> None:
    found = _org()
    found.account_views[MGMT].root_user = RootUserInfo(mfa_enabled=False, access_keys_present=False)
    found.account_views[PROD].root_user = RootUserInfo(mfa_enabled=False, access_keys_present=True)
    report = run_audit(AuditContext(found), only={"LZ-MGT-004", "LZ-MGT-005"})
    messages = {f.id: f.issue.message for f in report.findings}
    assert messages == {
        "LZ-MGT-004": "the management account's root user has no MFA device",
        "LZ-MGT-005": f"the root user of 'production' ({PROD}) has access keys",
    }
    found.account_views[MGMT].root_user = RootUserInfo(mfa_enabled=True, access_keys_present=False)
    found.account_views[PROD].root_user = RootUserInfo(mfa_enabled=False, access_keys_present=False)
    assert _ids(found, "LZ-MGT-004", "LZ-MGT-005") == []


def _scp(name: str, *targets: str, regions: tuple[str, ...] = ("us-east-1",)) -> PolicyInfo:
    context = RenderContext(governed_regions=regions, org_admin_path="/org-admin/",
                            access_role_name="OrganizationAccountAccessRole", trail_name="organization-trail")
    return PolicyInfo(f"p-{name}", name, False, default_catalog().render(name, context=context), targets)


FULL = PolicyInfo("p-FullAWSAccess", "FullAWSAccess", True, json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    ("r-ab12", "ou-w", MGMT, PROD))


def test_region_deny_through_the_simulator() -> None:
    governed = AuditSettings(governed_regions=("us-east-1", "eu-west-1"))
    found = _org()
    found.policies = [FULL]
    assert _ids(found, "LZ-REG-001", settings=governed) == ["LZ-REG-001"]
    assert _ids(found, "LZ-REG-001") == []  # no governed regions configured: not applicable
    # A deny rendered for the governed regions, on the workload OU: every other region is denied.
    found.policies = [FULL, _scp("deny-unapproved-regions", "ou-w", regions=("us-east-1", "eu-west-1"))]
    assert _ids(found, "LZ-REG-001", settings=governed) == []
    # A deny that still admits a region outside the governed ones is no region deny for that region.
    found.policies = [FULL, _scp("deny-unapproved-regions", "ou-w", regions=("us-east-1", "eu-west-1", "ap-south-1"))]
    (finding,) = run_audit(AuditContext(found, settings=governed), only={"LZ-REG-001"}).findings
    assert "OU 'Workloads'" in finding.issue.message and "1 region(s): ap-south-1" in finding.issue.message
    # SCPs not enabled: nothing is denied anywhere.
    found.policies = [FULL, _scp("deny-unapproved-regions", "ou-w")]
    found.roots = [RootInfo("r-ab12", "Root", ())]
    assert _ids(found, "LZ-REG-001", settings=AuditSettings(governed_regions=("us-east-1",))) == ["LZ-REG-001"]


def _open_ssh() -> SecurityGroupInfo:
    return SecurityGroupInfo(PROD, "us-east-1", "sg-1", "app", "vpc-1", (
        SecurityGroupRule("ingress", "tcp", 22, 22, cidr_ipv4="0.0.0.0/0"),))


def test_an_unread_part_is_not_evaluated_never_a_pass() -> None:
    found = _org()
    failed = NotVisible("ec2", "describe_security_groups", "InternalError", "we encountered an internal error",
                        MGMT, "us-east-1", "failed")
    found.not_visible = [failed]
    report = run_audit(AuditContext(found), only={"LZ-NET-001", "LZ-MGT-002"})
    status = {r.check.id: r.status for r in report.results}
    assert status == {"LZ-NET-001": "not evaluated", "LZ-MGT-002": "pass"}
    assert not report.complete and report.missing_reads == [failed]
    assert [r.check.id for r in report.not_evaluated] == ["LZ-NET-001"]
    # What was read still counts: a finding in another account fails the check, and the gap is kept.
    found.account_views[PROD].security_groups = [_open_ssh()]
    report = run_audit(AuditContext(found), only={"LZ-NET-001"})
    (result,) = report.results
    assert result.status == "fail" and result.gaps == (failed,) and not report.complete
    # The management-only needs ignore a member's failing read.
    found.not_visible = [NotVisible("iam", "list_users", "Throttling", "rate exceeded", PROD, None, "failed")]
    assert {r.check.id: r.status for r in run_audit(AuditContext(found), only={"LZ-MGT-002"}).results} == {
        "LZ-MGT-002": "pass"}


def test_an_unreadable_organization_is_not_a_missing_one() -> None:
    found = Discovery(options=DiscoveryOptions(), caller_account_id=MGMT)
    found.not_visible = [NotVisible("organizations", "describe_organization", "ServiceUnavailableException",
                                    "try again", MGMT, None, "failed")]
    report = run_audit(AuditContext(found), only={"LZ-ORG-001"})
    assert report.findings == [] and [r.status for r in report.results] == ["not evaluated"]
