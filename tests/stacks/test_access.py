"""Stages access and management_access under mocks: permission sets and their policies, groups, assignments by
OU, the management account reached only by break-glass and only from the management account, one provider."""

from __future__ import annotations

import json
from typing import Any

import pytest

from landingzone.config import LandingZoneConfig, validate_config
from landingzone.errors import StageError
from landingzone.plan import KNOWN_AFTER_APPLY
from landingzone.presets import identity_center_data, preset_data

from .helpers import MANAGEMENT_ID, applied_organization, run_stage

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
STORE = "d-1234567890"
ASSIGNMENT = "aws:ssoadmin/accountAssignment:AccountAssignment"
PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet"
PROVIDER = "pulumi:providers:aws"


def access_config(*, extra_accounts: int = 0, **changes: Any) -> LandingZoneConfig:
    data = preset_data("medium")
    data["accounts"] += [{"name": f"app-{i:04d}", "email": f"app-{i:04d}@example.com", "kind": "workload",
                          "ou": "Workloads/Prod"} for i in range(extra_accounts)]
    section = identity_center_data(data)
    section.update(instance_arn=INSTANCE, identity_store_id=STORE)
    section.update(changes)
    data["identity_center"] = section
    return validate_config(data)


def upstream(cfg: LandingZoneConfig) -> dict[str, Any]:
    return {"organization": applied_organization(cfg)}


def targets_of(plan: Any, group: str, permission_set: str) -> set[str]:
    return {r.inputs["targetId"] for r in plan.of_type(ASSIGNMENT)
            if r.name.startswith(f"assign-{group}-{permission_set}-")}


def test_one_provider_in_the_administering_account() -> None:
    cfg = access_config()
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    providers = plan.of_type(PROVIDER)
    assert [p.name for p in providers] == ["account-shared-services"]
    role = json.loads(providers[0].inputs["assumeRoles"])[0]["roleArn"]
    assert role == f"arn:aws:iam::{ids['shared-services']}:role/OrganizationAccountAccessRole"
    assert {r.provider for r in plan.resources if r.type != PROVIDER} == {"account-shared-services"}
    assert plan.outputs["administrator_account"] == "shared-services"


def test_permission_sets_from_the_library_with_their_policies() -> None:
    cfg = access_config()
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    sets = {r.inputs["name"]: r.inputs for r in plan.of_type(PERMISSION_SET)}
    # BreakGlass is assigned to the management account: stage management_access owns it.
    assert set(sets) == {"Administrator", "PowerUser", "ReadOnly", "SecurityAudit", "Billing"}
    assert sets["ReadOnly"]["sessionDuration"] == "PT8H"
    assert all(s["instanceArn"] == INSTANCE for s in sets.values())
    attached = {(r.name, r.inputs["managedPolicyArn"])
                for r in plan.of_type("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")}
    assert ("permission-set-Billing-job-function/Billing", "arn:aws:iam::aws:policy/job-function/Billing") in attached
    assert ("permission-set-SecurityAudit-SecurityAudit", "arn:aws:iam::aws:policy/SecurityAudit") in attached


def test_custom_permission_set_inline_customer_managed_and_boundary() -> None:
    custom = {"name": "Deployer", "description": "CI deployments", "session_duration": "PT1H30M",
              "managed_policies": ["arn:aws:iam::aws:policy/PowerUserAccess"],
              "customer_managed_policies": [{"name": "deploy-extra", "path": "/landingzone/"}],
              "inline_policy": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]},
              "permissions_boundary": {"customer_managed_policy": {"name": "boundary"}}}
    base = identity_center_data(preset_data("medium"))
    cfg = access_config(permission_sets=[*base["permission_sets"], custom],
                        assignments=[*base["assignments"],
                                     {"group": "Developers", "permission_set": "Deployer", "targets": ["production"]}])
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    pset = plan.named("permission-set-Deployer")
    assert pset.inputs["sessionDuration"] == "PT1H30M" and pset.inputs["description"] == "CI deployments"
    cmp = plan.named("permission-set-Deployer-customer-/landingzone/deploy-extra")
    assert cmp.inputs["customerManagedPolicyReference"] == {"name": "deploy-extra", "path": "/landingzone/"}
    inline = plan.named("permission-set-Deployer-inline")
    assert json.loads(inline.inputs["inlinePolicy"])["Statement"][0]["Action"] == "iam:CreateUser"
    boundary = plan.named("permission-set-Deployer-boundary")
    assert boundary.inputs["permissionsBoundary"] == {
        "customerManagedPolicyReference": {"name": "boundary", "path": "/"}}
    ids = applied_organization(cfg)["account_ids"]
    assert targets_of(plan, "Developers", "Deployer") == {ids["production"]}


def test_ou_targets_expand_to_their_accounts_and_root_to_every_member() -> None:
    cfg = access_config()
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    # Workloads/NonProd and Sandbox: development only (Sandbox holds no account in the medium preset).
    assert targets_of(plan, "Developers", "PowerUser") == {ids["development"]}
    assert targets_of(plan, "Developers", "ReadOnly") == {ids["production"]}
    assert targets_of(plan, "Platform-Admins", "Administrator") == set(ids.values())
    assert MANAGEMENT_ID not in {r.inputs["targetId"] for r in plan.of_type(ASSIGNMENT)}
    for res in plan.of_type(ASSIGNMENT):
        assert res.inputs["principalType"] == "GROUP" and res.inputs["targetType"] == "AWS_ACCOUNT"
    # A created group's id is what the assignment names.
    group = plan.named("group-Developers")
    assert group.inputs == {"displayName": "Developers", "description": "Application developers",
                            "identityStoreId": STORE}
    assert plan.outputs["assignment_count"] == len(plan.of_type(ASSIGNMENT))


