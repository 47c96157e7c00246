"""identity_center validation: each rule names the field and says what fixes it."""

from __future__ import annotations

from typing import Any

import pytest

from landingzone.config import (
    PRESETS,
    LandingZoneConfig,
    PermissionSetPreset,
    aws_managed_policies,
    grants,
    json_schema,
    session_seconds,
    validate_config,
)
from landingzone.errors import ConfigError
from landingzone.presets import identity_center_data, preset_data


def data(**changes: Any) -> dict[str, Any]:
    doc = preset_data("medium")
    section = identity_center_data(doc)
    section.update(changes)
    doc["identity_center"] = section
    return doc


def problems(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as err:
        validate_config(doc)
    return {p.path: p.message for p in err.value.problems}


def test_the_starting_section_is_valid_for_every_preset() -> None:
    for name in ("medium", "large"):
        doc = preset_data(name)  # type: ignore[arg-type]
        doc["identity_center"] = identity_center_data(doc)
        cfg = validate_config(doc)
        assert cfg.identity_center is not None and grants(cfg)


def test_every_preset_policy_is_a_known_aws_managed_policy() -> None:
    known = aws_managed_policies()
    assert len(known) > 1000
    for preset, values in PRESETS.items():
        assert set(values["managed_policies"]) <= known, preset
    assert {p.value for p in PermissionSetPreset} == {"Administrator", "PowerUser", "ReadOnly", "SecurityAudit",
                                                      "Billing", "BreakGlass"}


@pytest.mark.parametrize(("duration", "seconds"), [("PT1H", 3600), ("PT12H", 43200), ("PT1H30M", 5400),
                                                   ("PT90M", 5400), ("P1D", None), ("8h", None), ("PT", None)])
def test_iso_8601_durations(duration: str, seconds: int | None) -> None:
    assert session_seconds(duration) == seconds


@pytest.mark.parametrize("duration", ["PT30M", "PT13H", "PT12H1M", "8 hours"])
def test_session_duration_outside_one_to_twelve_hours(duration: str) -> None:
    sets = [{"name": "Short", "managed_policies": ["ReadOnlyAccess"], "session_duration": duration}]
    found = problems(data(permission_sets=sets, assignments=[], break_glass_group=None))
    assert list(found) == ["identity_center.permission_sets[0].session_duration"]
    assert "PT1H" in found["identity_center.permission_sets[0].session_duration"]


def test_names_of_permission_sets_and_groups() -> None:
    found = problems(data(permission_sets=[{"name": "has space", "preset": "ReadOnly"}],
                          groups=[{"name": "bad:name"}], assignments=[], break_glass_group=None))
    assert set(found) == {"identity_center.permission_sets[0].name", "identity_center.groups[0].name"}
    assert "1 to 32" in found["identity_center.permission_sets[0].name"]


def test_duplicate_names() -> None:
    found = problems(data(permission_sets=[{"name": "ReadOnly", "preset": "ReadOnly"}] * 2,
                          groups=[{"name": "Ops"}, {"name": "ops"}], assignments=[], break_glass_group=None))
    assert "declared twice" in found["identity_center.permission_sets[1].name"]
    assert "declared twice" in found["identity_center.groups[1].name"]


def test_unknown_group_permission_set_and_target_with_suggestions() -> None:
    assignments = [{"group": "Developer", "permission_set": "ReadOnli", "targets": ["Workload/Prod"]}]
    found = problems(data(assignments=assignments))
    assert "did you mean 'Developers'?" in found["identity_center.assignments[0].group"]
    assert "did you mean 'ReadOnly'?" in found["identity_center.assignments[0].permission_set"]
    assert "did you mean 'Workloads/Prod'?" in found["identity_center.assignments[0].targets[0]"]


def test_unknown_aws_managed_policy() -> None:
    sets = [{"name": "Typo", "managed_policies": ["ReadOnlyAcess"]},
            {"name": "Newer", "managed_policies": ["arn:aws:iam::aws:policy/SomethingFrom2027"]},
            {"name": "Boundary", "preset": "PowerUser", "permissions_boundary": {"managed_policy": "PowerUsers"}}]
    found = problems(data(permission_sets=sets, assignments=[], break_glass_group=None))
    assert set(found) == {"identity_center.permission_sets[0].managed_policies[0]",
                          "identity_center.permission_sets[2].permissions_boundary.managed_policy"}
    assert "did you mean 'ReadOnlyAccess'?" in found["identity_center.permission_sets[0].managed_policies[0]"]
    assert "full ARN" in found["identity_center.permission_sets[0].managed_policies[0]"]


def test_a_permission_set_that_grants_nothing_and_a_bad_inline_policy() -> None:
    found = problems(data(permission_sets=[{"name": "Empty"}], assignments=[], break_glass_group=None))
    assert "grants nothing" in found["identity_center.permission_sets[0]"]
    found = problems(data(permission_sets=[{"name": "Inline", "inline_policy": {"Effect": "Allow"}}],
                          assignments=[], break_glass_group=None))
    assert "Statement" in found["identity_center.permission_sets[0].inline_policy"]


def test_management_account_refused_for_any_group_but_break_glass() -> None:
    assignments = [{"group": "Platform-Admins", "permission_set": "Administrator", "targets": ["Root", "management"]},
                   {"group": "BreakGlass", "permission_set": "BreakGlass", "targets": ["management"]}]
    found = problems(data(assignments=assignments))
    assert list(found) == ["identity_center.assignments[0].targets[1]"]
    assert "only the break-glass group" in found["identity_center.assignments[0].targets[1]"]
    # Without a declared break-glass group nobody may be assigned there.
    found = problems(data(assignments=assignments[1:], break_glass_group=None))
    assert list(found) == ["identity_center.assignments[0].targets[0]"]


def test_root_never_reaches_the_management_account() -> None:
    cfg = validate_config(data())
    reached = {g.account for g in grants(cfg) if g.group == "Platform-Admins"}
    assert reached == {a.name for a in cfg.accounts}
    assert {g.group for g in grants(cfg) if g.account == "management"} == {"BreakGlass"}


def test_break_glass_group_and_users_must_be_declared() -> None:
    found = problems(data(break_glass_group="Breakglass",
                          break_glass_iam_users=[{"account": "productin", "user_name": "emergency"}]))
    assert "did you mean 'BreakGlass'?" in found["identity_center.break_glass_group"]
    assert "did you mean 'production'?" in found["identity_center.break_glass_iam_users[0].account"]


def test_administrator_account_defaults_to_shared_services_and_is_never_management() -> None:
    cfg: LandingZoneConfig = validate_config(data())
    assert cfg.identity_center is not None and cfg.identity_center.administrator_account is None
    found = problems(data(administrator_account="management"))
    assert "must not administer" in found["identity_center.administrator_account"]
    small = preset_data("small")
    small["identity_center"] = identity_center_data(small)
    found = problems(small)
    assert "shared-services" in found["identity_center.administrator_account"]


def test_instance_arn_and_store_id_formats_and_together() -> None:
    found = problems(data(instance_arn="ssoins-123", identity_store_id="store"))
    assert set(found) == {"identity_center.instance_arn", "identity_center.identity_store_id"}
    found = problems(data(instance_arn="arn:aws:sso:::instance/ssoins-1234567890abcdef"))
    assert "together" in found["identity_center.identity_store_id"]


def test_schema_documents_every_field() -> None:
    defs = json_schema()["$defs"]
    for model in ("IdentityCenterConfig", "PermissionSet", "IdentityCenterGroup", "Assignment", "BreakGlassUser",
                  "PermissionsBoundary", "CustomerManagedPolicy"):
        for name, prop in defs[model]["properties"].items():
            assert prop.get("description"), f"{model}.{name} has no docstring"
