"""Checks fed with discovered data directly (no AWS), check metadata, and refused reads recorded as data."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from landingzone.audit import AuditReport, CheckResult, checks, run_audit
from landingzone.audit.model import REGISTRY, AuditContext, Finding, Issue, Severity, guess_kind
from landingzone.config import AccountKind
from landingzone.discovery import (
    AccountInfo,
    AccountView,
    Discovery,
    DiscoveryOptions,
    OrganizationInfo,
    RootInfo,
    SecurityGroupInfo,
    SecurityGroupRule,
    VpcInfo,
)
from tests.audit.helpers import discover_moto
from tests.audit.moto_org import build_organization, shared_session


def _org(*groups: SecurityGroupInfo, vpcs: tuple[VpcInfo, ...] = ()) -> Discovery:
    found = Discovery(options=DiscoveryOptions(), caller_account_id="111111111111")
    found.organization = OrganizationInfo("o-abcdefghij", "arn:aws:organizations::111111111111:organization/o-x",
                                          "ALL", "111111111111", "m@example.com")
    found.roots = [RootInfo("r-ab12", "Root", ("SERVICE_CONTROL_POLICY",))]
    found.accounts = [AccountInfo("111111111111", "management", "m@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo("222222222222", "production", "p@example.com", "ACTIVE", "r-ab12", "Root")]
    view = AccountView("222222222222", security_groups=list(groups), vpcs=list(vpcs))
    found.account_views = {"222222222222": view}
    return found


def _ids(found: Discovery, *check_ids: str) -> list[str]:
    return [f.id for f in run_audit(AuditContext(found), only=set(check_ids)).findings]


def _group(*rules: SecurityGroupRule, name: str = "app") -> SecurityGroupInfo:
    return SecurityGroupInfo("222222222222", "us-east-1", "sg-0123", name, "vpc-1", rules)


@pytest.mark.parametrize(("rule", "expected"), [
    (SecurityGroupRule("ingress", "tcp", 22, 22, cidr_ipv4="0.0.0.0/0"), ["LZ-NET-001"]),
    (SecurityGroupRule("ingress", "-1", None, None, cidr_ipv4="0.0.0.0/0"), ["LZ-NET-001"]),  # all traffic
    (SecurityGroupRule("ingress", "tcp", 3000, 4000, cidr_ipv4="0.0.0.0/0"), ["LZ-NET-001"]),  # range has 3389
    (SecurityGroupRule("ingress", "tcp", 443, 443, cidr_ipv4="0.0.0.0/0"), []),
    (SecurityGroupRule("ingress", "udp", 22, 22, cidr_ipv4="0.0.0.0/0"), ["LZ-NET-001"]),  # CIS counts UDP too
    (SecurityGroupRule("ingress", "17", 3389, 3389, cidr_ipv4="0.0.0.0/0"), ["LZ-NET-001"]),
    (SecurityGroupRule("ingress", "icmp", -1, -1, cidr_ipv4="0.0.0.0/0"), []),
    (SecurityGroupRule("ingress", "udp", 53, 53, cidr_ipv4="0.0.0.0/0"), []),
    (SecurityGroupRule("ingress", "tcp", 22, 22, cidr_ipv4="203.0.113.0/24"), []),
    (SecurityGroupRule("egress", "tcp", 22, 22, cidr_ipv4="0.0.0.0/0"), []),
    (SecurityGroupRule("ingress", "tcp", 3389, 3389, cidr_ipv6="::/0"), ["LZ-NET-002"]),
])
def test_admin_ports(rule: SecurityGroupRule, expected: list[str]) -> None:
    assert _ids(_org(_group(rule)), "LZ-NET-001", "LZ-NET-002") == expected


@pytest.mark.parametrize(("cidr", "why"), [
    ("10.0.4.0/24", "inside VPC range 10.0.0.0/16"),
    ("10.0.0.0/8", "overlaps VPC range 10.0.0.0/16 (wider than it)"),  # wider than the VPC: still internal
    ("192.168.0.0/24", "private address space 192.168.0.0/16 outside every VPC"),  # peered or on-premises
    ("100.64.10.0/24", "private address space 100.64.0.0/10"),  # shared address space (RFC 6598)
    ("fd00:1::/64", "private address space fc00::/7"),
    ("2600:1f18:aa::/56", "inside VPC range 2600:1f18:aa::/56"),  # the VPC's own IPv6 block
    ("203.0.113.0/24", None),  # a public range outside every VPC: a partner, not internal
    ("0.0.0.0/0", None),  # the internet is not an internal range (LZ-NET-001 covers admin ports)
    ("::/0", None),
])
def test_internal_ranges(cidr: str, why: str | None) -> None:
    vpc = VpcInfo("222222222222", "us-east-1", "vpc-1", ("10.0.0.0/16", "2600:1f18:aa::/56"))
    v6 = ":" in cidr
    rule = SecurityGroupRule("ingress", "tcp", 5432, 5432, cidr_ipv6=cidr if v6 else None,
                             cidr_ipv4=None if v6 else cidr)
    web = SecurityGroupInfo("222222222222", "us-east-1", "sg-0456", "web", "vpc-1", ())
    report = run_audit(AuditContext(_org(_group(rule, name="db"), web, vpcs=(vpc,))), only={"LZ-NET-003"})
    if why is None:
        assert report.findings == []
        return
    (finding,) = report.findings
    assert f"{cidr} to tcp 5432 ({why}" in finding.issue.message
    assert "reference the source's group instead (web sg-0456 in vpc-1)" in finding.issue.message


def test_group_references_are_not_internal_ranges() -> None:
    vpc = VpcInfo("222222222222", "us-east-1", "vpc-1", ("10.0.0.0/16",))
    reference = _group(SecurityGroupRule("ingress", "tcp", 5432, 5432, referenced_group_id="sg-9"))
    egress = _group(SecurityGroupRule("egress", "tcp", 5432, 5432, cidr_ipv4="10.0.0.0/16"))
    assert _ids(_org(reference, egress, vpcs=(vpc,)), "LZ-NET-003") == []


def test_default_group_with_aws_self_reference_is_a_finding() -> None:
    self_ref = SecurityGroupRule("ingress", "-1", None, None, referenced_group_id="sg-0123")
    assert _ids(_org(_group(self_ref, name="default")), "LZ-NET-004") == ["LZ-NET-004"]
    assert _ids(_org(_group(name="default")), "LZ-NET-004") == []


def test_no_organization_is_one_finding_and_the_rest_not_applicable() -> None:
    found = Discovery(options=DiscoveryOptions(), caller_account_id="111111111111")
    report = run_audit(AuditContext(found))
    assert report.finding_ids == {"LZ-ORG-001"}
    assert {r.check.id for r in report.results if r.status != "n/a"} == {
        "LZ-ORG-001", "LZ-NET-001", "LZ-NET-002", "LZ-NET-003", "LZ-NET-004", "LZ-NET-005", "LZ-MGT-005"}


@pytest.mark.parametrize(("name", "kind"), [
    ("acme-prod", AccountKind.PRODUCTION), ("Production", AccountKind.PRODUCTION),
    ("acme-nonprod", AccountKind.DEVELOPMENT), ("dev", AccountKind.DEVELOPMENT),
    ("security", AccountKind.SECURITY), ("log-archive", AccountKind.LOG_ARCHIVE),
    ("shared-services", AccountKind.SHARED_SERVICES), ("sandbox-1", AccountKind.SANDBOX),
    ("payments", AccountKind.WORKLOAD), ("product-catalog", AccountKind.WORKLOAD),
])
def test_account_kind_from_name(name: str, kind: AccountKind) -> None:
    assert guess_kind(name) == kind


def test_cis_ids_match_the_checked_facts() -> None:
    """aws-facts.md: CloudTrail all regions 3.1/3.1/4.1; validation 3.2/3.2/4.2; bucket access logging 3.4/3.4/4.4;
    KMS 3.5/3.5/4.5; admin ports 0.0.0.0/0 5.2/5.3/6.3, ::/0 5.3/5.4/6.4; default SG 5.4/5.5/6.5; v7.0 2.1.3, 2.1.4,
    2.1.6."""
    expected = {
        "LZ-LOG-002": ("3.1", "3.1", "4.1"), "LZ-LOG-004": ("3.2", "3.2", "4.2"), "LZ-LOG-007": ("3.4", "3.4", "4.4"),
        "LZ-LOG-005": ("3.5", "3.5", "4.5"), "LZ-NET-001": ("5.2", "5.3", "6.3"), "LZ-NET-002": ("5.3", "5.4", "6.4"),
        "LZ-NET-004": ("5.4", "5.5", "6.5"), "LZ-MGT-001": (None, None, "2.1.3"),
        "LZ-ORG-003": (None, None, "2.1.4"), "LZ-DEL-001": (None, None, "2.1.6"), "LZ-DEL-002": (None, None, "2.1.6"),
        # Issue 13, from Prowler's CIS compliance files (v3.0, v5.0, v7.0).
        "LZ-LOG-003": ("3.1", "3.1", "4.1"), "LZ-LOG-009": ("3.1", "3.1", "4.1"),
        "LZ-GRD-001": (None, None, "2.1.2"), "LZ-GRD-002": (None, None, "2.1.2"), "LZ-IAM-002": (None, None, "2.1.2"),
        "LZ-IAM-004": (None, None, "2.1.2"), "LZ-REG-001": (None, None, "2.1.2"), "LZ-ORG-004": (None, None, "2.1.4"),
        "LZ-ROOT-001": (None, None, "2.1.1"), "LZ-MGT-004": ("1.5", "1.4", "2.5"), "LZ-MGT-005": ("1.4", "1.3", "2.4"),
        "LZ-LOG-011": ("2.1.1", "2.1.1", "3.1.1"), "LZ-LOG-012": ("3.6", "3.6", "4.6"),
        "LZ-NET-005": ("5.1", "5.2", "6.2"),
    }
    for check_id, (v3, v5, v7) in expected.items():
        cis = REGISTRY[check_id].cis
        assert (cis.v3, cis.v5, cis.v7) == (v3, v5, v7), check_id


def test_every_check_has_metadata() -> None:
    families = {"organization", "management", "delegation", "logging", "guardrails", "regions", "identity",
                "network", "governance", "security_services", "access", "account_baseline"}
    assert {c.family for c in checks()} == families
    for chk in checks():
        assert chk.rationale and chk.remediation and chk.nist and chk.title, chk.id
        family = chk.id.split("-")[1]  # three letters, or four (LZ-ROOT-001, the id docs/practices.md gives)
        assert len(family) in (3, 4) and chk.id == f"LZ-{family}-{chk.id[-3:]}", chk.id


def test_fail_on_threshold() -> None:
    low = next(c for c in checks() if c.severity == Severity.LOW)
    report = AuditReport((CheckResult(low, "fail", (Finding(low, Issue("sg-1", "x")),)),))
    assert report.fails(Severity.LOW)
    assert not report.fails(Severity.MEDIUM) and not report.fails(Severity.HIGH)


def _refuse(account_id: str) -> Any:
    """A before-call hook answering AssumeRole into one account with AccessDenied, as AWS does when the access
    role is missing or does not trust the caller. moto cannot: its AssumeRole succeeds for any role. This hook and
    the one in test_other_errors_are_raised_naming_the_read are the only mocked responses in the audit tests."""

    def handler(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if f"::{account_id}:" not in params["body"].get("RoleArn", ""):
            return None
        return (AWSResponse("https://sts.amazonaws.com/", 403, {}, None),
                {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform sts:AssumeRole"},
                 "ResponseMetadata": {"HTTPStatusCode": 403}})

    return handler


def test_refused_access_role_is_recorded_and_reported(fresh_moto: str) -> None:
    built = build_organization(fresh_moto)
    refused = built.account_ids["development"]
    session = shared_session()
    hook = _refuse(refused)
    session.events.register("before-call.sts.AssumeRole", hook)
    try:
        found = discover_moto(fresh_moto)
    finally:
        session.events.unregister("before-call.sts.AssumeRole", hook)
    assert not found.account_views[refused].visible
    assert [(n.account_id, n.service, n.operation, n.error_code) for n in found.not_visible
            if n.service == "sts"] == [(refused, "sts", "assume_role", "AccessDenied")]
    report = run_audit(AuditContext(found))
    # The unread account is reported as such, never counted as compliant nor as missing its admin role.
    assert [(f.id, f.issue.account_id) for f in report.findings] == [("LZ-IAM-003", refused)]


def test_other_errors_are_raised_naming_the_read(fresh_moto: str) -> None:
    """Only refusals become data: any other error stops discovery with the read that failed."""
    from landingzone.discovery import DiscoveryError

    build_organization(fresh_moto)
    session = shared_session()

    def invalid(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return (AWSResponse("https://iam.amazonaws.com/", 400, {}, None),
                {"Error": {"Code": "ValidationError", "Message": "bad path prefix"},
                 "ResponseMetadata": {"HTTPStatusCode": 400}})

    session.events.register("before-call.iam.ListRoles", invalid)
    try:
        with pytest.raises(DiscoveryError, match=r"iam:list_roles in \d{12}.*ValidationError: bad path prefix"):
            discover_moto(fresh_moto)
    finally:
        session.events.unregister("before-call.iam.ListRoles", invalid)
