"""Stage security_services under mocks: every service's security-relevant inputs, the one provider, the regions, and
the designations stage security makes for it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from landingzone.errors import ConfigError
from landingzone.plan import PlannedResource, StagePlan

from .helpers import applied_organization, config, principals, run_stage, statements

PROVIDER = "pulumi:providers:aws"


def services(**changes: Any) -> dict[str, Any]:
    return {"security_services": changes}


def by_region(plan: StagePlan, type_: str) -> dict[str, PlannedResource]:
    return {r.inputs["region"]: r for r in plan.of_type(type_)}


def test_one_provider_the_security_account_and_every_resource_through_it() -> None:
    cfg = config("medium")
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("security_services", cfg)
    (provider,) = plan.of_type(PROVIDER)
    assert json.loads(provider.inputs["assumeRoles"])[0]["roleArn"] == (
        f"arn:aws:iam::{ids[cfg.security_account.name]}:role/OrganizationAccountAccessRole")
    assert {r.provider for r in plan.resources if r.type != PROVIDER} == {provider.name}
    # Regional resources name their region (pulumi-aws 7), none relies on the provider's.
    assert all(r.inputs.get("region") in cfg.governed_regions for r in plan.resources
               if r.type not in (PROVIDER,) and not r.type.startswith("aws:iam/"))


def test_guardduty_detector_and_auto_enable_all_in_every_governed_region() -> None:
    cfg = config("medium")
    plan = run_stage("security_services", cfg)
    detectors = by_region(plan, "aws:guardduty/detector:Detector")
    assert set(detectors) == set(cfg.governed_regions) and len(cfg.governed_regions) == 2
    assert all(d.inputs["enable"] is True for d in detectors.values())
    orgs = by_region(plan, "aws:guardduty/organizationConfiguration:OrganizationConfiguration")
    assert {r: o.inputs["autoEnableOrganizationMembers"] for r, o in orgs.items()} == {
        r: "ALL" for r in cfg.governed_regions}
    features = plan.of_type("aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature")
    plans = {p.value for p in cfg.security_services.guardduty.protection_plans}
    assert {(f.inputs["region"], f.inputs["name"]) for f in features} == {
        (r, p) for r in cfg.governed_regions for p in plans}
    assert {f.inputs["autoEnable"] for f in features} == {"ALL"}
    assert "RUNTIME_MONITORING" not in plans  # priced per vCPU: opt-in
    own = plan.of_type("aws:guardduty/detectorFeature:DetectorFeature")
    assert {(f.inputs["region"], f.inputs["name"], f.inputs["status"]) for f in own} == {
        (r, p, "ENABLED") for r in cfg.governed_regions for p in plans}


def test_guardduty_runtime_monitoring_manages_its_agents() -> None:
    cfg = config("medium", **services(guardduty={"protection_plans": ["RUNTIME_MONITORING"]}))
    plan = run_stage("security_services", cfg)
    (feature, _) = plan.of_type("aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature")
    assert feature.inputs["name"] == "RUNTIME_MONITORING"
    assert {c["name"]: c["autoEnable"] for c in feature.inputs["additionalConfigurations"]} == {
        "EKS_ADDON_MANAGEMENT": "ALL", "ECS_FARGATE_AGENT_MANAGEMENT": "ALL", "EC2_AGENT_MANAGEMENT": "ALL"}


def test_security_hub_central_configuration_from_the_home_region_on_the_root() -> None:
    cfg = config("medium")
    org = applied_organization(cfg)
    plan = run_stage("security_services", cfg)
    aggregator = plan.named("securityhub-aggregator")
    assert aggregator.inputs["region"] == cfg.home_region
    assert aggregator.inputs["linkingMode"] == "SPECIFIED_REGIONS"
    assert aggregator.inputs["specifiedRegions"] == [r for r in cfg.governed_regions if r != cfg.home_region]
    central = plan.named("securityhub-organization")
    assert central.inputs["organizationConfiguration"] == {"configurationType": "CENTRAL"}
    assert central.inputs["autoEnable"] is False and central.inputs["autoEnableStandards"] == "NONE"
    assert "securityhub-aggregator" in central.dependencies
    policy = plan.named("securityhub-policy").inputs["configurationPolicy"]
    assert policy["serviceEnabled"] is True
    assert policy["enabledStandardArns"] == [
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0"]
    assert policy["securityControlsConfiguration"] == {"disabledControlIdentifiers": []}
    association = plan.named("securityhub-policy-root")
    assert association.inputs["targetId"] == org["root_id"]
    assert "securityhub-organization" in plan.named("securityhub-policy").dependencies


def test_security_hub_in_one_region_links_none() -> None:
    cfg = config("medium", governed_regions=["us-east-1"])
    aggregator = run_stage("security_services", cfg).named("securityhub-aggregator")
    assert aggregator.inputs["linkingMode"] == "NO_REGIONS" and not aggregator.inputs.get("specifiedRegions")


def test_config_organization_aggregator_with_its_service_role() -> None:
    cfg = config("medium")
    security_id = applied_organization(cfg)["account_ids"][cfg.security_account.name]
    plan = run_stage("security_services", cfg)
    aggregator = plan.named("config-aggregator")
    source = aggregator.inputs["organizationAggregationSource"]
    assert source["allRegions"] is False and source["regions"] == cfg.governed_regions
    assert aggregator.inputs["region"] == cfg.home_region
    role = plan.named("config-aggregator-role")
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert principals(trust) == ["config.amazonaws.com"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": security_id}}
    assert plan.named("config-aggregator-role-policy").inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations")


def test_access_analyzer_per_region_and_unused_access_only_when_asked() -> None:
    plan = run_stage("security_services", config("medium"))
    analyzers = plan.of_type("aws:accessanalyzer/analyzer:Analyzer")
    assert {(a.inputs["region"], a.inputs["type"]) for a in analyzers} == {
        ("us-east-1", "ORGANIZATION"), ("us-west-2", "ORGANIZATION")}
    cfg = config("medium", **services(access_analyzer={"unused_access": True, "unused_access_days": 45}))
    unused = run_stage("security_services", cfg).named("access-analyzer-unused")
    assert unused.inputs["type"] == "ORGANIZATION_UNUSED_ACCESS" and unused.inputs["region"] == "us-east-1"
    assert unused.inputs["configuration"] == {"unusedAccess": {"unusedAccessAge": 45}}


def test_costly_services_off_by_default_and_on_when_chosen() -> None:
    default = run_stage("security_services", config("medium"))
    assert not [r for r in default.resources if r.type.split(":")[1].split("/")[0] in
                ("inspector2", "macie2", "detective")]
    cfg = config("medium", organization={"security_services": [
        "guardduty", "securityhub", "config", "access-analyzer", "inspector", "macie", "detective"]},
        **services(inspector={"enabled": True, "resource_types": ["EC2", "LAMBDA_CODE"]},
                   macie={"enabled": True}, detective={"enabled": True}))
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("security_services", cfg)
    inspector = by_region(plan, "aws:inspector2/organizationConfiguration:OrganizationConfiguration")
    assert set(inspector) == set(cfg.governed_regions)
    assert inspector["us-east-1"].inputs["autoEnable"] == {"ec2": True, "ecr": False, "lambda": False,
                                                           "lambdaCode": True}
    enabler = by_region(plan, "aws:inspector2/enabler:Enabler")["us-west-2"]
    # The Security account and every member there already (auto-enable covers the ones that join later).
    assert enabler.inputs["accountIds"] == [ids[cfg.security_account.name]] + [
        ids[a.name] for a in cfg.accounts if a.name != cfg.security_account.name]
    assert enabler.inputs["resourceTypes"] == ["EC2", "LAMBDA_CODE"]
    macie = by_region(plan, "aws:macie2/organizationConfiguration:OrganizationConfiguration")
    assert {m.inputs["autoEnable"] for m in macie.values()} == {True} and set(macie) == set(cfg.governed_regions)
    detective = by_region(plan, "aws:detective/organizationConfiguration:OrganizationConfiguration")
    assert {d.inputs["autoEnable"] for d in detective.values()} == {True}
    members = {a.name for a in cfg.accounts} - {cfg.security_account.name}
    for token, key in (("aws:macie2/member:Member", "email"), ("aws:detective/member:Member", "emailAddress")):
        found = plan.of_type(token)
        assert {(m.inputs["region"], m.inputs["accountId"]) for m in found} == {
            (r, ids[n]) for r in cfg.governed_regions for n in members}, token
        assert {m.inputs[key] for m in found} == {cfg.account(n).email for n in members}
    # Stage security designates the Security account for each, in each region, after the Organizations delegation.
    security = run_stage("security", cfg)
    for token, key in (("aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount", "accountId"),
                       ("aws:macie2/organizationAdminAccount:OrganizationAdminAccount", "adminAccountId"),
                       ("aws:detective/organizationAdminAccount:OrganizationAdminAccount", "accountId"),
                       ("aws:guardduty/organizationAdminAccount:OrganizationAdminAccount", "adminAccountId")):
        found = by_region(security, token)
        assert set(found) == set(cfg.governed_regions), token
        assert {r.inputs[key] for r in found.values()} == {ids[cfg.security_account.name]}
        assert all(r.provider == "management" and "delegated-admin-cloudtrail" not in r.dependencies
                   and any(d.startswith("delegated-admin-") for d in r.dependencies) for r in found.values())
    (hub_admin,) = security.of_type("aws:securityhub/organizationAdminAccount:OrganizationAdminAccount")
    assert hub_admin.inputs["region"] == cfg.home_region


def test_findings_topic_encrypted_published_to_only_by_eventbridge_of_the_security_account() -> None:
    cfg = config("medium", **services(notifications={"email": ["soc@example.com"],
                                                     "https": ["https://hooks.example.com/findings"]}))
    security_id = applied_organization(cfg)["account_ids"][cfg.security_account.name]
    plan = run_stage("security_services", cfg)
    topic = plan.named("findings-topic")
    # Encrypted with the stage's own key (its ARN is known after apply).
    assert topic.inputs["kmsMasterKeyId"] and "findings-topic-key" in topic.dependencies
    key_policy = statements(plan.named("findings-topic-key").inputs["policy"])
    assert plan.named("findings-topic-key").inputs["enableKeyRotation"] is True
    events = [s for s in key_policy if principals(s) == ["events.amazonaws.com"]]
    assert events and all(s["Condition"] == {"StringEquals": {"aws:SourceAccount": security_id}} for s in events)
    policy = statements(plan.named("findings-topic-policy").inputs["policy"])
    publishers = [s for s in policy if s["Effect"] == "Allow" and "sns:Publish" in json.dumps(s["Action"])]
    assert [principals(s) for s in publishers] == [["events.amazonaws.com"]]
    assert publishers[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": security_id}
    (deny,) = [s for s in policy if s["Effect"] == "Deny"]
    assert deny["Action"] == "sns:Publish" and principals(deny) == ["*"]
    assert deny["Condition"] == {"StringNotEquals": {"aws:PrincipalServiceName": "events.amazonaws.com"}}
    subs = {(s.inputs["protocol"], s.inputs["endpoint"]) for s in plan.of_type(
        "aws:sns/topicSubscription:TopicSubscription")}
    assert subs == {("email", "soc@example.com"), ("https", "https://hooks.example.com/findings")}


def test_budget_alerts_of_the_management_account_may_publish_when_governance_sends_them() -> None:
    # Stage governance sends budget alerts to the topic (budgets.*.notify_security_topic, on by default): AWS
    # Budgets of the management account, and no other account's, may publish and encrypt; the deny excepts it.
    cfg = config("medium", governance={"budgets": {"default": {"monthly_limit_usd": 100, "emails": [
        "finance@example.com"]}}})
    organization = applied_organization(cfg)
    security_id = organization["account_ids"][cfg.security_account.name]
    plan = run_stage("security_services", cfg)
    policy = statements(plan.named("findings-topic-policy").inputs["policy"])
    publishers = {principals(s)[0]: s for s in policy if s["Effect"] == "Allow" and "sns:Publish" in json.dumps(
        s["Action"])}
    assert set(publishers) == {"events.amazonaws.com", "budgets.amazonaws.com"}
    assert publishers["budgets.amazonaws.com"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": organization["management_account_id"]}}
    assert publishers["events.amazonaws.com"]["Condition"]["StringEquals"] == {"aws:SourceAccount": security_id}
    (deny,) = [s for s in policy if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"StringNotEquals": {"aws:PrincipalServiceName": [
        "events.amazonaws.com", "budgets.amazonaws.com"]}}
    key_policy = statements(plan.named("findings-topic-key").inputs["policy"])
    budgets = [s for s in key_policy if principals(s) == ["budgets.amazonaws.com"]]
    assert [s["Condition"] for s in budgets] == [
        {"StringEquals": {"aws:SourceAccount": organization["management_account_id"]}}]
    # Without budgets that alert the topic, Budgets gets nothing (the medium preset: see the test above).
    quiet = config("medium", governance={"budgets": {"default": {"monthly_limit_usd": 100, "emails": [
        "finance@example.com"], "notify_security_topic": False}}})
    policy = statements(run_stage("security_services", quiet).named("findings-topic-policy").inputs["policy"])
    assert "budgets.amazonaws.com" not in json.dumps(policy)


def test_rules_forward_findings_at_or_above_the_chosen_severity() -> None:
    plan = run_stage("security_services", config("medium"))
    hub = json.loads(plan.named("securityhub-findings").inputs["eventPattern"])
    assert hub["source"] == ["aws.securityhub"]
    assert hub["detail"]["findings"]["Severity"]["Label"] == ["HIGH", "CRITICAL"]
    guardduty = json.loads(plan.named("guardduty-findings").inputs["eventPattern"])
    assert guardduty["detail"]["severity"] == [{"numeric": [">=", 7]}]
    assert plan.named("guardduty-findings").inputs["region"] == "us-east-1"
    # The other governed region forwards to the home region's default bus, whose rule publishes to the topic.
    forward = plan.named("guardduty-findings-us-west-2-forward")
    assert forward.inputs["region"] == "us-west-2" and forward.inputs["arn"].endswith(":event-bus/default")
    assert ":us-east-1:" in forward.inputs["arn"] and forward.inputs["roleArn"]
    assert plan.named("securityhub-findings-topic").inputs["region"] == "us-east-1"
    medium = run_stage("security_services", config("medium", **services(
        notifications={"minimum_severity": "MEDIUM"})))
    labels = json.loads(medium.named("securityhub-findings").inputs["eventPattern"])["detail"]["findings"]
    assert labels["Severity"]["Label"] == ["MEDIUM", "HIGH", "CRITICAL"]
    assert medium.outputs["security_topic_arn"]


def test_a_service_turned_off_registers_nothing_for_it() -> None:
    cfg = config("medium", **services(guardduty={"enabled": False}, securityhub={"enabled": False}))
    plan = run_stage("security_services", cfg)
    assert not [r for r in plan.resources if "guardduty" in r.type or "securityhub" in r.type]
    assert not plan.of_type("aws:cloudwatch/eventRule:EventRule")
    assert plan.outputs["enabled_services"] == ["config", "access-analyzer"]


def test_a_service_left_out_of_the_delegations_follows_them_unless_turned_on() -> None:
    cfg = config("medium", organization={"security_services": ["guardduty"]})
    assert cfg.security_services.enabled_services() == ["guardduty"]
    with pytest.raises(ConfigError) as caught:
        config("medium", organization={"security_services": ["guardduty"]},
               **services(securityhub={"enabled": True}))
    (problem,) = caught.value.problems
    assert problem.path == "security_services.securityhub.enabled"
    assert "organization.security_services" in problem.message


def test_every_type_the_stages_register_is_emulated() -> None:
    """The engine tests run these programs on the emulated plugin: it must know every type they register."""
    import sys
    from pathlib import Path

    emulator = str(Path(__file__).resolve().parents[1] / "emulator")
    sys.path.insert(0, emulator)
    try:
        import guardduty_securityhub  # noqa: F401
        import notifications  # noqa: F401
        import resources
        import security_services  # noqa: F401
    finally:
        sys.path.remove(emulator)
    cfg = config("medium", organization={"security_services": [
        "guardduty", "securityhub", "config", "access-analyzer", "inspector", "macie", "detective"]},
        **services(inspector={"enabled": True}, macie={"enabled": True}, detective={"enabled": True},
                   access_analyzer={"unused_access": True}, notifications={"email": ["soc@example.com"]}))
    registered = {r.type for stage in ("security", "security_services") for r in run_stage(stage, cfg).resources}
    assert registered - {PROVIDER} - set(resources.HANDLERS) == set()
