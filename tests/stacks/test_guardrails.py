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


def test_scp_attachments_per_target_follow_the_configuration() -> None:
    cfg = config("large")
    target_ids = _expected_target_ids(cfg)
    plan = run_stage("guardrails", cfg)
    policies = {p.name.removeprefix("scp-"): p for p in plan.of_type(POLICY)}
    policy_ids = plan.outputs["policy_ids"]
    assert set(policies) == set(policy_ids)
    attached: set[tuple[str, str]] = {
        (a.inputs["policyId"], a.inputs["targetId"]) for a in plan.of_type(ATTACHMENT)}
    expected = {(policy_ids[g.id], target_ids[t]) for g in cfg.guardrails for t in g.targets}
    assert attached == expected
    assert len(plan.of_type(ATTACHMENT)) == len(expected)  # no duplicate attachment
    for key, policy in policies.items():
        assert policy.inputs["type"] == "SERVICE_CONTROL_POLICY"
        assert policy.inputs["name"] == f"{cfg.name}-{key}"
        doc = json.loads(policy.inputs["content"])
        assert doc["Statement"], key
        assert policy.inputs["content"] == json.dumps(doc, separators=(",", ":"))  # minified
        assert policy.provider == "management"
    # Workloads/Prod gets deny-iam-users directly; Root gets the baseline.
    prod = target_ids["Workloads/Prod"]
    assert {p for p, t in attached if t == prod} == {policy_ids["deny-iam-users"]}


def test_rendered_content_matches_the_library() -> None:
    cfg = config("medium")
    plan = run_stage("guardrails", cfg)
    from landingzone.policies.catalog import RenderContext

    expected = default_catalog().render("deny-root-user", {}, RenderContext.from_config(cfg))
    assert plan.named("scp-deny-root-user").inputs["content"] == expected


def test_org_admin_path_protected_even_when_not_assigned() -> None:
    data = [g.model_dump(mode="json") for g in config("small").guardrails
            if not g.id.startswith("protect-org-admin-roles")]
    cfg = config("small", guardrails=data)
    plan = run_stage("guardrails", cfg)
    protection = plan.named("scp-protect-org-admin-roles")
    assert "/org-admin/" in protection.inputs["content"]
    (attachment,) = [a for a in plan.of_type(ATTACHMENT) if a.name.startswith("scp-protect-org-admin-roles-on-")]
    assert attachment.inputs["targetId"] == applied_organization(cfg)["root_id"]


def test_existing_protection_is_not_duplicated() -> None:
    plan = run_stage("guardrails", config("medium"))
    names = [p.name for p in plan.of_type(POLICY)]
    assert "scp-protect-org-admin-roles-strict" in names
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
