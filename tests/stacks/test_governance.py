"""Stages governance and regions (and the organization stage's part of governance) under pulumi mocks: each
resource's inputs, one provider however many accounts."""

from __future__ import annotations

from typing import Any

import pytest

from landingzone.config import LandingZoneConfig, validate_config
from landingzone.config.governance import OPT_IN_REGIONS
from landingzone.presets import preset_data

from .helpers import applied_organization, config, run_stage

CONTACT = "aws:account/alternativeContact:AlternativeContact"
BUDGET = "aws:budgets/budget:Budget"
REGION = "aws:account/region:Region"
FEATURES = "aws:iam/organizationsFeatures:OrganizationsFeatures"
PROVIDER = "pulumi:providers:aws"

SECURITY = {"name": "Security team", "title": "Security", "email": "security@example.com", "phone": "+1 206 555 0100"}
OPERATIONS = {"name": "Ops", "title": "Operations", "email": "ops@example.com", "phone": "+1 206 555 0101"}
BILLING = {"name": "Finance", "title": "Billing", "email": "billing@example.com", "phone": "+1 206 555 0102"}


def governed(*, accounts: dict[str, dict[str, Any]] | None = None, suspended_ou: bool = False,
             extra: dict[str, Any] | None = None, **governance: Any) -> LandingZoneConfig:
    """The medium preset with these governance settings, some accounts' fields changed (by account name), a
    Suspended OU, and other top-level fields."""
    data = preset_data("medium")
    data["governance"] = governance
    for acct in data["accounts"]:
        acct.update((accounts or {}).get(acct["name"], {}))
    if suspended_ou:
        data["organizational_units"].append({"name": "Suspended"})
        data["guardrails"].append({"id": "deny-all-suspended", "targets": ["Suspended"]})
        retired = {name for name, fields in (accounts or {}).items() if fields.get("state") == "suspended"}
        data["network"] = [n for n in data["network"] if n["account"] not in retired]
    data.update(extra or {})
    return validate_config(data)


def test_centralized_root_access_on_by_default_through_the_management_provider() -> None:
    cfg = config("medium")
    plan = run_stage("governance", cfg)
    (features,) = plan.of_type(FEATURES)
    assert features.inputs == {"enabledFeatures": ["RootCredentialsManagement", "RootSessions"]}
    assert features.provider == "management"
    assert plan.outputs["root_features"] == ["RootCredentialsManagement", "RootSessions"]


def test_root_access_off_registers_no_features() -> None:
    plan = run_stage("governance", governed(root_access={"centralized": False}))
    assert plan.of_type(FEATURES) == []
    assert plan.outputs["root_features"] == []


def test_alternate_contacts_on_every_account_with_per_account_overrides() -> None:
    own_security = {**SECURITY, "name": "Prod on-call", "email": "prod-oncall@example.com"}
    cfg = governed(alternate_contacts={"security": SECURITY, "billing": BILLING},
                   accounts={"production": {"alternate_contacts": {"security": own_security,
                                                                   "operations": OPERATIONS}}})
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("governance", cfg)
    contacts = plan.of_type(CONTACT)
    by_name = {c.name: c for c in contacts}
    # Management account (no account id: its own) and every member, security and billing each.
    assert by_name["contact-management-security"].inputs == {
        "alternateContactType": "SECURITY", "name": "Security team", "title": "Security",
        "emailAddress": "security@example.com", "phoneNumber": "+1 206 555 0100"}
    for acct in cfg.accounts:
        security = by_name[f"contact-{acct.name}-security"].inputs
        assert security["accountId"] == ids[acct.name]
        expected = "prod-oncall@example.com" if acct.name == "production" else "security@example.com"
        assert security["emailAddress"] == expected
        assert by_name[f"contact-{acct.name}-billing"].inputs["emailAddress"] == "billing@example.com"
    # Operations only where an account sets it.
    assert [c.name for c in contacts if c.inputs["alternateContactType"] == "OPERATIONS"] == [
        "contact-production-operations"]
    assert len(contacts) == 2 * (len(cfg.accounts) + 1) + 1
    assert {c.provider for c in contacts} == {"management"}
    assert plan.outputs["alternate_contacts"]["production"] == ["SECURITY", "OPERATIONS", "BILLING"]


