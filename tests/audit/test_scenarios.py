"""The audit against organizations built in a moto server: one built to every practice gives zero findings;
each scenario breaks one practice and must give exactly the expected finding ids, no extras.

Default security groups: these tests rely on moto creating each default group with an allow-all egress rule and
no ingress rule (AWS adds a self-referencing ingress rule). The builder removes every rule from every default
group, as one must on AWS, and the ``aws-default-sg`` scenario re-adds the self-referencing ingress rule AWS
creates, expecting LZ-NET-004. See tests/audit/moto_org.py.
"""

from __future__ import annotations

import pytest

from landingzone.audit import checks
from landingzone.discovery import DiscoveryProgress
from landingzone.presets import preset
from tests.audit.helpers import MOTO_GAPS, audit_context, audit_moto, discover_moto
from tests.audit.moto_org import BREAKS, build_organization

SCENARIOS: dict[str, set[str]] = {
    "feature-set-billing": {"LZ-ORG-001"},
    "ebs-encryption-off": {"LZ-BAS-001"},
    "no-account-bpa": {"LZ-BAS-002"},
    "imds-optional": {"LZ-BAS-003"},
    "no-development-account": {"LZ-ORG-002"},
    "prod-dev-same-ou": {"LZ-ORG-003"},
    "prod-at-root": {"LZ-ORG-004", "LZ-REG-001"},  # at the root, the Workloads OU's region deny misses it
    "mgmt-workload": {"LZ-MGT-001"},
    "mgmt-iam-users": {"LZ-MGT-002"},
    "no-cloudtrail-admin": {"LZ-DEL-001"},
    "guardduty-to-production": {"LZ-DEL-002"},
    "no-org-trail": {"LZ-LOG-001"},
    "single-region-trail": {"LZ-LOG-002"},
    "trail-stopped": {"LZ-LOG-003"},
    "no-log-validation": {"LZ-LOG-004"},
    "no-kms": {"LZ-LOG-005"},
    "public-trail-bucket": {"LZ-LOG-006"},
    "no-access-logging": {"LZ-LOG-007"},
    "no-query-layer": {"LZ-LOG-008"},
    "workload-ou-without-scps": {"LZ-GRD-002", "LZ-REG-001"},  # no SCP beyond FullAWSAccess: no region deny
    "missing-admin-role": {"LZ-IAM-001"},
    "unprotected-admin-roles": {"LZ-IAM-002"},
    "example-only-protection": {"LZ-IAM-004"},
    "ssh-from-internet": {"LZ-NET-001"},
    "rdp-from-ipv6-internet": {"LZ-NET-002"},
    "internal-cidr-rule": {"LZ-NET-003"},
    "aws-default-sg": {"LZ-NET-004"},
    "no-security-contact": {"LZ-GOV-001"},
    "no-root-sessions": {"LZ-ROOT-001"},
    "guardduty-auto-enable-off": {"LZ-SVC-001"},
    "guardduty-plan-off": {"LZ-SVC-002"},
    "securityhub-not-auto-enabled": {"LZ-SVC-003"},
    "no-finding-aggregator": {"LZ-SVC-004"},
    "no-config-aggregator": {"LZ-SVC-005"},
    "no-access-analyzer": {"LZ-SVC-006"},
    "no-findings-route": {"LZ-SVC-008"},
    "config-recorder-stopped": {"LZ-SVC-009"},
    # SCPs off: nothing protects the admin roles nor keeps workloads in the governed regions either.
    "scps-disabled": {"LZ-GRD-001", "LZ-IAM-002", "LZ-REG-001"},
    "no-root-mfa": {"LZ-MGT-004"},
    "root-access-keys": {"LZ-MGT-005"},
    "trail-write-only": {"LZ-LOG-009"},
    "trail-bucket-unversioned": {"LZ-LOG-010"},
    "trail-bucket-allows-http": {"LZ-LOG-011"},
    "trail-key-not-rotated": {"LZ-LOG-012"},
    "no-region-deny": {"LZ-REG-001"},
    "nacl-open-admin-ports": {"LZ-NET-005"},
    "mgmt-data-and-api-workloads": {"LZ-MGT-001"},
    "udp-rdp-from-internet": {"LZ-NET-001"},
    "internal-wide-private-range": {"LZ-NET-003"},
    "internal-private-outside-vpcs": {"LZ-NET-003"},
    "no-identity-center": {"LZ-IDC-001"},
    "member-iam-user": {"LZ-IDC-002"},
    "mgmt-assignment": {"LZ-IDC-003"},
}

