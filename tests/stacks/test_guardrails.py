from __future__ import annotations

import json

import pytest

import stacks
from landingzone.config import LandingZoneConfig
from landingzone.errors import QuotaError
from landingzone.plan import PlanMocks, run_program
from landingzone.policies.catalog import default_catalog

from .helpers import applied_organization, config, run_stage

POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"


def _expected_target_ids(cfg: LandingZoneConfig) -> dict[str, str]:
    org = applied_organization(cfg)
    ids: dict[str, str] = {"Root": org["root_id"], **org["ou_ids"], **org["account_ids"]}
    return ids


PREFIX = {"SERVICE_CONTROL_POLICY": "scp-", "RESOURCE_CONTROL_POLICY": "rcp-",
          "DECLARATIVE_POLICY_EC2": "declarative-", "S3_POLICY": "s3policy-"}


def test_attachments_per_target_follow_the_configuration_for_every_policy_type() -> None:
    cfg = config("large")
    target_ids = _expected_target_ids(cfg)
    plan = run_stage("guardrails", cfg)
    types = plan.outputs["policy_types"]
    policies = {p.name.removeprefix(PREFIX[p.inputs["type"]]): p for p in plan.of_type(POLICY)}
    policy_ids = plan.outputs["policy_ids"]
    assert set(policies) == set(policy_ids) == set(types)
    attached: set[tuple[str, str]] = {
        (a.inputs["policyId"], a.inputs["targetId"]) for a in plan.of_type(ATTACHMENT)}
    expected = {(policy_ids[g.id], target_ids[t]) for g in cfg.guardrails for t in g.targets}
    assert attached == expected
    assert len(plan.of_type(ATTACHMENT)) == len(expected)  # no duplicate attachment
    for key, policy in policies.items():
        guard = default_catalog().get(key)
        assert policy.inputs["type"] == guard.policy_type == types[key]
        assert policy.name == f"{PREFIX[guard.policy_type]}{key}"
        assert policy.inputs["name"] == f"{cfg.name}-{key}"
        doc = json.loads(policy.inputs["content"])
        assert doc, key
        assert policy.inputs["content"] == json.dumps(doc, separators=(",", ":"))  # minified
        assert policy.provider == "management"
    assert set(types.values()) == {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "DECLARATIVE_POLICY_EC2",
                                   "S3_POLICY"}
    # The new types go where the preset puts them.
    assert {t for p, t in attached if p == policy_ids["rcp-protect-organization-trail"]} == {target_ids["Root"]}
    assert {t for p, t in attached if p == policy_ids["ec2-vpc-block-public-access"]} == {target_ids["Security"]}
    assert {t for p, t in attached if p == policy_ids["deny-all-suspended"]} == {target_ids["Suspended"]}
    assert json.loads(policies["s3-block-public-access"].inputs["content"]) == {
        "s3_attributes": {"public_access_block_configuration": {"@@assign": "all"}}}
    imds = json.loads(policies["ec2-declarative-baseline"].inputs["content"])
    assert imds["ec2_attributes"]["instance_metadata_defaults"]["http_tokens"] == {"@@assign": "required"}
    # Workloads/Prod gets deny-iam-users directly; Root gets the baseline.
    prod = target_ids["Workloads/Prod"]
    assert {p for p, t in attached if t == prod} == {policy_ids["deny-iam-users"]}


def test_rendered_content_matches_the_library() -> None:
    cfg = config("medium")
    plan = run_stage("guardrails", cfg)
    from landingzone.policies.catalog import RenderContext

    expected = default_catalog().render("deny-root-user", {}, RenderContext.from_config(cfg))
    assert plan.named("scp-deny-root-user").inputs["content"] == expected


def test_rcps_name_the_organization_the_organization_stage_created() -> None:
    cfg = config("medium")
    plan = run_stage("guardrails", cfg)
    content = plan.named("rcp-rcp-protect-organization-trail").inputs["content"]
    assert applied_organization(cfg)["organization_id"] in content
    assert "o-pendingorgid" not in content
    never_applied = run_stage("guardrails", cfg, upstream={})
    assert never_applied.named("rcp-rcp-protect-organization-trail").inputs["content"] == "(known after apply)"
    # Policies that do not name the organization are known before it exists.
    assert never_applied.named("scp-deny-root-user").inputs["content"].startswith("{")


def test_org_admin_path_protected_even_when_not_assigned() -> None:
    data = [g.model_dump(mode="json") for g in config("small").guardrails
            if not g.id.startswith("protect-org-admin-roles")]
    cfg = config("small", guardrails=data)
    plan = run_stage("guardrails", cfg)
    # The fallback is the strict variant: it protects the access role and the whole path, not just three actions.
    protection = plan.named("scp-protect-org-admin-roles-strict")
    content = protection.inputs["content"]
    assert "/org-admin/" in content and "role/OrganizationAccountAccessRole" in content
    assert "iam:CreateRole" in content and "iam:AttachRolePolicy" in content
    (attachment,) = [a for a in plan.of_type(ATTACHMENT)
                     if a.name.startswith("scp-protect-org-admin-roles-strict-on-")]
    assert attachment.inputs["targetId"] == applied_organization(cfg)["root_id"]


def test_existing_protection_is_not_duplicated() -> None:
    plan = run_stage("guardrails", config("medium"))
    names = [p.name for p in plan.of_type(POLICY)]
    assert names.count("scp-protect-org-admin-roles-strict") == 1
    assert "scp-protect-org-admin-roles" not in names


def test_quota_checked_before_anything_is_registered() -> None:
    cfg = config("medium", quotas={"scp_per_target": 3})

    class CountingMocks(PlanMocks):
        calls = 0

        def new_resource(self, args):  # type: ignore[no-untyped-def]
            CountingMocks.calls += 1
            return super().new_resource(args)

    ctx = stacks.StageContext(config=cfg, upstream={"organization": applied_organization(cfg)})
    with pytest.raises(QuotaError) as raised:
        run_program(stacks.stage("guardrails").program, ctx, stack="quota", mocks=CountingMocks())
    assert raised.value.target == "Root"
    assert raised.value.count == 5  # FullAWSAccess + the four baseline guardrails
    assert "'Root' would have 5 SCPs attached" in str(raised.value)
    assert CountingMocks.calls == 0


def test_preview_with_organization_never_applied() -> None:
    plan = run_stage("guardrails", config("medium"), upstream={})
    assert plan.of_type(POLICY)
    assert {a.inputs["targetId"] for a in plan.of_type(ATTACHMENT)} == {"(known after apply)"}


def test_adopted_targets_use_their_configured_ids_without_upstream() -> None:
    base = config("medium")
    ous = [ou.model_dump(mode="json", exclude_defaults=True) for ou in base.organizational_units]
    ous[2]["existing_id"] = "ou-ab12-11111111"  # Workloads
    cfg = config("medium", organizational_units=ous,
                 organization={"existing_id": "o-existing000", "existing_root_id": "r-exis"})
    plan = run_stage("guardrails", cfg, upstream={})
    targets = {a.inputs["targetId"] for a in plan.of_type(ATTACHMENT)}
    assert {"r-exis", "ou-ab12-11111111"} <= targets
