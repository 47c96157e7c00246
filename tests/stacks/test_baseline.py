"""Stage baseline: one stack per account (members and management), each with that account's provider only.

The /org-admin/ role and default-group tests moved here with the resources (from test_security.py), checking the
same inputs per account stack."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

import stacks
from landingzone.config import MANAGEMENT_BASELINE, validate_config
from landingzone.errors import StageError
from landingzone.plan import PlanMocks, plan, run_program, stack_summary
from landingzone.presets import preset_data
from stacks.baseline import IMDS_HOP_LIMIT, PASSWORD_POLICY, baseline_accounts, iam_users_allowed

from .helpers import applied_organization, config, principals, run_stage

ROLE = "aws:iam/role:Role"
PROVIDER = "pulumi:providers:aws"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
GET_VPCS = "aws:ec2/getVpcs:getVpcs"
GET_ROLES = "aws:iam/getRoles:getRoles"
GET_NETWORK_ACLS = "aws:ec2/getNetworkAcls:getNetworkAcls"
EBS = "aws:ebs/encryptionByDefault:EncryptionByDefault"
EBS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"
ACCOUNT_BPA = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
IMDS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"
PASSWORD = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"


def test_one_stack_per_member_account_and_one_for_management() -> None:
    cfg = config("medium")
    assert baseline_accounts(cfg) == [MANAGEMENT_BASELINE, *(a.name for a in cfg.accounts)]
    assert stacks.stage("baseline").scope == "account"


def test_each_stack_holds_exactly_its_accounts_provider() -> None:
    cfg = config("medium")
    ids = applied_organization(cfg)["account_ids"]
    for account in baseline_accounts(cfg):
        result = run_stage("baseline", cfg, account=account)
        (provider,) = result.of_type(PROVIDER)
        if account == MANAGEMENT_BASELINE:
            assert provider.name == "management" and "assumeRoles" not in provider.inputs
        else:
            assert provider.name == f"account-{account}"
            assert json.loads(provider.inputs["assumeRoles"])[0]["roleArn"] == (
                f"arn:aws:iam::{ids[account]}:role/OrganizationAccountAccessRole")
        assert provider.inputs["region"] == cfg.home_region
        assert {r.provider for r in result.resources if r.type != PROVIDER} == {provider.name}


def test_admin_roles_under_org_admin_path_trusted_only_by_security_admins() -> None:
    cfg = config("medium")
    ids = applied_organization(cfg)["account_ids"]
    security_id = ids[cfg.security_account.name]
    for acct in cfg.accounts:
        result = run_stage("baseline", cfg, account=acct.name)
        roles = result.of_type(ROLE)
        assert len(roles) == len(cfg.org_admin.role_names)
        for role in roles:
            assert role.inputs["path"] == "/org-admin/"
            assert role.provider == f"account-{acct.name}"
            trust = json.loads(role.inputs["assumeRolePolicy"])
            (stmt,) = trust["Statement"]
            assert stmt["Effect"] == "Allow" and stmt["Action"] == "sts:AssumeRole"
            assert principals(stmt) == [f"arn:aws:iam::{security_id}:root"]
            assert stmt["Condition"] == {
                "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{security_id}:role/org-admin/*"}}
        # The names stage security used, so the upgrade's state move keeps every role as it is.
        assert result.named(f"{acct.name}-LandingZoneAdministrator").type == ROLE
        assert result.named(f"{acct.name}-LandingZoneAdministrator-AdministratorAccess").inputs["policyArn"] == (
            "arn:aws:iam::aws:policy/AdministratorAccess")
    assert run_stage("baseline", cfg, account=MANAGEMENT_BASELINE).of_type(ROLE) == []


def test_custom_org_admin_path_and_roles() -> None:
    cfg = config("small", org_admin={"path": "/platform/admin/", "role_names": ["Admin", "BreakGlass"]})
    roles = run_stage("baseline", cfg, account=cfg.accounts[0].name).of_type(ROLE)
    assert {r.inputs["name"] for r in roles} == {"Admin", "BreakGlass"}
    assert {r.inputs["path"] for r in roles} == {"/platform/admin/"}
    assert all("role/platform/admin/*" in r.inputs["assumeRolePolicy"] for r in roles)


def test_preview_before_organization_is_applied_shows_unknowns() -> None:
    cfg = config("medium")
    result = run_stage("baseline", cfg, upstream={}, account="production")
    role = result.named("production-LandingZoneAdministrator")
    assert role.inputs["assumeRolePolicy"] == "(known after apply)"
    assert role.inputs["path"] == "/org-admin/"


def test_up_without_applied_organization_is_refused() -> None:
    cfg = config("small")
    with pytest.raises(StageError, match="stage 'organization' was never applied"):
        run_stage("baseline", cfg, upstream={}, account=cfg.accounts[0].name, preview=False)


def test_hardening_in_every_governed_region_through_the_per_resource_region() -> None:
    cfg = config("medium")
    for account in (MANAGEMENT_BASELINE, "production"):
        result = run_stage("baseline", cfg, account=account)
        ebs = result.of_type(EBS)
        assert sorted(e.inputs["region"] for e in ebs) == sorted(cfg.governed_regions)
        assert all(e.inputs["enabled"] is True for e in ebs)
        assert result.of_type(EBS_KEY) == []  # the AWS managed key unless a key is named
        imds = result.of_type(IMDS)
        assert sorted(i.inputs["region"] for i in imds) == sorted(cfg.governed_regions)
        assert all(i.inputs["httpTokens"] == "required" and i.inputs["httpPutResponseHopLimit"] == IMDS_HOP_LIMIT
                   for i in imds)
        (bpa,) = result.of_type(ACCOUNT_BPA)
        assert {k: bpa.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                           "restrictPublicBuckets")} == dict.fromkeys(
            ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
        assert result.outputs["hardening"]["ebs_encryption_by_default"] == cfg.governed_regions


def test_default_kms_key_where_configured() -> None:
    key = "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    cfg = config("medium", baseline={"ebs_default_kms_keys": {"us-west-2": key}})
    (default_key,) = run_stage("baseline", cfg, account="production").of_type(EBS_KEY)
    assert default_key.inputs == {"keyArn": key, "region": "us-west-2"}


def test_every_switch_turns_its_part_off() -> None:
    off = {"org_admin_roles": False, "ebs_encryption_by_default": False, "s3_account_public_access_block": False,
           "imds_defaults": False, "password_policy": False, "deny_admin_ports_in_default_network_acls": False}
    cfg = config("medium", baseline=off, close_default_security_groups=False,
                 security_services={"config": {"enabled": False}})  # AWS Config's recorders: its own switch
    for account in (MANAGEMENT_BASELINE, "production"):
        result = run_stage("baseline", cfg, account=account)
        assert [r.type for r in result.resources] == [PROVIDER]
        assert result.outputs["hardening"] == {}


def test_password_policy_only_where_iam_users_are_allowed() -> None:
    cfg = config("large")  # deny-iam-users on Workloads/Prod
    prod = [a.name for a in cfg.accounts if a.ou.startswith("Workloads/Prod")]
    assert prod
    for account in baseline_accounts(cfg):
        allowed = iam_users_allowed(cfg, account)
        assert allowed == (account not in prod)
        policies = run_stage("baseline", cfg, account=account).of_type(PASSWORD)
        assert len(policies) == (1 if allowed else 0)
        for policy in policies:
            assert policy.inputs["minimumPasswordLength"] == PASSWORD_POLICY["minimum_password_length"] >= 14
            assert policy.inputs["passwordReusePrevention"] == 24
    assert iam_users_allowed(cfg, MANAGEMENT_BASELINE)  # no SCP applies to the management account
    on_root = config("medium", guardrails=[{"id": "deny-iam-users", "targets": ["Root"]}])
    assert [a for a in baseline_accounts(on_root) if iam_users_allowed(on_root, a)] == [MANAGEMENT_BASELINE]


def test_member_account_named_management_is_refused() -> None:
    data = preset_data("small")
    data["accounts"][-1]["name"] = MANAGEMENT_BASELINE
    with pytest.raises(Exception, match=r"accounts\[\d+\]\.name.*management account's baseline"):
        validate_config(data)


def test_kms_key_for_an_ungoverned_region_is_refused() -> None:
    key = "arn:aws:kms:ap-south-1:111111111111:key/1234abcd"
    with pytest.raises(Exception, match=r"baseline\.ebs_default_kms_keys\.ap-south-1"):
        config("medium", baseline={"ebs_default_kms_keys": {"ap-south-1": key}})


# ---- default security groups of the default VPCs -----------------------------------------------------------------


class DefaultVpcMocks(PlanMocks):
    """Answers the default-VPC lookup the way an applied organization would: per provider (account) and region,
    with the given default VPC ids; a (provider, region) missing from ``vpcs`` has no default VPC. The default
    network ACL lookup of such a VPC (stage baseline's deny entries) answers ``acl-<vpc id>``; those calls are
    kept apart, in ``acl_calls``."""

    def __init__(self, vpcs: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self.vpcs = vpcs
        self.calls: list[tuple[str, str, Any]] = []
        self.acl_calls: list[tuple[str, str, Any]] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if args.token == GET_ROLES:  # AWS Config's service-linked role (tests/stacks/test_config_recording.py)
            return {"arns": [], "names": []}, []
        provider = args.provider.split("::")[3]  # "<urn>::<id>": the urn's last part is the provider's name
        region = args.args["region"]
        if args.token == GET_NETWORK_ACLS:
            self.acl_calls.append((provider, region, args.args["filters"]))
            vpc = next(f["values"][0] for f in args.args["filters"] if f["name"] == "vpc-id")
            return {"ids": [f"acl-{vpc}"], "id": region, "region": region}, []
        assert args.token == GET_VPCS, args.token
        self.calls.append((provider, region, args.args["filters"]))
        found = self.vpcs.get((provider, region))
        return {"ids": [found] if found else [], "id": region, "region": region}, []


def _run(cfg: Any, account: str, mocks: PlanMocks, *, preview: bool = False) -> Any:
    upstream = {"organization": applied_organization(cfg), "logging": {"config_bucket": f"{cfg.name}-config-1"}}
    ctx = stacks.StageContext(config=cfg, upstream=upstream, account=account)
    return run_program(stacks.stage("baseline").program, ctx, stack=f"s-{account}", preview=preview, mocks=mocks)


def test_default_groups_closed_in_every_default_vpc_and_skipped_where_there_is_none() -> None:
    cfg = config("medium")
    providers = {a: "management" if a == MANAGEMENT_BASELINE else f"account-{a}" for a in baseline_accounts(cfg)}
    vpcs = {(p, r): f"vpc-{i}{j}" for i, p in enumerate(providers.values())
            for j, r in enumerate(cfg.governed_regions)}
    # One account deleted its default VPC in one region, the management account in the other.
    del vpcs[(f"account-{cfg.accounts[0].name}", "us-west-2")]
    del vpcs[("management", "us-east-1")]
    seen: list[tuple[str, str]] = []
    groups_seen = 0
    for account, provider in providers.items():
        mocks = DefaultVpcMocks(vpcs)
        run = _run(cfg, account, mocks)
        # Each account was asked, in every governed region, for its default VPC only, through its own provider.
        assert sorted((p, r) for p, r, _ in mocks.calls) == sorted((provider, r) for r in cfg.governed_regions)
        assert all(f == [{"name": "is-default", "values": ["true"]}] for _, _, f in mocks.calls)
        seen += [(p, r) for p, r, _ in mocks.calls]
        groups = [r for r in run.resources if r.type == DEFAULT_SG]
        groups_seen += len(groups)
        assert {(g.provider, g.inputs["region"], g.inputs["vpcId"]) for g in groups} == {
            (p, r, vpc) for (p, r), vpc in vpcs.items() if p == provider}
        for group in groups:
            # No rule arguments at all: the provider strips every rule AWS put in the group.
            assert {"vpcId", "region"} <= set(group.inputs) <= {"vpcId", "region", "revokeRulesOnDelete"}
            assert group.name == f"default-sg-{provider}-{group.inputs['region']}"  # security's names
        closed = run.outputs["closed_default_security_groups"]
        for region in cfg.governed_regions:
            assert (closed[region] is None) == ((provider, region) not in vpcs)
    assert groups_seen == len(vpcs) == len(providers) * len(cfg.governed_regions) - 2


def test_preview_of_new_accounts_shows_default_groups_known_after_apply() -> None:
    cfg = config("medium")
    result = run_stage("baseline", cfg, upstream={}, account="production")
    groups = result.of_type(DEFAULT_SG)
    assert len(groups) == len(cfg.governed_regions)
    assert {g.inputs["vpcId"] for g in groups} == {"(known after apply)"}


def test_default_groups_left_alone_when_configured_so() -> None:
    # (the network ACL entries off too: they look the default VPC up as well, tests/stacks/test_network_acls.py)
    cfg = config("medium", close_default_security_groups=False,
                 baseline={"deny_admin_ports_in_default_network_acls": False})
    mocks = DefaultVpcMocks({})
    run = _run(cfg, "production", mocks, preview=True)
    assert mocks.calls == []
    assert [r for r in run.resources if r.type == DEFAULT_SG] == []
    assert run.outputs["closed_default_security_groups"] == {}


class RefusingMocks(DefaultVpcMocks):
    """An account that cannot be read in one region (an opt-in region not enabled for it, say)."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if (args.token == GET_VPCS and args.provider.split("::")[3] == "account-production"
                and args.args["region"] == "us-west-2"):
            # as the engine reports a failed data-source call to the SDK
            return {}, [("region", "UnauthorizedOperation: the region is not enabled for this account")]
        return super().call(args)