MOTO_INCOMPLETE = {"no-query-layer"}
"""Without a Glue table, LZ-LOG-008 also needs the CloudTrail Lake event data stores, which moto cannot list: the
finding stands (no table) and the audit says it is incomplete (a Lake store might exist)."""

MESSAGES: dict[str, tuple[str, ...]] = {
    "mgmt-data-and-api-workloads": ("1 s3", "1 dynamodb", "1 apigateway", "1 elb"),
    "udp-rdp-from-internet": ("udp 3389",),
    "internal-wide-private-range": ("172.16.0.0/12 to tcp 5432 (overlaps VPC range 172.31.0.0/16 (wider than it))",
                                    "reference the source's group instead (", "app sg-"),
    "internal-private-outside-vpcs": ("10.20.0.0/16 to tcp 5432 (private address space 10.0.0.0/8 outside every VPC",),
    "trail-write-only": ("does not record read management events",),
    "nacl-open-admin-ports": ("tcp 22 from 0.0.0.0/0 (rule 100)", "udp 3389 from 0.0.0.0/0"),
    "config-recorder-stopped": ("AWS Config's recorder 'default' in ", "(us-east-1) is not recording"),
}
"""What the finding must say, beyond its id."""


def test_every_break_has_a_scenario() -> None:
    assert set(SCENARIOS) == BREAKS


def test_well_built_organization_has_no_findings(fresh_moto: str) -> None:
    built = build_organization(fresh_moto)
    progress: list[DiscoveryProgress] = []
    found = discover_moto(fresh_moto, on_progress=progress.append)
    # Progress: each step, then every account read, counted up to the total.
    assert [p.step for p in progress][:2] == ["organization", "service control policies"]
    assert [(p.done, p.total) for p in progress if p.step == "accounts"][-1] == (6, 6)  # 5 members + management
    # Discovery saw the whole organization, through the access role in every member account.
    assert found.organization is not None and found.organization.id == built.organization_id
    assert {a.id for a in found.member_accounts()} == set(built.account_ids.values())
    assert all(view.visible for view in found.account_views.values())
    assert {ou.path for ou in found.ous} == {"Security", "Infrastructure", "Workloads", "Workloads/Prod",
                                            "Workloads/NonProd", "Sandbox"}
    assert {(n.service, n.operation) for n in found.not_visible} == MOTO_GAPS

    from landingzone.audit import run_audit
    from landingzone.audit.model import AuditContext

    report = run_audit(audit_context(found))
    assert [(f.id, f.issue.message) for f in report.findings] == []
    assert report.complete and report.missing_reads == [] and report.not_evaluated == []
    # The same with account kinds taken from the medium preset (its account names are the organization's).
    from_config = run_audit(AuditContext.from_config(found, preset("medium")))
    assert from_config.findings == []
    # Every check ran (none skipped as not applicable, none left not evaluated) and passed.
    assert {r.check.id for r in report.results if r.status == "pass"} == {c.id for c in checks()}
    assert all(score.score == 100 for score in report.scores())


@pytest.mark.parametrize("broken", sorted(SCENARIOS))
def test_one_broken_practice_gives_exactly_its_finding(fresh_moto: str, broken: str) -> None:
    build_organization(fresh_moto, [broken])
    report = audit_moto(fresh_moto)
    assert report.finding_ids == SCENARIOS[broken], [(f.id, f.issue.message) for f in report.findings]
    if broken in MOTO_INCOMPLETE:
        assert [n.read for n in report.missing_reads] == ["cloudtrail:list_event_data_stores"]
    else:
        assert report.complete, [str(n) for n in report.missing_reads]
    said = " | ".join(f.issue.message for f in report.findings)
    for expected in MESSAGES.get(broken, ()):
        assert expected in said, said
    failed = [s for s in report.scores() if s.failed]
    assert failed and all(s.score is not None and s.score < 100 for s in failed)
