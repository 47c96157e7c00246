"""Validation of the governance settings (field paths and fixes), the closure quota as data, the shape hints."""

from __future__ import annotations

from typing import Any

import pytest

from landingzone.config import (
    ACCOUNT_CLOSURE_QUOTA,
    Account,
    AccountState,
    GuardrailAssignment,
    LandingZoneConfig,
    json_schema,
    validate_config,
)
from landingzone.config.governance import account_budget, account_contacts, governance_principals
from landingzone.errors import ConfigError
from landingzone.presets import preset_data

CONTACT = {"name": "Sec", "title": "Security", "email": "sec@example.com", "phone": "+1 206 555 0100"}


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    found: dict[str, str] = {}
    for p in caught.value.problems:  # several problems on one path: all of their messages
        found[p.path] = f"{found[p.path]}\n{p.message}" if p.path in found else p.message
    return found


SUSPENDED_GUARD = {"id": "deny-all-suspended", "targets": ["Suspended"]}
"""The library's deny-all guardrail on the Suspended OU, which validation requires for a suspended account."""


def _medium(**changes: Any) -> dict[str, Any]:
    data = preset_data("medium")
    data.update(changes)
    return data


def test_defaults_turn_root_access_on_and_set_nothing_else() -> None:
    cfg = validate_config(_medium())
    assert cfg.governance.root_access.centralized
    assert cfg.governance.enable_opt_in_regions
    assert cfg.governance.alternate_contacts.by_type() == {}
    assert all(account_budget(cfg, a) is None for a in cfg.accounts)
    assert governance_principals(cfg) == ["iam.amazonaws.com", "account.amazonaws.com"]


def test_closure_quota_is_data_and_the_docstring_follows_it() -> None:
    quota = ACCOUNT_CLOSURE_QUOTA
    assert (quota.percent, quota.minimum, quota.window_days, quota.since.isoformat()) == (20, 250, 30, "2026-06-23")
    assert quota.allowed(100) == 250 and quota.allowed(1250) == 250 and quota.allowed(5000) == 1000
    described = Account.model_fields["close_on_deletion"].description or ""
    assert quota.describe() in described and "10%" not in described
    schema = json_schema()
    assert "20% of member accounts (minimum 250)" in schema["$defs"]["Account"]["properties"]["close_on_deletion"][
        "description"]


def test_every_governance_field_is_documented() -> None:
    from landingzone.config.governance import (
        AlternateContact,
        AlternateContacts,
        BudgetAlert,
        BudgetsConfig,
        BudgetSettings,
        GovernanceConfig,
        RootAccessConfig,
    )

    for model in (AlternateContact, AlternateContacts, BudgetAlert, BudgetsConfig, BudgetSettings, GovernanceConfig,
                  RootAccessConfig):
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no docstring"
    for name in ("state", "alternate_contacts", "budget"):
        assert Account.model_fields[name].description
    assert LandingZoneConfig.model_fields["governance"].description


def test_contacts_fall_back_type_by_type() -> None:
    own = {**CONTACT, "email": "prod-sec@example.com"}
    data = _medium(governance={"alternate_contacts": {"security": CONTACT, "billing": {**CONTACT, "title": "Bill"}}})
    data["accounts"][3]["alternate_contacts"] = {"security": own}
    cfg = validate_config(data)
    prod = account_contacts(cfg, cfg.account("production"))
    assert prod["SECURITY"].email == "prod-sec@example.com" and prod["BILLING"].title == "Bill"
    assert account_contacts(cfg, cfg.account("security"))["SECURITY"].email == "sec@example.com"


@pytest.mark.parametrize(("contact", "path", "fragment"), [
    ({**CONTACT, "email": "not-an-address"}, "governance.alternate_contacts.security.email", "not an email"),
    ({**CONTACT, "phone": "call me"}, "governance.alternate_contacts.security.phone", "not a phone number"),
    ({k: v for k, v in CONTACT.items() if k != "title"}, "governance.alternate_contacts.security.title",
     "required field is missing"),
])
def test_bad_contacts_name_the_field(contact: dict[str, str], path: str, fragment: str) -> None:
    problems = _problems(_medium(governance={"alternate_contacts": {"security": contact}}))
    assert fragment in problems[path]


def test_a_suspended_account_needs_the_suspended_ou_and_cannot_be_the_security_account() -> None:
    data = _medium()
    data["accounts"][4]["state"] = "suspended"
    data["network"] = [n for n in data["network"] if n["account"] != "development"]
    problems = _problems(data)
    assert "'Suspended' OU, which is not declared" in problems["accounts[4].state"]
    assert "- name: Suspended" in problems["accounts[4].state"]
    data["organizational_units"].append({"name": "Suspended"})
    data["guardrails"].append(SUSPENDED_GUARD)
    cfg = validate_config(data)
    assert cfg.account("development").state is AccountState.SUSPENDED
    data["accounts"][0]["state"] = "suspended"
    assert "cannot be suspended" in _problems(data)["accounts[0].state"]


def test_a_suspended_account_keeps_no_network_settings() -> None:
    data = _medium()
    data["organizational_units"].append({"name": "Suspended"})
    data["guardrails"].append(SUSPENDED_GUARD)
    data["accounts"][4]["state"] = "suspended"
    assert "remove its network settings" in _problems(data)["network[1].account"]