def test_budgets_default_per_ou_and_per_account_with_linked_account_filter() -> None:
    cfg = governed(budgets={
        "default": {"monthly_limit_usd": 100, "emails": ["finance@example.com"]},
        "by_ou": {"Workloads": {"monthly_limit_usd": 5000, "emails": ["workloads@example.com"],
                                "alerts": [{"percent": 50}, {"percent": 90, "kind": "forecasted"}]}},
    }, accounts={"development": {"budget": {"monthly_limit_usd": 250.5, "emails": ["dev@example.com"]}}})
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("governance", cfg)
    budgets = {b.name: b.inputs for b in plan.of_type(BUDGET)}
    assert set(budgets) == {f"budget-{a.name}" for a in cfg.accounts}
    prod = budgets["budget-production"]  # Workloads/Prod: the nearest OU with a budget is Workloads
    assert prod["name"] == "acme-landing-zone-production-monthly"
    assert (prod["budgetType"], prod["timeUnit"], prod["limitAmount"], prod["limitUnit"]) == (
        "COST", "MONTHLY", "5000.00", "USD")
    assert prod["costFilters"] == [{"name": "LinkedAccount", "values": [ids["production"]]}]
    assert prod["notifications"] == [
        {"comparisonOperator": "GREATER_THAN", "notificationType": "ACTUAL", "threshold": 50,
         "thresholdType": "PERCENTAGE", "subscriberEmailAddresses": ["workloads@example.com"]},
        {"comparisonOperator": "GREATER_THAN", "notificationType": "FORECASTED", "threshold": 90,
         "thresholdType": "PERCENTAGE", "subscriberEmailAddresses": ["workloads@example.com"]},
    ]
    assert budgets["budget-development"]["limitAmount"] == "250.50"  # its own budget beats the OU's
    assert budgets["budget-security"]["limitAmount"] == "100.00"  # Security OU: the default
    # The default alerts: 80% actual and 100% forecasted.
    assert [(n["notificationType"], n["threshold"]) for n in budgets["budget-security"]["notifications"]] == [
        ("ACTUAL", 80), ("FORECASTED", 100)]
    assert plan.outputs["budgets"]["production"] == "acme-landing-zone-production-monthly"


def test_budget_alerts_go_to_the_security_topic_when_stage_security_services_exports_it() -> None:
    cfg = governed(budgets={"default": {"monthly_limit_usd": 100, "emails": ["finance@example.com"]}})
    topic = "arn:aws:sns:us-east-1:300000000000:acme-security-alerts"
    upstream = {"organization": applied_organization(cfg), "security_services": {"security_topic_arn": topic}}
    plan = run_stage("governance", cfg, upstream=upstream)
    for budget in plan.of_type(BUDGET):
        for note in budget.inputs["notifications"]:
            assert note["subscriberSnsTopicArns"] == [topic]
            assert note["subscriberEmailAddresses"] == ["finance@example.com"]
    # Without that stage (or with notify_security_topic off) the addresses only.
    plain = run_stage("governance", cfg)
    assert all("subscriberSnsTopicArns" not in n for b in plain.of_type(BUDGET) for n in b.inputs["notifications"])


def test_a_suspended_account_gets_no_budget_but_keeps_its_contacts() -> None:
    cfg = governed(alternate_contacts={"security": SECURITY},
                   budgets={"default": {"monthly_limit_usd": 100, "emails": ["finance@example.com"]}},
                   accounts={"development": {"state": "suspended"}}, suspended_ou=True)
    plan = run_stage("governance", cfg)
    assert "budget-development" not in {b.name for b in plan.of_type(BUDGET)}
    assert "contact-development-security" in {c.name for c in plan.of_type(CONTACT)}