def test_an_ou_target_follows_nested_ous() -> None:
    cfg = access_config(assignments=[{"group": "Developers", "permission_set": "ReadOnly", "targets": ["Workloads"]}],
                        break_glass_group=None)
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    assert targets_of(plan, "Developers", "ReadOnly") == {ids["production"], ids["development"]}


def test_management_account_only_for_break_glass_and_only_from_the_management_account() -> None:
    cfg = access_config()
    ids = applied_organization(cfg)["account_ids"]
    group_ids = {"BreakGlass": "group-bg"}
    plan = run_stage("management_access", cfg,
                     upstream={**upstream(cfg), "access": {"group_ids": group_ids}})
    assert [p.name for p in plan.of_type(PROVIDER)] == ["management"]
    assert [r.inputs["name"] for r in plan.of_type(PERMISSION_SET)] == ["BreakGlass"]
    assignments = plan.of_type(ASSIGNMENT)
    assert {r.inputs["principalId"] for r in assignments} == {"group-bg"}
    assert {r.inputs["targetId"] for r in assignments} == {MANAGEMENT_ID, *ids.values()}
    assert plan.named("permission-set-BreakGlass").inputs["sessionDuration"] == "PT1H"


def test_no_management_assignment_leaves_management_access_empty() -> None:
    base = identity_center_data(preset_data("medium"))
    cfg = access_config(assignments=[a for a in base["assignments"] if a["group"] != "BreakGlass"])
    plan = run_stage("management_access", cfg, upstream=upstream(cfg))
    assert plan.resources == [] and plan.outputs == {"assignment_count": 0}


def test_external_groups_are_looked_up_never_created() -> None:
    base = identity_center_data(preset_data("medium"))
    groups = [{**g, "external": True} if g["name"] == "Developers" else g for g in base["groups"]]
    cfg = access_config(groups=groups)
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    assert "group-Developers" not in {r.name for r in plan.resources}
    assert plan.named("group-Platform-Admins").type == "aws:identitystore/group:Group"
    # Offline the lookup answers nothing: the assignments show the group as known after apply.
    dev = [r for r in plan.of_type(ASSIGNMENT) if r.name.startswith("assign-Developers-")]
    assert dev and all(r.inputs["principalId"] == KNOWN_AFTER_APPLY for r in dev)


def test_instance_unknown_in_a_preview_and_an_error_in_an_apply() -> None:
    cfg = access_config(instance_arn=None, identity_store_id=None)
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    assert plan.of_type(PERMISSION_SET)  # every resource still shows, its instance known after apply
    with pytest.raises(StageError, match="enable IAM Identity Center"):
        run_stage("access", cfg, upstream=upstream(cfg), preview=False)


def test_the_security_stage_delegates_identity_center_to_its_administrator() -> None:
    cfg = access_config()
    ids = applied_organization(cfg)["account_ids"]
    plan = run_stage("security", cfg)
    sso = plan.named("delegated-admin-sso")
    assert sso.inputs == {"accountId": ids["shared-services"], "servicePrincipal": "sso.amazonaws.com"}
    assert sso.provider == "management"


def test_one_provider_for_a_thousand_accounts() -> None:
    """1,000 accounts, every one reached by an assignment: still one provider (engine: one plugin process)."""
    cfg = access_config(extra_accounts=995, permission_sets=[{"name": "ReadOnly", "preset": "ReadOnly"}],
                        groups=[{"name": "Everyone"}], break_glass_group=None,
                        assignments=[{"group": "Everyone", "permission_set": "ReadOnly", "targets": ["Root"]}])
    assert len(cfg.accounts) == 1000
    plan = run_stage("access", cfg, upstream=upstream(cfg))
    assert len(plan.of_type(PROVIDER)) == 1
    assert len(plan.of_type(ASSIGNMENT)) == 1000
    assert len({r.inputs["targetId"] for r in plan.of_type(ASSIGNMENT)}) == 1000


def test_the_access_stages_are_planned_only_when_configured() -> None:
    from landingzone.plan import plan
    from landingzone.presets import preset

    assert not {p.stage for p in plan(preset("medium"), workers=1)} & {"access", "management_access"}
    base = identity_center_data(preset_data("medium"))
    cfg = access_config(assignments=[a for a in base["assignments"] if a["group"] != "BreakGlass"])
    assert [p.stage for p in plan(cfg, "access", workers=1)] == ["access"]
    assert plan(cfg, "management_access", workers=1) == []  # nothing assigned to the management account
    assert [p.stage for p in plan(access_config(), "management_access", workers=1)] == ["management_access"]


def test_identity_center_gets_trusted_access_in_the_organization() -> None:
    plan = run_stage("organization", access_config(), upstream={})
    principals = plan.named("organization").inputs["awsServiceAccessPrincipals"]
    assert "sso.amazonaws.com" in principals and principals == sorted(principals)
