"""The security services checks (LZ-SVC-*) fed with discovered data directly: each gives its finding for what is
wrong and nothing for what is right or unseen (in particular what moto cannot show: Security Hub's central
configuration and aggregators, IAM Access Analyzer, Macie and Detective)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from landingzone.audit import run_audit
from landingzone.audit.model import AuditContext, AuditSettings
from landingzone.discovery import AccountInfo, Discovery, DiscoveryOptions, OrganizationInfo, RootInfo
from landingzone.discovery.model import AccountView, ConfigRecorderInfo
from landingzone.discovery.services import (
    ACCESS_ANALYZER,
    CONFIG,
    DETECTIVE,
    GUARDDUTY,
    INSPECTOR,
    MACIE,
    SECURITYHUB,
    AggregatorInfo,
    AnalyzerInfo,
    GuardDutyRegion,
    RuleInfo,
    SecurityHubView,
    SecurityServicesView,
    TopicInfo,
)
from landingzone.presets import preset

MGMT, SEC, PROD = "111111111111", "222222222222", "333333333333"
REGIONS = ("us-east-1", "eu-west-1")
PLANS = AuditSettings().guardduty_protection_plans
FSBP = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS = "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0"
TOPIC = f"arn:aws:sns:us-east-1:{SEC}:findings"


def well_built() -> SecurityServicesView:
    return SecurityServicesView(
        admins={p: SEC for p in (GUARDDUTY, SECURITYHUB, CONFIG, ACCESS_ANALYZER)},
        guardduty={r: GuardDutyRegion(r, f"det-{r}", True, "ALL", dict.fromkeys(PLANS, "ALL")) for r in REGIONS},
        securityhub=SecurityHubView("us-east-1", "CENTRAL", False, ("us-east-1", "eu-west-1"),
                                    {"p-1": (True, (FSBP, CIS))}, "p-1", True),
        config_aggregators=[AggregatorInfo("organization", "arn:agg", True, False, REGIONS)],
        analyzers={r: [AnalyzerInfo(r, "org", "ORGANIZATION", "ACTIVE")] for r in REGIONS},
        topics=[TopicInfo(TOPIC, "arn:aws:kms:key", "{}", 1)],
        rules=[RuleInfo("us-east-1", "hub", '{"source":["aws.securityhub"]}', True, (TOPIC,)),
               RuleInfo("us-east-1", "gd", '{"source":["aws.guardduty"]}', True, (TOPIC,))])


def discovery(view: SecurityServicesView) -> Discovery:
    found = Discovery(options=DiscoveryOptions(home_region="us-east-1", regions=REGIONS), caller_account_id=MGMT)
    found.organization = OrganizationInfo("o-abcdefghij", "arn:org", "ALL", MGMT, "m@example.com")
    found.roots = [RootInfo("r-ab12", "Root", ("SERVICE_CONTROL_POLICY",))]
    found.accounts = [AccountInfo(MGMT, "management", "m@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(SEC, "security", "s@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(PROD, "production", "p@example.com", "ACTIVE", "r-ab12", "Root")]
    found.security_services = view
    # AWS Config records in every account and region (stage baseline): IAM's global types in the home region.
    for account in (MGMT, SEC, PROD):
        found.account_views[account] = AccountView(account, config_recorders={
            r: ConfigRecorderInfo("default", True, True, r == "us-east-1", "lz-config-444444444444")
            for r in REGIONS})
    return found


def findings(view: SecurityServicesView, settings: AuditSettings | None = None,
             found: Discovery | None = None) -> list[tuple[str, str | None]]:
    ctx = AuditContext(found or discovery(view), settings=settings)
    report = run_audit(ctx, only={c for c in _svc_ids()})
    return sorted(((f.id, f.issue.region) for f in report.findings), key=lambda p: (p[0], p[1] or ""))


def _svc_ids() -> set[str]:
    from landingzone.audit import checks

    return {c.id for c in checks() if c.family == "security_services"}


def test_well_built_services_have_no_findings_and_every_check_ran() -> None:
    assert findings(well_built()) == []
    report = run_audit(AuditContext(discovery(well_built())), only=_svc_ids())
    assert {r.check.id: r.status for r in report.results} == {c: "pass" for c in _svc_ids()}


def test_guardduty_delegated_but_not_auto_enabled_in_one_region() -> None:
    view = well_built()
    assert view.guardduty is not None
    view.guardduty["eu-west-1"] = replace(view.guardduty["eu-west-1"], auto_enable="NEW", members={})
    assert findings(view) == [("LZ-SVC-001", "eu-west-1")]
    # ... unless every member is enabled by hand (the administrator itself is not its own member).
    view.guardduty["eu-west-1"] = replace(view.guardduty["eu-west-1"], members={PROD: "Enabled"})
    assert findings(view) == []


@pytest.mark.parametrize(("change", "expected"), [
    (dict(detector_id=None, detector_enabled=False), [("LZ-SVC-001", "us-east-1")]),
    (dict(detector_enabled=False), [("LZ-SVC-001", "us-east-1")]),
    (dict(features={p: "NEW" for p in PLANS}), [("LZ-SVC-002", "us-east-1")]),
    (dict(auto_enable=None, features={}), []),  # organization configuration not readable: not a finding
])
def test_guardduty_detector_and_plans(change: dict[str, object], expected: list[tuple[str, str]]) -> None:
    view = well_built()
    assert view.guardduty is not None
    view.guardduty["us-east-1"] = replace(view.guardduty["us-east-1"], **change)  # type: ignore[arg-type]
    assert findings(view) == expected


def test_no_delegated_administrator_means_not_on() -> None:
    view = well_built()
    del view.admins[GUARDDUTY]
    view.guardduty = None
    assert findings(view) == [("LZ-SVC-001", None)]


@pytest.mark.parametrize(("hub", "expected"), [
    (dict(root_policy=None), ["LZ-SVC-003"]),
    (dict(policies={"p-1": (False, ())}), ["LZ-SVC-003"]),
    (dict(policies={"p-1": (True, (FSBP,))}), ["LZ-SVC-003"]),  # CIS missing
    (dict(aggregator_regions=("us-east-1",)), ["LZ-SVC-004"]),
    (dict(aggregator_regions=()), ["LZ-SVC-004"]),
    (dict(aggregator_regions=("*",)), []),
    (dict(policies=None, associations_read=False, aggregator_regions=None), []),  # unseen (moto): no finding
    (dict(configuration_type="LOCAL", auto_enable=True), []),
    (dict(configuration_type="LOCAL", auto_enable=False, members={}), ["LZ-SVC-003"]),
])
def test_security_hub(hub: dict[str, object], expected: list[str]) -> None:
    view = well_built()
    assert view.securityhub is not None
    view.securityhub = replace(view.securityhub, **hub)  # type: ignore[arg-type]
    assert [f for f, _ in findings(view)] == expected


@pytest.mark.parametrize(("aggregators", "expected"), [
    ([AggregatorInfo("a", "arn", True, True, ())], []),
    ([AggregatorInfo("a", "arn", True, False, ("us-east-1",))], ["LZ-SVC-005"]),
    ([AggregatorInfo("a", "arn", False, True, ())], ["LZ-SVC-005"]),  # account aggregator, not organization
    ([], ["LZ-SVC-005"]),
])
def test_config_aggregator(aggregators: list[AggregatorInfo], expected: list[str]) -> None:
    view = well_built()
    view.config_aggregators = aggregators
    assert [f for f, _ in findings(view)] == expected


def test_access_analyzer_per_region() -> None:
    view = well_built()
    assert view.analyzers is not None
    view.analyzers["eu-west-1"] = [AnalyzerInfo("eu-west-1", "acct", "ACCOUNT", "ACTIVE")]
    assert findings(view) == [("LZ-SVC-006", "eu-west-1")]


def test_optional_services_only_when_chosen() -> None:
    view = well_built()
    view.inspector_auto_enable = {r: {"ec2": False, "ecr": False} for r in REGIONS}
    assert findings(view) == []  # not chosen: nothing expected of Inspector
    settings = AuditSettings(enabled_security_services=(
        "guardduty", "securityhub", "config", "access-analyzer", "inspector", "macie", "detective"))
    view.admins.update({INSPECTOR: SEC, MACIE: SEC})
    view.macie_auto_enable = {r: True for r in REGIONS}
    assert findings(view, settings) == [("LZ-SVC-007", None), ("LZ-SVC-007", "eu-west-1"),
                                        ("LZ-SVC-007", "us-east-1")]  # Detective has no admin; Inspector is off
    view.admins[DETECTIVE] = SEC
    view.detective_auto_enable = {r: True for r in REGIONS}
    view.inspector_auto_enable = {r: {"ec2": True} for r in REGIONS}
    assert findings(view, settings) == []


@pytest.mark.parametrize(("topics", "rules", "expected"), [
    ([TopicInfo(TOPIC, None, "{}", 1)], None, ["LZ-SVC-008"]),  # not encrypted
    ([TopicInfo(TOPIC, "k", "{}", 0)], None, ["LZ-SVC-008"]),  # nobody subscribed
    ([TopicInfo(TOPIC, "k", "{}", 1)], [], ["LZ-SVC-008", "LZ-SVC-008"]),  # no rules: both sources unrouted
    ([TopicInfo(TOPIC, "k", "{}", 1)], [RuleInfo("us-east-1", "x", '{"source":["aws.securityhub"]}', False,
                                                 (TOPIC,))], ["LZ-SVC-008", "LZ-SVC-008"]),  # disabled rule
    ([TopicInfo(TOPIC, "k", "{}", 1)], [RuleInfo("us-east-1", "x", '{"source":["aws.securityhub"]}', True,
                                                 (TOPIC,))], ["LZ-SVC-008"]),  # GuardDuty not routed
])
def test_findings_route(topics: list[TopicInfo], rules: list[RuleInfo] | None, expected: list[str]) -> None:
    view = well_built()
    view.topics = topics
    if rules is not None:
        view.rules = rules
    assert [f for f, _ in findings(view)] == expected


def test_expectations_come_from_the_configuration() -> None:
    cfg = preset("medium")
    ctx = AuditContext.from_config(discovery(well_built()), cfg)
    assert ctx.settings.enabled_security_services == ("guardduty", "securityhub", "config", "access-analyzer")
    assert ctx.settings.securityhub_standards == (
        "aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/5.0.0")
    off = cfg.model_copy(deep=True)
    off.security_services.guardduty.enabled = False
    view = well_built()
    view.guardduty = None
    del view.admins[GUARDDUTY]
    assert not [f for f in run_audit(AuditContext.from_config(discovery(view), off), only=_svc_ids()).findings]


@pytest.mark.parametrize(("recorder", "expected"), [
    (ConfigRecorderInfo(None, delivery_bucket="b"), "AWS Config has no configuration recorder in 333333333333 "
     "(eu-west-1)"),
    (ConfigRecorderInfo("default", False, True, False, "b"), "'default' in 333333333333 (eu-west-1) is not "
     "recording"),
    (ConfigRecorderInfo("default", True, False, False, "b"), "does not record all supported resource types"),
    (ConfigRecorderInfo("default", True, True, False, None), "has no delivery channel"),
])
def test_config_recording_in_every_account_and_region(recorder: ConfigRecorderInfo, expected: str) -> None:
    found = discovery(well_built())
    found.account_views[PROD].config_recorders["eu-west-1"] = recorder
    report = run_audit(AuditContext(found), only={"LZ-SVC-009"})
    assert [(f.id, f.issue.account_id, f.issue.region) for f in report.findings] == [
        ("LZ-SVC-009", PROD, "eu-west-1")]
    assert expected in report.findings[0].issue.message


def test_config_global_types_recorded_in_no_region() -> None:
    found = discovery(well_built())
    found.account_views[SEC].config_recorders["us-east-1"] = replace(
        found.account_views[SEC].config_recorders["us-east-1"], include_global=False)
    assert findings(well_built(), found=found) == [("LZ-SVC-009", "us-east-1")]
    # A region whose reads answered nothing is not judged (listed as not visible), nor is the global question.
    del found.account_views[SEC].config_recorders["eu-west-1"]
    assert findings(well_built(), found=found) == []


def test_config_recording_not_expected_when_config_is_off() -> None:
    found = discovery(well_built())
    found.account_views[PROD].config_recorders.clear()
    found.account_views[SEC].config_recorders = {r: ConfigRecorderInfo(None) for r in REGIONS}
    off = AuditSettings(enabled_security_services=("guardduty", "securityhub", "access-analyzer"))
    report = run_audit(AuditContext(found, settings=off), only={"LZ-SVC-009"})
    assert report.findings == [] and [r.status for r in report.results] == ["n/a"]
