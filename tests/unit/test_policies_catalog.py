"""The guardrail catalog: templates render, parameters validate, the plan groups and counts attachments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from landingzone.config import QuotaConfig, validate_config
from landingzone.errors import ConfigError, QuotaError
from landingzone.policies.catalog import (
    FULL_AWS_ACCESS_CONTENT,
    GuardrailCatalog,
    RenderContext,
    default_catalog,
    load_guardrail,
    minify,
    plan_attachments,
)
from landingzone.presets import PRESETS, preset, preset_data

# The seed's "Protecting IAM Roles via SCPs" example, exactly as the seed prints it.
SEED_EXAMPLE = """{
"Version": "2012-10-17",
"Statement": [
{
"Sid": "DenyRoleModificationUnderOrgAdminPath",
"Effect": "Deny",
"Action": [
"iam:UpdateRole",
"iam:ChangePassword",
"iam:DeleteRole"
],
"Resource": "arn:aws:iam::*:role/org-admin/*"
}
]
}"""

PRESET_IDS = {
    "deny-leave-organization", "deny-root-user", "protect-organization-trail", "protect-org-admin-roles",
    "protect-org-admin-roles-strict", "protect-security-services", "deny-unapproved-regions",
    "deny-s3-block-public-access-changes", "require-imdsv2", "deny-ebs-encryption-disable", "deny-iam-users",
    "deny-all-suspended", "s3-block-public-access", "ec2-declarative-baseline", "ec2-vpc-block-public-access",
    "rcp-protect-organization-trail", "rcp-s3-require-tls",
}
SCP_IDS = {gid for gid in PRESET_IDS if default_catalog().get(gid).policy_type == "SERVICE_CONTROL_POLICY"}


def _config(**overrides: Any) -> dict[str, Any]:
    home = overrides.pop("home_region", "us-east-1")
    data = preset_data("medium", home_region=home, governed_regions=overrides.pop("governed_regions", None))
    data.update(overrides)
    return data


def test_library_provides_every_id_the_presets_use() -> None:
    catalog = default_catalog()
    assert PRESET_IDS <= set(catalog.ids())
    for name in PRESETS:
        for assignment in preset(name).guardrails:
            assert assignment.id in catalog


@pytest.mark.parametrize("gid", default_catalog().ids())
def test_every_template_renders_minified_json_with_defaults(gid: str) -> None:
    guard = default_catalog().get(gid)
    text = guard.render()
    document = json.loads(text)
    if guard.policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        assert document["Version"] == "2012-10-17"
        assert document["Statement"], "a policy needs statements"
    else:
        assert list(document) == [{"DECLARATIVE_POLICY_EC2": "ec2_attributes", "S3_POLICY": "s3_attributes"}[
            guard.policy_type]]
    assert text == minify(document), "rendered text is minified"
    assert "${" not in text, "no placeholder left unresolved"


@pytest.mark.parametrize("gid", default_catalog().ids())
def test_every_source_is_dated_and_every_alternative_exists(gid: str) -> None:
    guard = default_catalog().get(gid)
    assert guard.source.checked >= "2026-12-01"
    assert guard.source.url.startswith("https://")
    if guard.alternative is not None:
        other = default_catalog().get(guard.alternative.guardrail)
        assert other.policy_type != guard.policy_type
        assert other.alternative is not None and other.alternative.guardrail == gid, "alternatives name each other"


def test_every_guardrail_names_a_practice_of_the_practices_page() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "practices.md").read_text(encoding="utf-8")
    headings = {line[3:].strip() for line in page.splitlines() if line.startswith("## ")}
    for guard in default_catalog():
        assert guard.mappings.practice in headings, (guard.id, guard.mappings.practice)
        assert "seed" not in guard.description.lower() + guard.title.lower(), guard.id  # users never read it


def test_the_four_sources_that_no_longer_exist_are_replaced() -> None:
    """aws-samples removed or moved these files (git history of service-control-policy-examples, read
    2026-12-01): no guardrail may still cite them."""
    gone = ("Deny-unwarranted-IAM-users-and-access-key-creation.json", "Prevent-IMDSv1.json",
            "Deny-users-from-modifying-S3-Block-Public-Access.json",
            "Sensitive-data-protection/Deny-users-from-deleting-Amazon-S3-Buckets-or-objects.json")
    for guard in default_catalog():
        for name in gone:
            assert name not in guard.source.url, (guard.id, name)


def test_region_deny_global_services_come_from_the_data_file() -> None:
    from landingzone.policies.global_services import global_patterns, patterns

    control_tower = [p for p in global_patterns() if "control-tower" in p.sources]
    assert len(control_tower) == 86
    for needed in ("sso:*", "supportplans:*", "s3:GetBucketLocation", "iam:*", "organizations:*"):
        assert needed in patterns()
    doc = json.loads(default_catalog().render("deny-unapproved-regions"))
    assert doc["Statement"][0]["NotAction"] == patterns()
    bedrock = json.loads(default_catalog().render("deny-unapproved-regions-bedrock"))
    assert set(bedrock["Statement"][0]["NotAction"]) == set(patterns()) | {
        "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:CreateModelInvocationJob"}


def test_unspecified_is_a_region_value_for_requests_that_name_none() -> None:
    doc = json.loads(default_catalog().render("deny-unapproved-regions",
                                              {"allowed_regions": ["eu-west-1", "unspecified"]}))
    assert doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["eu-west-1", "unspecified"]


def test_policy_types_and_quotas_are_data() -> None:
    from landingzone.policies.policy_types import POLICY_TYPES, limits, policy_type

    assert limits("SERVICE_CONTROL_POLICY") == (10, 10240)
    assert limits("SERVICE_CONTROL_POLICY", QuotaConfig(scp_per_target=5, scp_max_characters=5120)) == (5, 5120)
    assert limits("RESOURCE_CONTROL_POLICY") == (5, 5120)
    assert policy_type("RESOURCE_CONTROL_POLICY").default_policy.name == "RCPFullAWSAccess"  # type: ignore[union-attr]
    assert policy_type("S3_POLICY").default_policy is None
    assert {g.policy_type for g in default_catalog()} == set(POLICY_TYPES)


def test_seed_example_renders_byte_for_byte() -> None:
    expected = json.dumps(json.loads(SEED_EXAMPLE), separators=(",", ":"))
    assert default_catalog().render("protect-org-admin-roles") == expected
    assert expected == ('{"Version":"2012-10-17","Statement":[{"Sid":"DenyRoleModificationUnderOrgAdminPath",'
                        '"Effect":"Deny","Action":["iam:UpdateRole","iam:ChangePassword","iam:DeleteRole"],'
                        '"Resource":"arn:aws:iam::*:role/org-admin/*"}]}')


def test_org_admin_path_is_a_parameter_and_comes_from_the_config() -> None:
    catalog = default_catalog()
    doc = json.loads(catalog.render("protect-org-admin-roles", {"path": "/platform/admin/"}))
    assert doc["Statement"][0]["Resource"] == "arn:aws:iam::*:role/platform/admin/*"
    cfg = validate_config(_config(org_admin={"path": "/ops-admin/"}))
    doc = json.loads(catalog.render("protect-org-admin-roles-strict", context=RenderContext.from_config(cfg)))
    assert doc["Statement"][0]["Resource"] == [
        "arn:aws:iam::*:role/ops-admin/*", "arn:aws:iam::*:role/OrganizationAccountAccessRole",
        "arn:aws:iam::*:role/*/OrganizationAccountAccessRole"]
    assert doc["Statement"][0]["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
        "arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/ops-admin/*"]


def test_optional_exemption_adds_a_condition_only_when_given() -> None:
    catalog = default_catalog()
    without = json.loads(catalog.render("protect-org-admin-roles"))["Statement"][0]
    assert "Condition" not in without
    with_exempt = json.loads(catalog.render("protect-org-admin-roles", {
        "exempt_principal_arns": ["arn:aws:iam::*:role/BreakGlass"]}))["Statement"][0]
    assert with_exempt["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/BreakGlass"]}}


def test_strict_variant_denies_path_squatting_and_policy_changes() -> None:
    stmt = json.loads(default_catalog().render("protect-org-admin-roles-strict"))["Statement"][0]
    for action in ("iam:CreateRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
                   "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
                   "iam:UpdateRole", "iam:DeleteRole"):
        assert action in stmt["Action"]
    assert "iam:ChangePassword" not in stmt["Action"], "a user action: it matches no role"
    extra = json.loads(default_catalog().render("protect-org-admin-roles-strict", {
        "additional_protected_role_arns": ["arn:aws:iam::*:role/BreakGlass"]}))["Statement"]
    assert [s["Sid"] for s in extra] == ["DenyOrgAdminRoleChanges", "DenyProtectedRoleChanges"]
    assert extra[1]["Resource"] == ["arn:aws:iam::*:role/BreakGlass"]


def test_region_deny_defaults_to_governed_regions_and_keeps_global_services() -> None:
    cfg = validate_config(_config(governed_regions=["us-east-1", "eu-west-1"]))
    doc = json.loads(default_catalog().render("deny-unapproved-regions", context=RenderContext.from_config(cfg)))
    stmt = doc["Statement"][0]
    assert stmt["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["us-east-1", "eu-west-1"]
    for global_service in ("iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "support:*", "sso:*",
                           "supportplans:*", "s3:GetBucketLocation"):
        assert global_service in stmt["NotAction"]
    assert stmt["Condition"]["ArnNotLike"]["aws:PrincipalArn"]


@pytest.mark.parametrize(("region", "arn_prefix"), [
    ("us-east-1", "arn:aws:iam::"), ("cn-north-1", "arn:aws-cn:iam::"), ("us-gov-west-1", "arn:aws-us-gov:iam::"),
    ("eusc-de-east-1", "arn:aws-eusc:iam::"),
])
def test_administering_principals_are_in_the_home_regions_partition(region: str, arn_prefix: str) -> None:
    cfg = validate_config(_config(home_region=region, governed_regions=[region]))
    context = RenderContext.from_config(cfg)
    assert context.admin_principal_arns == (f"{arn_prefix}*:role/OrganizationAccountAccessRole",
                                            f"{arn_prefix}*:role/org-admin/*")
    doc = json.loads(default_catalog().render("deny-unapproved-regions", context=context))
    assert doc["Statement"][0]["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == list(context.admin_principal_arns)


@pytest.mark.parametrize("region", ["us-east-1", "cn-north-1", "us-gov-west-1", "eusc-de-east-1"])
def test_every_arn_a_guardrail_renders_is_in_the_home_regions_partition(region: str) -> None:
    """An ARN of another partition never matches: a guardrail with one would silently protect nothing."""
    cfg = validate_config(_config(home_region=region, governed_regions=[region]))
    context = RenderContext.from_config(cfg)
    catalog = default_catalog()
    arns: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, str) and node.startswith("arn:"):
            arns.append(node)

    for gid in catalog.ids():
        collect(json.loads(catalog.render(gid, context=context)))
    assert len(arns) >= 12  # root user, admin roles, trail, bucket, event data stores, instances, exemptions
    assert {arn.split(":")[1] for arn in arns} == {context.partition}, arns


@pytest.mark.parametrize(("gid", "params", "path", "fragment"), [
    ("deny-unapproved-regions", {"allowed_regions": ["us-east-1", "mars-north-1"]}, "parameters.allowed_regions",
     "not a known AWS region"),
    ("deny-unapproved-regions", {"allowed_regions": []}, "parameters.allowed_regions", "at least 1"),
    ("deny-unapproved-regions", {"allowed_region": ["us-east-1"]}, "parameters.allowed_region",
     "no parameter 'allowed_region'"),
    ("protect-org-admin-roles", {"path": "org-admin"}, "parameters.path", "not an IAM path"),
    ("protect-org-admin-roles", {"path": "/"}, "parameters.path", "not an IAM path"),
    ("protect-org-admin-roles-strict", {"exempt_principal_arns": ["LandingZoneAdministrator"]},
     "parameters.exempt_principal_arns", "not an ARN pattern"),
    ("require-imdsv2", {"max_hop_limit": 0}, "parameters.max_hop_limit", "at least 1"),
    ("require-imdsv2", {"max_hop_limit": "2"}, "parameters.max_hop_limit", "must be an integer"),
    ("deny-leave-organization", {"x": 1}, "parameters.x", "takes no parameters"),
])
def test_bad_parameters_are_refused_with_their_path(gid: str, params: dict[str, Any], path: str,
                                                    fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        default_catalog().render(gid, params)
    assert [p.path for p in caught.value.problems] == [path]
    assert fragment in caught.value.problems[0].message


def test_unknown_id_suggests_the_closest() -> None:
    with pytest.raises(ConfigError) as caught:
        default_catalog().get("deny-root-users")
    assert "did you mean 'deny-root-user'" in str(caught.value)


def test_config_cross_check_reports_unknown_ids_and_bad_parameters_with_field_paths() -> None:
    data = _config()
    data["guardrails"] = [
        {"id": "deny-root-user", "targets": ["Root"]},
        {"id": "deny-leave-organisation", "targets": ["Root"]},
        {"id": "deny-unapproved-regions", "parameters": {"allowed_regions": ["us-east-7"]}, "targets": ["Sandbox"]},
    ]
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    by_path = {p.path: p.message for p in caught.value.problems}
    assert set(by_path) == {"guardrails[1].id", "guardrails[2].parameters.allowed_regions"}
    assert "did you mean 'deny-leave-organization'" in by_path["guardrails[1].id"]
    assert "'us-east-7' is not a known AWS region" in by_path["guardrails[2].parameters.allowed_regions"]


def test_plan_groups_targets_and_counts_full_aws_access() -> None:
    cfg = preset("medium")
    plan = plan_attachments(cfg)
    keys = [p.key for p in plan.policies]
    assert keys == [a.id for a in cfg.guardrails]
    assert plan.per_target["Root"] == ["deny-leave-organization", "deny-root-user", "protect-organization-trail",
                                       "protect-org-admin-roles-strict", "s3-block-public-access",
                                       "ec2-declarative-baseline", "rcp-protect-organization-trail"]
    assert plan.keys_of_type("Root", "SERVICE_CONTROL_POLICY") == [
        "deny-leave-organization", "deny-root-user", "protect-organization-trail", "protect-org-admin-roles-strict"]
    assert plan.per_target["Workloads"] == ["protect-security-services", "deny-unapproved-regions",
                                            "require-imdsv2", "deny-ebs-encryption-disable"]
    assert plan.policy_types() == ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "DECLARATIVE_POLICY_EC2",
                                   "S3_POLICY"]
    by_type = {t: {u.target: u for u in uses} for t, uses in plan.usage_by_type(cfg.quotas).items()}
    assert by_type["RESOURCE_CONTROL_POLICY"]["Root"].attached == 2  # RCPFullAWSAccess + the trail RCP
    assert by_type["RESOURCE_CONTROL_POLICY"]["Root"].limit == 5
    assert by_type["S3_POLICY"]["Root"].attached == 1  # no AWS-managed default for management policy types
    assert by_type["S3_POLICY"]["Workloads"].attached == 0
    trail = plan.policy("protect-organization-trail")
    assert trail.name == "acme-landing-zone-protect-organization-trail"
    assert "acme-landing-zone-org-trail-*" in trail.content
    usage = {u.target: u for u in plan.usage(cfg.quotas)}
    assert usage["Root"].attached == 5  # four guardrails + FullAWSAccess
    assert usage["Workloads"].attached == 5
    assert usage["Workloads/Prod"].attached == 1  # FullAWSAccess only; inherited SCPs do not count
    assert usage["production"].kind == "account"
    assert usage["Workloads/Prod"].largest_policy_chars == len(FULL_AWS_ACCESS_CONTENT)
    assert usage["Workloads"].largest_policy_chars == plan.policy("protect-security-services").characters
    plan.check_quotas(cfg.quotas)


def test_strict_protection_is_the_fallback_when_none_is_assigned() -> None:
    data = _config()
    data["guardrails"] = [g for g in data["guardrails"] if not g["id"].startswith("protect-org-admin-roles")]
    plan = plan_attachments(validate_config(data))
    added = plan.policy("protect-org-admin-roles-strict")
    assert added.added_by_landing_zone and added.targets == ["Root"]
    assert "protect-org-admin-roles" not in [p.key for p in plan.policies]


def test_a_policy_type_not_known_in_the_partition_is_refused_with_its_fallback() -> None:
    data = _config(home_region="cn-north-1", governed_regions=["cn-north-1"])
    data["guardrails"] = [{"id": "s3-block-public-access", "targets": ["Root"]}]
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    (problem,) = caught.value.problems
    assert problem.path == "guardrails[0].id"
    assert "not known to be available in partition aws-cn" in problem.message
    assert "use deny-s3-block-public-access-changes instead" in problem.message


def test_plan_merges_identical_policies_and_keys_variants() -> None:
    data = _config()
    data["guardrails"] = [
        {"id": "deny-unapproved-regions", "targets": ["Workloads"]},
        {"id": "deny-unapproved-regions", "targets": ["Sandbox", "Workloads"]},
        {"id": "deny-unapproved-regions", "parameters": {"allowed_regions": ["us-east-1"]},
         "targets": ["Workloads/Prod"]},
    ]
    plan = plan_attachments(validate_config(data))
    assert [(p.key, p.targets, p.added_by_landing_zone) for p in plan.policies] == [
        ("deny-unapproved-regions", ["Workloads", "Sandbox"], False),
        ("deny-unapproved-regions-2", ["Workloads/Prod"], False),
        ("protect-org-admin-roles-strict", ["Root"], True),  # no protect guardrail assigned: the fallback
    ]
    assert plan.per_target == {"Workloads": ["deny-unapproved-regions"], "Sandbox": ["deny-unapproved-regions"],
                               "Workloads/Prod": ["deny-unapproved-regions-2"],
                               "Root": ["protect-org-admin-roles-strict"]}


def _crowded_config(count: int) -> dict[str, Any]:
    data = _config()
    ids = sorted(SCP_IDS - {"protect-org-admin-roles"})[:count]
    data["guardrails"] = [{"id": gid, "targets": ["Workloads"]} for gid in ids]
    return data


def test_ten_policies_on_one_ou_exceed_the_quota_with_full_aws_access() -> None:
    cfg = validate_config(_crowded_config(10))
    plan = plan_attachments(cfg)
    workloads = next(u for u in plan.usage(cfg.quotas) if u.target == "Workloads")
    assert (workloads.attached, workloads.limit, workloads.over_limit) == (11, 10, True)
    with pytest.raises(QuotaError) as caught:
        plan.check_quotas(cfg.quotas)
    assert (caught.value.target, caught.value.count, caught.value.limit) == ("Workloads", 11, 10)
    assert "'Workloads' would have 11 SCPs attached" in str(caught.value)
    assert "parent OU" in str(caught.value)


def test_nine_policies_fit_and_old_quota_is_honoured() -> None:
    cfg = validate_config(_crowded_config(9))
    plan = plan_attachments(cfg)
    plan.check_quotas(cfg.quotas)
    with pytest.raises(QuotaError) as caught:
        plan.check_quotas(QuotaConfig(scp_per_target=5))
    assert caught.value.count == 10 and caught.value.limit == 5


def test_oversized_policy_is_a_quota_error() -> None:
    cfg = preset("medium")
    plan = plan_attachments(cfg)
    with pytest.raises(QuotaError) as caught:
        plan.check_quotas(QuotaConfig(scp_max_characters=1000))
    size = plan.policy("protect-security-services").characters
    assert f"SCP 'protect-security-services' has {size} characters; the limit is 1000" in str(caught.value)


def _guard(template: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> str:
    return json.dumps({
        "id": "test-guard", "title": "t", "description": "d", "parameters": parameters or [],
        "source": {"kind": "practices", "reference": "r", "url": "https://example.com", "checked": "2026-12-01"},
        "template": template})


@pytest.mark.parametrize(("template", "parameters", "fragment"), [
    ({"Resource": "${missing}"}, [], "undeclared parameter ${missing}"),
    ({"Resource": "arn:${regions}"}, [{"name": "regions", "type": "region_list", "description": "d",
                                       "default": ["us-east-1"]}], "must be a whole string value"),
    ({"Resource": "*"}, [{"name": "unused", "type": "string", "description": "d", "default": "x"}],
     "never used"),
    ({"Resource": "${p}"}, [{"name": "p", "type": "string", "description": "d"}], "needs a default"),
    ({"Resource": "${p}"}, [{"name": "p", "type": "string", "description": "d", "default_from": "nope"}],
     "default_from 'nope'"),
])
def test_malformed_templates_are_refused_at_load(template: dict[str, Any], parameters: list[dict[str, Any]],
                                                 fragment: str) -> None:
    with pytest.raises(ValueError, match="not a valid guardrail") as caught:
        load_guardrail(_guard(template, parameters))
    assert fragment in str(caught.value)


def test_file_name_must_match_id(tmp_path: Any) -> None:
    (tmp_path / "other-name.json").write_text(_guard({"Version": "2012-10-17", "Statement": []}))
    with pytest.raises(ValueError, match="differs from the file name"):
        GuardrailCatalog.from_directory(tmp_path)


def test_policy_variables_pass_through_untouched() -> None:
    guard = load_guardrail(_guard({"Resource": "arn:aws:iam::*:user/${aws:username}${p}"},
                                  [{"name": "p", "type": "string", "description": "d", "default": "-x"}]))
    assert guard.render() == '{"Resource":"arn:aws:iam::*:user/${aws:username}-x"}'
