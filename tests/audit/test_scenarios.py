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
from tests.audit.helpers import MOTO_GAPS, audit_moto, discover_moto
from tests.audit.moto_org import BREAKS, build_organization

SCENARIOS: dict[str, set[str]] = {
    "feature-set-billing": {"LZ-ORG-001"},
    "ebs-encryption-off": {"LZ-BAS-001"},
    "no-account-bpa": {"LZ-BAS-002"},
    "no-development-account": {"LZ-ORG-002"},
    "prod-dev-same-ou": {"LZ-ORG-003"},
    "prod-at-root": {"LZ-ORG-004"},
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
    "workload-ou-without-scps": {"LZ-GRD-002"},
    "missing-admin-role": {"LZ-IAM-001"},
    "unprotected-admin-roles": {"LZ-IAM-002"},
    "seed-example-protection": {"LZ-IAM-004"},
    "ssh-from-internet": {"LZ-NET-001"},
    "rdp-from-ipv6-internet": {"LZ-NET-002"},
    "internal-cidr-rule": {"LZ-NET-003"},
    "aws-default-sg": {"LZ-NET-004"},
}


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

    report = run_audit(AuditContext(found))
    assert [(f.id, f.issue.message) for f in report.findings] == []
    # The same with account kinds taken from the medium preset (its account names are the organization's).
    from_config = run_audit(AuditContext.from_config(found, preset("medium")))
    assert from_config.findings == []
    # Every check ran (none skipped as not applicable) except the access-role failure check, which passes, and the
    # IMDS-defaults check: moto has no GetInstanceMetadataDefaults (MOTO_GAPS), so it has nothing to judge here
    # (tests/engine/test_provision_then_audit.py runs it against what stage baseline set).
    assert {r.check.id for r in report.results if r.status == "pass"} == {c.id for c in checks()} - {"LZ-BAS-003"}
    assert {r.check.id for r in report.results if r.status == "n/a"} == {"LZ-BAS-003"}
    assert all(score.score == 100 for score in report.scores())


@pytest.mark.parametrize("broken", sorted(SCENARIOS))
def test_one_broken_practice_gives_exactly_its_finding(fresh_moto: str, broken: str) -> None:
    build_organization(fresh_moto, [broken])
    report = audit_moto(fresh_moto)
    assert report.finding_ids == SCENARIOS[broken], [(f.id, f.issue.message) for f in report.findings]
    failed = [s for s in report.scores() if s.failed]
    assert failed and all(s.score is not None and s.score < 100 for s in failed)