def test_one_provider_for_every_account() -> None:
    workloads = [{"name": f"workload-{i}", "email": f"w{i}@example.com", "kind": "workload", "ou": "Workloads/Prod"}
                 for i in range(40)]
    cfg = governed(alternate_contacts={"security": SECURITY},
                   budgets={"default": {"monthly_limit_usd": 10, "emails": ["f@example.com"]}},
                   extra={"accounts": [*preset_data("medium")["accounts"], *workloads],
                          "governed_regions": ["us-east-1", "eu-south-1"]})
    for stage in ("governance", "regions"):
        plan = run_stage(stage, cfg)
        assert [r.name for r in plan.of_type(PROVIDER)] == ["management"]
        assert {r.provider for r in plan.resources if r.type != PROVIDER} == {"management"}
    assert len(run_stage("governance", cfg).of_type(BUDGET)) == len(cfg.accounts)


def test_opt_in_governed_regions_are_enabled_in_every_account() -> None:
    cfg = config("medium", governed_regions=["us-east-1", "eu-south-1", "af-south-1"])
    assert {"eu-south-1", "af-south-1"} <= OPT_IN_REGIONS and "us-east-1" not in OPT_IN_REGIONS
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("regions", cfg)
    regions = {r.name: r.inputs for r in plan.of_type(REGION)}
    assert regions["region-management-eu-south-1"] == {"regionName": "eu-south-1", "enabled": True}
    for acct in cfg.accounts:
        for region in ("eu-south-1", "af-south-1"):
            assert regions[f"region-{acct.name}-{region}"] == {
                "accountId": ids[acct.name], "regionName": region, "enabled": True}
    assert len(regions) == 2 * (len(cfg.accounts) + 1)
    assert plan.outputs["enabled_regions"]["production"] == ["eu-south-1", "af-south-1"]


@pytest.mark.parametrize("regions", [["us-east-1", "us-west-2"], ["us-east-1", "eu-south-1"]])
def test_no_region_resources_without_opt_in_regions_or_when_switched_off(regions: list[str]) -> None:
    cfg = governed(enable_opt_in_regions="eu-south-1" not in regions, extra={"governed_regions": regions})
    assert run_stage("regions", cfg).of_type(REGION) == []


def test_regions_stage_runs_before_every_stage_that_works_in_regions() -> None:
    import stacks

    names = [s.name for s in stacks.STAGES]
    assert names.index("regions") == names.index("organization") + 1
    for stage in stacks.STAGES:
        if stage.name not in ("organization", "regions", "guardrails", "governance"):
            assert "regions" in stage.depends_on, stage.name
    assert stacks.stage("governance").depends_on[0] == "organization"


def test_organization_trusts_iam_and_account_management_and_moves_suspended_accounts() -> None:
    cfg = governed(alternate_contacts={"security": SECURITY}, accounts={"development": {"state": "suspended"}},
                   suspended_ou=True)
    plan = run_stage("organization", cfg, upstream={})
    (org,) = plan.of_type("aws:organizations/organization:Organization")
    assert {"iam.amazonaws.com", "account.amazonaws.com"} <= set(org.inputs["awsServiceAccessPrincipals"])
    suspended_ou = plan.named("ou-Suspended")
    dev = plan.named("account-development")
    assert "ou-Suspended" in dev.dependencies and suspended_ou.inputs["name"] == "Suspended"
    assert "ou-Workloads/NonProd" not in dev.dependencies
    assert dev.protect and not dev.inputs["closeOnDeletion"]  # suspended, never closed


def test_trusted_access_stays_when_governance_is_switched_off() -> None:
    """The organization stage runs before governance: removing the trusted access first would make the removal of
    the features and contacts that need it fail, so it stays (it grants nothing the management account lacks)."""
    cfg = governed(root_access={"centralized": False}, extra={"governed_regions": ["us-east-1"]})
    plan = run_stage("organization", cfg, upstream={})
    (org,) = plan.of_type("aws:organizations/organization:Organization")
    assert {"iam.amazonaws.com", "account.amazonaws.com"} <= set(org.inputs["awsServiceAccessPrincipals"])
