from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

import stacks
from landingzone.config import SecurityService
from landingzone.errors import StageError
from landingzone.plan import PlanMocks, run_program

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


# ---- default security groups of the default VPCs -----------------------------------------------------------------

DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
GET_VPCS = "aws:ec2/getVpcs:getVpcs"


class DefaultVpcMocks(PlanMocks):
    """Answers the default-VPC lookup the way an applied organization would: per provider (account) and region,
    with the given default VPC ids; a (provider, region) missing from ``vpcs`` has no default VPC."""

    def __init__(self, vpcs: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self.vpcs = vpcs
        self.calls: list[tuple[str, str, Any]] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        assert args.token == GET_VPCS, args.token
        provider = args.provider.split("::")[3]  # "<urn>::<id>": the urn's last part is the provider's name
        region = args.args["region"]
        self.calls.append((provider, region, args.args["filters"]))
        found = self.vpcs.get((provider, region))
        return {"ids": [found] if found else [], "id": region, "region": region}, []


def test_default_groups_closed_in_every_default_vpc_and_skipped_where_there_is_none() -> None:
    cfg = config("medium")
    providers = ["management"] + [f"account-{a.name}" for a in cfg.accounts]
    vpcs = {(p, r): f"vpc-{i}{j}" for i, p in enumerate(providers) for j, r in enumerate(cfg.governed_regions)}
    # One account deleted its default VPC in one region, the management account in the other.
    del vpcs[(f"account-{cfg.accounts[0].name}", "us-west-2")]
    del vpcs[("management", "us-east-1")]
    mocks = DefaultVpcMocks(vpcs)
    ctx = stacks.StageContext(config=cfg, upstream={"organization": applied_organization(cfg)})
    run = run_program(stacks.stage("security").program, ctx, stack="s", preview=False, mocks=mocks)

    # Every account (management included) was asked, in every governed region, for its default VPC only.
    assert sorted((p, r) for p, r, _ in mocks.calls) == sorted(
        (p, r) for p in providers for r in cfg.governed_regions)
    assert all(f == [{"name": "is-default", "values": ["true"]}] for _, _, f in mocks.calls)
    groups = [r for r in run.resources if r.type == DEFAULT_SG]
    assert {(g.provider, g.inputs["region"], g.inputs["vpcId"]) for g in groups} == {
        (p, r, vpc) for (p, r), vpc in vpcs.items()}
    assert len(groups) == len(vpcs) == len(providers) * len(cfg.governed_regions) - 2
    for group in groups:
        # No rule arguments at all: the provider strips every rule AWS put in the group.
        assert {"vpcId", "region"} <= set(group.inputs) <= {"vpcId", "region", "revokeRulesOnDelete"}
        assert group.name == f"default-sg-{group.provider}-{group.inputs['region']}"
    closed = run.outputs["closed_default_security_groups"]
    assert closed["management"]["us-east-1"] is None and closed["management"]["us-west-2"]
    first = closed[f"account-{cfg.accounts[0].name}"]
    assert first["us-east-1"] and first["us-west-2"] is None


def test_preview_of_new_accounts_shows_default_groups_known_after_apply() -> None:
    cfg = config("medium")
    plan = run_stage("security", cfg, upstream={})  # the plan's mocks answer the lookup like an unknown account
    groups = plan.of_type(DEFAULT_SG)
    assert len(groups) == (1 + len(cfg.accounts)) * len(cfg.governed_regions)
    assert {g.inputs["vpcId"] for g in groups} == {"(known after apply)"}
    assert {(g.provider, g.inputs["region"]) for g in groups} == {
        (p, r) for p in ["management"] + [f"account-{a.name}" for a in cfg.accounts] for r in cfg.governed_regions}


def test_default_groups_left_alone_when_configured_so() -> None:
    cfg = config("medium", close_default_security_groups=False)
    mocks = DefaultVpcMocks({})
    ctx = stacks.StageContext(config=cfg, upstream={"organization": applied_organization(cfg)})
    run = run_program(stacks.stage("security").program, ctx, stack="s", mocks=mocks)
    assert mocks.calls == []
    assert [r for r in run.resources if r.type == DEFAULT_SG] == []
    assert run.outputs["closed_default_security_groups"] == {}


class RefusingMocks(DefaultVpcMocks):
    """An account that cannot be read in one region (an opt-in region not enabled for it, say)."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if args.provider.split("::")[3] == "account-production" and args.args["region"] == "us-west-2":
            # as the engine reports a failed data-source call to the SDK
            return {}, [("region", "UnauthorizedOperation: the region is not enabled for this account")]
        return super().call(args)


def test_unreadable_region_fails_the_stage() -> None:
    """The provider's error reaches the engine as the program's failure (the orchestrator then adds the fixes:
    tests/unit/test_orchestrator_events.py)."""
    cfg = config("medium")
    ctx = stacks.StageContext(config=cfg, upstream={"organization": applied_organization(cfg)})
    with pytest.raises(Exception, match="getVpcs.*UnauthorizedOperation"):
        run_program(stacks.stage("security").program, ctx, stack="s", preview=False, mocks=RefusingMocks({}))
