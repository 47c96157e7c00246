from __future__ import annotations

import json

import pytest

import stacks
from landingzone.config import SecurityService
from landingzone.errors import StageError

from .helpers import applied_organization, config, run_stage

PROVIDER = "pulumi:providers:aws"


def test_cloudtrail_delegated_through_cloudtrail_and_the_rest_through_organizations() -> None:
    cfg = config("medium")
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("security", cfg)
    security_id = ids[cfg.security_account.name]
    trail_admin = plan.named("delegated-admin-cloudtrail")
    assert trail_admin.type == "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount"
    assert trail_admin.inputs == {"accountId": security_id}
    delegated = plan.of_type("aws:organizations/delegatedAdministrator:DelegatedAdministrator")
    expected = {s.service_principal for s in cfg.organization.security_services if s != SecurityService.CLOUDTRAIL}
    assert {d.inputs["servicePrincipal"] for d in delegated} == expected
    assert all(d.inputs["accountId"] == security_id and d.provider == "management" for d in delegated)
    assert "cloudtrail.amazonaws.com" not in {d.inputs["servicePrincipal"] for d in delegated}
    assert plan.outputs["delegated_services"][0] == "cloudtrail.amazonaws.com"


def test_preview_before_organization_is_applied_shows_unknowns() -> None:
    cfg = config("medium")
    plan = run_stage("security", cfg, upstream={})
    assert plan.named("delegated-admin-cloudtrail").inputs["accountId"] == "(known after apply)"


def test_up_without_applied_organization_is_refused() -> None:
    cfg = config("small")
    with pytest.raises(StageError, match="stage 'organization' was never applied"):
        run_stage("security", cfg, upstream={}, preview=False)


def test_endpoint_override_reaches_every_provider() -> None:
    cfg = config("small", aws={"endpoint": "http://127.0.0.1:5000"})
    plan = run_stage("security", cfg)
    providers = plan.of_type(PROVIDER)
    assert len(providers) == 1
    for provider in providers:
        endpoints = provider.inputs["endpoints"]
        assert isinstance(endpoints, str)  # the provider schema serializes nested config as JSON
        (services,) = json.loads(endpoints)
        assert set(services.values()) == {"http://127.0.0.1:5000"}
        assert {"organizations", "sts", "iam", "s3", "cloudtrail", "ec2", "kms"} <= set(services)
        assert provider.inputs["skipCredentialsValidation"] in (True, "true")


def test_security_holds_management_account_resources_only() -> None:
    """What every account gets moved to stage baseline: security keeps one provider, the management account's."""
    cfg = config("large")
    plan = run_stage("security", cfg)
    assert [p.name for p in plan.of_type(PROVIDER)] == ["management"]
    assert {r.provider for r in plan.resources if r.type != PROVIDER} == {"management"}
    assert not {r.type for r in plan.resources} & set(stacks.security.MOVED_TO_BASELINE)
    assert set(plan.outputs) == {"delegated_services"}
