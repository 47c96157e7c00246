"""The SCP linter: the library lints clean, and every deliberate defect yields its finding id and its fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from landingzone.config import QuotaConfig, validate_config
from landingzone.policies.catalog import RenderContext, default_catalog, plan_attachments
from landingzone.policies.global_services import patterns
from landingzone.policies.lint import (
    FINDING_IDS,
    LANDING_ZONE_ADMIN_ACTIONS,
    IamCatalogue,
    PolicyFinding,
    lint,
    lint_guardrail,
)
from landingzone.policies.lint_plan import lint_attachments, lint_exemptions, lint_plan
from landingzone.presets import preset, preset_data


def _policy(*statements: dict[str, Any], **top: Any) -> str:
    document: dict[str, Any] = {"Version": "2012-10-17", "Statement": list(statements)}
    document.update(top)
    return json.dumps(document, separators=(",", ":"))


def _deny(**fields: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": "Test", "Effect": "Deny", "Action": "ec2:DisableEbsEncryptionByDefault",
                                 "Resource": "*"}
    statement.update(fields)
    return {k: v for k, v in statement.items() if v is not None}


def _ids(text: str, **kwargs: Any) -> list[str]:
    return [f.id for f in lint(text, **kwargs)]


@pytest.mark.parametrize("gid", default_catalog().ids())
def test_every_template_lints_clean_with_defaults(gid: str) -> None:
    guard = default_catalog().get(gid)
    findings = lint_guardrail(guard)
    assert [f for f in findings if f.accepted is None] == []
    assert {f.id for f in findings} == set(guard.accepted_findings)


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_every_preset_policy_lints_clean_in_context(size: str) -> None:
    cfg = preset(size)  # type: ignore[arg-type]
    context = RenderContext.from_config(cfg)
    for assignment in cfg.guardrails:
        guard = default_catalog().get(assignment.id)
        assert [f for f in lint_guardrail(guard, assignment.parameters, context) if f.accepted is None] == []
    assert lint_attachments(plan_attachments(cfg), cfg.quotas) == []
    assert lint_plan(cfg) == [], "no exemption without protection in a preset"


def test_seed_example_is_flagged_as_a_lockout_and_accepted_with_its_reason() -> None:
    guard = default_catalog().get("protect-org-admin-roles")
    raw = lint(guard.render())
    assert [f.id for f in raw] == ["LOCKOUT_DENY"]
    assert raw[0].accepted is None
    accepted = lint_guardrail(guard)
    assert accepted[0].accepted is not None and "protect-org-admin-roles-strict" in accepted[0].accepted
    exempted = guard.render({"exempt_principal_arns": list(RenderContext().admin_principal_arns)})
    assert lint(exempted) == []


def test_admin_actions_and_global_services_exist_in_the_catalogue() -> None:
    catalogue = IamCatalogue.bundled()
    assert [a for a in LANDING_ZONE_ADMIN_ACTIONS if not catalogue.expand(a)] == []
    known = [p for p in patterns() if catalogue.expand(p)]
    assert len(known) >= 75, "most global-service patterns are checked against real actions"


# (defect, policy text, lint kwargs, expected finding id, text the fix must contain)
DEFECTS: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("typo-action", _policy(_deny(Action=["cloudtrail:StopLoging"])), {}, "UNKNOWN_ACTION",
     "Use cloudtrail:StopLogging."),
    ("principal-element", _policy(_deny(Principal={"AWS": "*"})), {}, "PRINCIPAL_NOT_SUPPORTED",
     "Remove Principal"),
    ("not-principal-element", _policy(_deny(NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"})), {},
     "PRINCIPAL_NOT_SUPPORTED", "aws:PrincipalArn"),
    ("oversize", _policy(*[_deny(Sid=f"S{i}", Resource=[f"arn:aws:s3:::bucket-{i}-{j:04d}" for j in range(40)])
                           for i in range(12)]), {}, "POLICY_TOO_LARGE", "Split it into two SCPs"),
    ("over-old-limit", _policy(*[_deny(Sid=f"S{i}", Resource=[f"arn:aws:s3:::bucket-{i}-{j:04d}" for j in range(40)])
                                 for i in range(5)]), {}, "POLICY_SIZE_OVER_OLD_LIMIT", "scp_max_characters: 5120"),
    ("region-deny-without-exemptions", _policy(_deny(Action="*", Condition={
        "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]},
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole",
                                            "arn:aws:iam::*:role/org-admin/*"]}})), {},
     "REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS", "Use NotAction with every pattern of landingzone/policies/data"),
    ("lockout", _policy(_deny(Action=["cloudtrail:StopLogging", "cloudtrail:DeleteTrail",
                                      "cloudtrail:UpdateTrail"])), {}, "LOCKOUT_DENY",
     '"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"'),
    ("lockout-exemption-misses-admin", _policy(_deny(Action="iam:*", Condition={
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}})), {}, "LOCKOUT_DENY",
     "Exempt the administrators"),
    ("invalid-json", '{"Version": "2012-10-17", "Statement": [', {}, "INVALID_JSON", "Correct the JSON syntax"),
    ("not-an-object", "[1, 2]", {}, "NOT_AN_OBJECT", '"Version": "2012-10-17"'),
    ("old-version", _policy(_deny(), Version="2008-10-17"), {}, "INVALID_VERSION", '"Version": "2012-10-17"'),
    ("id-element", _policy(_deny(), Id="x"), {}, "UNKNOWN_ELEMENT", "only Version and Statement"),
    ("no-statements", _policy(), {}, "MISSING_STATEMENT", "Add at least one statement"),
    ("bad-effect", _policy(_deny(Effect="Block")), {}, "INVALID_EFFECT", '"Deny"'),
    ("bad-sid", _policy(_deny(Sid="deny-all")), {}, "INVALID_SID", "A-Z, a-z and 0-9"),
    ("duplicate-sid", _policy(_deny(), _deny(Action="ec2:ModifyEbsDefaultKmsKeyId")), {}, "DUPLICATE_SID",
     "its own Sid"),
    ("action-and-notaction", _policy(_deny(NotAction="iam:*")), {}, "MISSING_ACTION", "Keep one of Action"),
    ("no-resource", _policy(_deny(Resource=None)), {}, "MISSING_RESOURCE", '"Resource": "*"'),
    ("action-format", _policy(_deny(Action="StopLogging")), {}, "INVALID_ACTION", "service:Action"),
    ("unknown-service", _policy(_deny(Action="cloudtrial:StopLogging")), {}, "UNKNOWN_SERVICE",
     "Use cloudtrail:StopLogging."),
    ("wildcard-nothing", _policy(_deny(Action="s3:Frobnicate*")), {}, "ACTION_MATCHES_NOTHING", "s3:*"),
    ("unknown-operator", _policy(_deny(Condition={"StringEqual": {"aws:PrincipalArn": "x"}})), {},
     "UNKNOWN_CONDITION_OPERATOR", "Use StringEquals."),
    ("unknown-global-key", _policy(_deny(Condition={"StringEquals": {"aws:RequestedRegions": "us-east-1"}})), {},
     "UNKNOWN_CONDITION_KEY", "aws:RequestedRegion"),
    ("unknown-service-key", _policy(_deny(Condition={"StringEquals": {"ec2:MetadataTokens": "required"}})), {},
     "UNKNOWN_CONDITION_KEY", "Correct the key"),
    ("bool-value", _policy(_deny(Condition={"Bool": {"aws:SecureTransport": "no"}})), {},
     "INVALID_CONDITION_VALUE", '"true" or "false"'),
    ("numeric-value", _policy(_deny(Condition={"NumericGreaterThan": {
        "ec2:MetadataHttpPutResponseHopLimit": "two"}})), {}, "INVALID_CONDITION_VALUE", "Give numbers"),
    ("region-deny-missing-identity-center", _policy(_deny(Action=None, NotAction=[
        p for p in patterns() if p not in ("sso:*", "supportplans:*")], Condition={
        "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]},
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole",
                                            "arn:aws:iam::*:role/org-admin/*"]}})), {},
     "REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS", "deny-unapproved-regions"),
    ("region-deny-missing-chime", _policy(_deny(Action=None, NotAction=[p for p in patterns() if p != "chime:*"],
                                                Condition={
        "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]},
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole",
                                            "arn:aws:iam::*:role/org-admin/*"]}})), {},
     "REGION_DENY_BLOCKS_GLOBAL_SERVICES", "Add them to NotAction"),
    ("rcp-without-principal", _policy(_deny(Action="s3:*")), {"policy_type_name": "RESOURCE_CONTROL_POLICY"},
     "RCP_PRINCIPAL_NOT_STAR", '"Principal": "*"'),
    ("rcp-allow", _policy(_deny(Effect="Allow", Principal="*", Action="s3:*")),
     {"policy_type_name": "RESOURCE_CONTROL_POLICY"}, "RCP_ALLOW_NOT_SUPPORTED", '"Effect": "Deny"'),
    ("rcp-not-action", _policy(_deny(Action=None, NotAction="s3:*", Principal="*")),
     {"policy_type_name": "RESOURCE_CONTROL_POLICY"}, "RCP_NOT_ACTION_NOT_SUPPORTED", "under Action"),
    ("rcp-unsupported-service", _policy(_deny(Principal="*", Action="ec2:RunInstances")),
     {"policy_type_name": "RESOURCE_CONTROL_POLICY"}, "RCP_UNSUPPORTED_SERVICE", "SCP"),
    ("rcp-too-large", _policy(*[_deny(Sid=f"S{i}", Principal="*", Action="s3:GetObject",
                                      Resource=[f"arn:aws:s3:::bucket-{i}-{j:04d}" for j in range(40)])
                                for i in range(5)]), {"policy_type_name": "RESOURCE_CONTROL_POLICY"},
     "POLICY_TOO_LARGE", "Split it into two RCPs"),
    ("declarative-unknown-setting", json.dumps({"ec2_attributes": {"imds_defaults": {"@@assign": "required"}}}),
     {"policy_type_name": "DECLARATIVE_POLICY_EC2"}, "MANAGEMENT_POLICY_UNKNOWN_ATTRIBUTE", "declarative (EC2)"),
    ("declarative-bad-value", json.dumps({"ec2_attributes": {"instance_metadata_defaults": {
        "http_tokens": {"@@assign": "always"}}}}), {"policy_type_name": "DECLARATIVE_POLICY_EC2"},
     "MANAGEMENT_POLICY_INVALID_VALUE", "@@assign"),
    ("s3-policy-bad-value", json.dumps({"s3_attributes": {"public_access_block_configuration": {
        "@@assign": "some"}}}), {"policy_type_name": "S3_POLICY"}, "MANAGEMENT_POLICY_INVALID_VALUE", "@@assign"),
    ("not-minified", json.dumps(json.loads(_policy(_deny(Action=[f"ec2:Describe{n}" for n in (
        "Instances", "Volumes", "Snapshots", "Images", "Regions", "Vpcs", "Subnets")]))), indent=40),
     {"quotas": QuotaConfig(scp_max_characters=400)}, "NOT_MINIFIED", "Submit the minified JSON"),
]


@pytest.mark.parametrize(("defect", "text", "kwargs", "fid", "fix"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_gives_its_finding_and_names_the_fix(defect: str, text: str, kwargs: dict[str, Any],
                                                         fid: str, fix: str) -> None:
    findings = lint(text, **kwargs)
    matching = [f for f in findings if f.id == fid]
    assert matching, f"{defect}: expected {fid}, got {[f.id for f in findings]}"
    assert fix in matching[0].fix, matching[0]
    assert fid in FINDING_IDS


def _medium_with(**changes: Any) -> Any:
    data = preset_data("medium")
    data.update(changes)
    return validate_config(data)


def _seed_variant_only() -> Any:
    data = preset_data("medium")
    for guard in data["guardrails"]:
        if guard["id"] == "protect-org-admin-roles-strict":
            guard["id"] = "protect-org-admin-roles"
    return validate_config(data)


def _break_glass_exempted(protected: bool) -> Any:
    data = preset_data("medium")
    breakglass = "arn:aws:iam::*:role/BreakGlass"
    for guard in data["guardrails"]:
        if guard["id"] == "deny-unapproved-regions":
            guard["parameters"] = {"exempt_principal_arns": [breakglass]}
        if guard["id"] == "protect-org-admin-roles-strict" and protected:
            guard["parameters"] = {"additional_protected_role_arns": [breakglass]}
    return validate_config(data)


def _crowded() -> Any:
    data = preset_data("medium")
    ids = [gid for gid in default_catalog().ids() if gid != "protect-org-admin-roles"
           and default_catalog().get(gid).policy_type == "SERVICE_CONTROL_POLICY"]
    data["guardrails"] = [{"id": gid, "targets": ["Workloads"]} for gid in ids[:10]]
    return validate_config(data)


def _crowded_rcps() -> Any:
    data = preset_data("medium")
    data["guardrails"] = [{"id": "rcp-s3-require-tls", "targets": ["Sandbox"]},
                          {"id": "rcp-protect-organization-trail", "targets": ["Sandbox"]},
                          {"id": "rcp-identity-perimeter", "targets": ["Sandbox"]},
                          {"id": "rcp-identity-perimeter", "parameters": {"trusted_account_ids": ["123456789012"]},
                           "targets": ["Sandbox"]},
                          {"id": "rcp-protect-organization-trail", "parameters": {"trail_bucket": "other-*"},
                           "targets": ["Sandbox"]}]
    return validate_config(data)


# Plan-level defects: (defect, configuration factory, finding id, text the message or fix must contain)
PLAN_DEFECTS: list[tuple[str, Any, str, str]] = [
    ("eleven-scps-on-one-ou", _crowded, "TOO_MANY_ATTACHMENTS", "would have 11 SCPs attached directly"),
    ("six-rcps-on-one-ou", _crowded_rcps, "TOO_MANY_ATTACHMENTS", "would have 6 RCPs attached directly"),
    ("seed-variant-leaves-the-access-role-open", _seed_variant_only, "UNPROTECTED_EXEMPTION",
     "arn:aws:iam::*:role/OrganizationAccountAccessRole"),
    ("break-glass-exempted-but-unprotected", lambda: _break_glass_exempted(False), "UNPROTECTED_EXEMPTION",
     "arn:aws:iam::*:role/BreakGlass"),
]


@pytest.mark.parametrize(("defect", "factory", "fid", "text"), PLAN_DEFECTS, ids=[d[0] for d in PLAN_DEFECTS])
def test_each_plan_defect_gives_its_finding(defect: str, factory: Any, fid: str, text: str) -> None:
    findings = lint_plan(factory())
    matching = [f for f in findings if f.id == fid and (text in f.message or text in f.fix)]
    assert matching, f"{defect}: expected {fid} with {text!r}, got {[(f.id, f.message) for f in findings]}"


def test_every_finding_id_is_asserted_to_fire_by_a_test() -> None:
    """The meta-test of issue 18: each id of FINDING_IDS is the expected id of a DEFECTS or PLAN_DEFECTS case
    (both tables are parametrized tests that assert the id fires), so no check can exist untested."""
    fired = {d[3] for d in DEFECTS} | {d[2] for d in PLAN_DEFECTS}
    assert set(FINDING_IDS) - fired == set(), "finding ids no test makes fire"
    assert fired - set(FINDING_IDS) == set(), "tests expect ids the linter does not have"


def test_a_protected_break_glass_exemption_is_clean() -> None:
    assert lint_exemptions(_break_glass_exempted(True)) == []


def test_unprotected_exemption_names_the_open_changes_and_the_fix() -> None:
    findings = lint_exemptions(_seed_variant_only())
    root = [f for f in findings if f.location == "Root" and "OrganizationAccountAccessRole" in f.message]
    assert root, findings
    assert "iam:AttachRolePolicy" in root[0].message or "and" in root[0].message
    assert "protect-org-admin-roles-strict" in root[0].fix
    assert isinstance(root[0], PolicyFinding) and root[0].severity == "error"


def test_rcps_of_the_library_spare_the_administrators() -> None:
    for gid in ("rcp-identity-perimeter", "rcp-s3-require-tls", "rcp-protect-organization-trail"):
        assert lint_guardrail(default_catalog().get(gid)) == [], gid


def test_typo_is_the_only_finding_and_reports_its_location() -> None:
    findings = lint(_policy(_deny(Action=["cloudtrail:StopLogging", "cloudtrail:StopLoging"])))
    assert [(f.id, f.location) for f in findings] == [("UNKNOWN_ACTION", "Statement[0].Action[1]")]
    assert "'cloudtrail:StopLoging' is not an action of cloudtrail" in findings[0].message


def test_eleven_attachments_on_one_ou() -> None:
    cfg = _crowded()
    findings = lint_attachments(plan_attachments(cfg), cfg.quotas)
    assert [(f.id, f.location) for f in findings] == [("TOO_MANY_ATTACHMENTS", "Workloads")]
    assert "would have 11 SCPs attached directly" in findings[0].message
    assert "the quota is 10" in findings[0].message
    assert "parent OU" in findings[0].fix


def test_size_is_counted_after_minification_against_the_configured_quota() -> None:
    text = _policy(*[_deny(Sid=f"S{i}", Resource=[f"arn:aws:s3:::bucket-{i}-{j:04d}" for j in range(40)])
                     for i in range(5)])
    assert 5120 < len(text) < 10240
    assert _ids(text) == ["POLICY_SIZE_OVER_OLD_LIMIT"]
    assert _ids(text, quotas=QuotaConfig(scp_max_characters=5120)) == ["POLICY_TOO_LARGE"]
    spaced = json.dumps(json.loads(text), indent=2)
    assert len(spaced) > len(text)
    assert "POLICY_TOO_LARGE" not in _ids(spaced)


def test_region_deny_with_global_exemptions_and_admin_exemption_is_clean() -> None:
    assert lint(default_catalog().render("deny-unapproved-regions")) == []


def test_region_deny_without_admin_exemption_is_a_lockout() -> None:
    stmt = json.loads(default_catalog().render("deny-unapproved-regions"))["Statement"][0]
    del stmt["Condition"]["ArnNotLike"]
    assert _ids(_policy(stmt)) == ["LOCKOUT_DENY"]


def test_principal_conditions_that_spare_the_admin_are_not_lockouts() -> None:
    root_only = _deny(Action="*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}})
    assert lint(_policy(root_only)) == []
    tagged = _deny(Action="iam:*", Condition={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})
    assert _ids(_policy(tagged)) == ["LOCKOUT_DENY"], "a tag the admin roles lack does not exempt them"


def test_service_condition_keys_with_variables_and_tag_keys_are_known() -> None:
    catalogue = IamCatalogue.bundled()
    for key in ("ec2:Attribute/HttpTokens", "aws:PrincipalTag/team", "aws:ResourceTag/owner", "s3:prefix",
                "AWS:PrincipalArn"):
        assert catalogue.condition_key_known(key), key
    assert not catalogue.condition_key_known("ec2:NoSuchKey")
