from __future__ import annotations

import json

import pytest

from landingzone.config import SecurityService
from landingzone.errors import StageError

from .helpers import applied_organization, config, principals, run_stage

ROLE = "aws:iam/role:Role"
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


def test_admin_roles_under_org_admin_path_trusted_only_by_security_admins() -> None:
    cfg = config("medium")
    ids = applied_organization(cfg)["account_ids"]
    security_id = ids[cfg.security_account.name]
    plan = run_stage("security", cfg)
    roles = plan.of_type(ROLE)
    assert len(roles) == len(cfg.accounts) * len(cfg.org_admin.role_names)
    for role in roles:
        assert role.inputs["path"] == "/org-admin/"
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert len(trust["Statement"]) == 1
        (stmt,) = trust["Statement"]
        assert stmt["Effect"] == "Allow" and stmt["Action"] == "sts:AssumeRole"
        assert principals(stmt) == [f"arn:aws:iam::{security_id}:root"]
        assert stmt["Condition"] == {
            "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{security_id}:role/org-admin/*"}}
    # Each role is created in its own account, through a provider that assumes the access role there.
    for acct in cfg.accounts:
        role = plan.named(f"{acct.name}-LandingZoneAdministrator")
        assert role.provider == f"account-{acct.name}"
        provider = plan.named(f"account-{acct.name}")
        assert provider.type == PROVIDER
        # Provider configuration travels as JSON text for nested values.
        assert json.loads(provider.inputs["assumeRoles"])[0]["roleArn"] == (
            f"arn:aws:iam::{ids[acct.name]}:role/OrganizationAccountAccessRole")
        assert provider.inputs["region"] == cfg.home_region


def test_custom_org_admin_path_and_roles() -> None:
    cfg = config("small", org_admin={"path": "/platform/admin/", "role_names": ["Admin", "BreakGlass"]})
    plan = run_stage("security", cfg)
    roles = plan.of_type(ROLE)
    assert {r.inputs["name"] for r in roles} == {"Admin", "BreakGlass"}
    assert {r.inputs["path"] for r in roles} == {"/platform/admin/"}
    assert all("role/platform/admin/*" in r.inputs["assumeRolePolicy"] for r in roles)


def test_preview_before_organization_is_applied_shows_unknowns() -> None:
    cfg = config("medium")
    plan = run_stage("security", cfg, upstream={})
    role = plan.named("production-LandingZoneAdministrator")
    assert role.inputs["assumeRolePolicy"] == "(known after apply)"
    assert role.inputs["path"] == "/org-admin/"
    assert plan.named("delegated-admin-cloudtrail").inputs["accountId"] == "(known after apply)"


def test_up_without_applied_organization_is_refused() -> None:
    cfg = config("small")
    with pytest.raises(StageError, match="stage 'organization' was never applied"):
        run_stage("security", cfg, upstream={}, preview=False)


def test_endpoint_override_reaches_every_provider() -> None:
    cfg = config("small", aws={"endpoint": "http://127.0.0.1:5000"})
    plan = run_stage("security", cfg)
    providers = plan.of_type(PROVIDER)
    assert len(providers) == 1 + len(cfg.accounts)
    for provider in providers:
        endpoints = provider.inputs["endpoints"]
        assert isinstance(endpoints, str)  # the provider schema serializes nested config as JSON
        (services,) = json.loads(endpoints)
        assert set(services.values()) == {"http://127.0.0.1:5000"}
        assert {"organizations", "sts", "iam", "s3", "cloudtrail", "ec2", "kms"} <= set(services)
        assert provider.inputs["skipCredentialsValidation"] in (True, "true")