def test_budgets_resolve_account_then_nearest_ou_then_default() -> None:
    data = _medium(governance={"budgets": {
        "default": {"monthly_limit_usd": 10, "emails": ["a@example.com"]},
        "by_ou": {"Workloads": {"monthly_limit_usd": 20, "emails": ["a@example.com"]},
                  "Workloads/Prod": {"monthly_limit_usd": 30, "emails": ["a@example.com"]}}}})
    data["accounts"][4]["budget"] = {"monthly_limit_usd": 40, "emails": ["b@example.com"]}
    cfg = validate_config(data)
    limits = {a.name: (b.monthly_limit_usd if (b := account_budget(cfg, a)) else None) for a in cfg.accounts}
    assert limits == {"security": 10, "log-archive": 10, "shared-services": 10, "production": 30, "development": 40}


@pytest.mark.parametrize(("budgets", "path", "fragment"), [
    ({"by_ou": {"Workloads/Staging": {"monthly_limit_usd": 5, "emails": ["a@example.com"]}}},
     "governance.budgets.by_ou.Workloads/Staging", "not an OU path; use one of"),
    ({"default": {"monthly_limit_usd": 5}}, "governance.budgets.default.emails", "at least one address"),
    ({"default": {"monthly_limit_usd": 0, "emails": ["a@example.com"]}}, "governance.budgets.default.monthly_limit_usd",
     "greater than 0"),
    ({"default": {"monthly_limit_usd": 5, "emails": ["a@example.com", "A@example.com"]}},
     "governance.budgets.default.emails", "appears twice"),
    ({"default": {"monthly_limit_usd": 5, "emails": [f"a{i}@example.com" for i in range(11)]}},
     "governance.budgets.default.emails", "at most 10"),
    ({"default": {"monthly_limit_usd": 5, "emails": ["a@example.com"], "alerts": []}},
     "governance.budgets.default.alerts", "at least 1"),
])
def test_bad_budgets_name_the_field_and_the_fix(budgets: dict[str, Any], path: str, fragment: str) -> None:
    problems = _problems(_medium(governance={"budgets": budgets}))
    assert fragment in problems[path], problems


def test_region_deny_never_opens_a_region_the_landing_zone_does_not_govern() -> None:
    data = _medium()
    index = next(i for i, g in enumerate(data["guardrails"]) if g["id"] == "deny-unapproved-regions")
    data["guardrails"][index]["parameters"] = {"allowed_regions": ["us-east-1", "eu-west-1"]}
    message = _problems(data)[f"guardrails[{index}].parameters.allowed_regions"]
    assert "allows eu-west-1, which governed_regions does not list" in message
    # Tighter than the governed regions on some targets is a choice, not an inconsistency.
    data["guardrails"][index]["parameters"] = {"allowed_regions": ["us-east-1"]}
    validate_config(data)


@pytest.mark.parametrize(("field", "value", "path", "example"), [
    ("network", {"production": {"vpc_cidr": "10.0.0.0/16"}}, "network", "      - {account: production"),
    ("accounts", {"security": {"kind": "security"}}, "accounts", "      - {name: production"),
    ("governed_regions", "us-east-1", "governed_regions", "      - us-east-1"),
    ("logging", ["athena"], "logging", "      {trail_name: organization-trail"),
    ("governance", {"budgets": {"by_ou": ["Workloads"]}}, "governance.budgets.by_ou", "      {Workloads/Prod:"),
])
def test_a_value_of_the_wrong_shape_gets_a_two_line_example(field: str, value: Any, path: str,
                                                           example: str) -> None:
    message = _problems(_medium(**{field: value}))[path]
    head, *lines = message.splitlines()
    assert "for example:" in head
    assert len(lines) == 2 and lines[1].startswith(example), message


def test_a_suspended_account_needs_the_libraries_deny_all_guardrail_on_the_suspended_ou() -> None:
    from landingzone.config.governance import SUSPENDED_GUARDRAIL, suspended_guardrail_problems

    data = _medium()
    data["organizational_units"].append({"name": "Suspended"})
    data["accounts"][2]["state"] = "suspended"
    problems = _problems(data)  # the library has the guardrail, so validation asks for it
    assert "- {id: deny-all-suspended, targets: [Suspended]}" in problems["accounts[2].state"]
    cfg = validate_config({**data, "guardrails": [*data["guardrails"], SUSPENDED_GUARD]})
    cfg = cfg.model_copy(update={"guardrails": [g for g in cfg.guardrails if g.id != SUSPENDED_GUARDRAIL]})
    library = ["deny-root-user", SUSPENDED_GUARDRAIL]
    (problem,) = suspended_guardrail_problems(cfg, library)
    assert problem.path == "accounts[2].state"
    assert "- {id: deny-all-suspended, targets: [Suspended]}" in problem.message
    assert list(suspended_guardrail_problems(cfg, ["deny-root-user"])) == []  # a library without it: nothing to ask
    guarded = cfg.model_copy(update={"guardrails": [*cfg.guardrails, GuardrailAssignment(
        id=SUSPENDED_GUARDRAIL, targets=["Suspended"])]})
    assert list(suspended_guardrail_problems(guarded, library)) == []