def test_unreadable_region_fails_the_stack() -> None:
    """The provider's error reaches the engine as the program's failure (the orchestrator then adds the fixes:
    tests/unit/test_orchestrator_events.py)."""
    cfg = config("medium")
    with pytest.raises(Exception, match="getVpcs.*UnauthorizedOperation"):
        _run(cfg, "production", RefusingMocks({}))


# ---- the design rule over a large plan -------------------------------------------------------------------------


def sixty_accounts() -> Any:
    data = preset_data("medium")
    extra = [{"name": f"workload-{i:02d}", "email": f"workload-{i:02d}@example.com", "kind": "workload",
              "ou": "Workloads/NonProd"} for i in range(60 - len(data["accounts"]))]
    data["accounts"] = [*data["accounts"], *extra]
    data["network"] = [*data.get("network", []), *(
        {"account": a["name"], "vpc_cidr": "10.20.0.0/16",
         "roles": [{"name": "web"}, {"name": "app"}], "rules": [{"source": "web", "target": "app", "port": 8080}]}
        for a in extra[:10])]
    return validate_config(data)


def test_no_stack_of_a_sixty_account_plan_holds_more_than_two_providers() -> None:
    cfg = sixty_accounts()
    assert len(cfg.accounts) == 60
    plans = plan(cfg, workers=1)
    by_stage: dict[str, int] = {}
    for stack_plan in plans:
        providers = [r for r in stack_plan.resources if r.type == PROVIDER]
        assert len(providers) <= 2, (stack_plan.stack, [p.name for p in providers])
        by_stage[stack_plan.stage] = by_stage.get(stack_plan.stage, 0) + 1
    assert by_stage["baseline"] == 61  # every member account and the management account
    assert by_stage["network"] == len(cfg.network)
    # one stack per other stage; none for a stage the configuration gives nothing to do (Stage.applies: access)
    assert all(by_stage.get(s.name, 0) == (1 if s.applies is None or s.applies(cfg) else 0)
               for s in stacks.STAGES if s.scope != "account")
    summary = {s["stage"]: s for s in stack_summary(plans)}  # what `landingzone plan` prints
    assert summary["baseline"]["stacks"] == 61 and summary["baseline"]["max_providers"] == 1
    assert all(s["max_providers"] <= 2 for s in summary.values())
