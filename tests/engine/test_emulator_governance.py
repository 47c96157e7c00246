"""Stages regions and governance on the real pulumi CLI and Automation API, against the emulated aws plugin
(tests/emulator) and a moto server: root access features, alternate contacts, budgets and an opt-in region
applied, then a preview finds nothing to change (`preview --detailed-exitcode` exits 0).

One provisioning for the module (an `up` of the three stages). What moto lacks is kept in the emulator's state
(tests/emulator/README.md): IAM's organization features, trusted access for iam.amazonaws.com, region opt-in;
contacts and budgets are moto's own Account and Budgets APIs, read back here over HTTP.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from landingzone.config import LandingZoneConfig, validate_config
from landingzone.orchestrator import Orchestrator, RunResult
from landingzone.presets import preset_data
from tests.engine.conftest import MANAGEMENT_ACCOUNT, Aws, engine_environment, running_moto_server
from tests.engine.engine_support import run_cli, write_config

pytestmark = pytest.mark.engine

SECURITY = {"name": "Security team", "title": "Security", "email": "security@example.com", "phone": "+1 206 555 0100"}
PROD_SECURITY = {**SECURITY, "name": "Prod on-call", "email": "prod-oncall@example.com"}


@dataclass
class Governed:
    cfg: LandingZoneConfig
    path: Path
    env: dict[str, str]
    aws: Aws
    applied: list[RunResult]

    @property
    def account_ids(self) -> dict[str, str]:
        org = self.aws.client("organizations")
        return {a["Name"]: a["Id"] for a in org.list_accounts()["Accounts"]}

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(Path(self.env["LANDINGZONE_EMULATOR_STATE"]).read_text())
        return data


def _config(endpoint: str) -> LandingZoneConfig:
    data = preset_data("medium")
    data["aws"] = {"endpoint": endpoint}
    data["governed_regions"] = ["us-east-1", "eu-south-1"]  # eu-south-1 is opt-in
    data["governance"] = {
        "alternate_contacts": {"security": SECURITY},
        "budgets": {"default": {"monthly_limit_usd": 100, "emails": ["finops@example.com"]},
                    "by_ou": {"Workloads": {"monthly_limit_usd": 2500, "emails": ["workloads@example.com"],
                                            "alerts": [{"percent": 90}]}}},
    }
    for acct in data["accounts"]:
        if acct["name"] == "production":
            acct["alternate_contacts"] = {"security": PROD_SECURITY}
    return validate_config(data)


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory, pulumi_cli: Any) -> Iterator[Governed]:
    tmp = tmp_path_factory.mktemp("governance")
    with running_moto_server(tmp / "moto.log") as moto, pytest.MonkeyPatch.context() as patch:
        engine_environment(moto, tmp, patch)
        patch.setenv("LANDINGZONE_PULUMI", str(pulumi_cli.path))
        patch.delenv("PULUMI_BACKEND_URL", raising=False)  # the configuration decides the backend
        cfg = _config(moto)
        directory = tmp / "lz"
        directory.mkdir()
        path = write_config(cfg, directory)
        orch = Orchestrator(cfg, path, concurrency=2)
        applied = [orch.up("regions"), orch.up("governance")]
        yield Governed(cfg, path, dict(os.environ), Aws(moto), applied)


def test_the_stages_applied_what_the_configuration_says(governed: Governed) -> None:
    labels = [[s.ref.label for s in result.stacks] for result in governed.applied]
    # governance reads the findings topic of stage security_services (budgets alert it), so it runs that stage
    # and what it needs first
    assert labels == [["organization", "regions"],
                      ["organization", "regions", "security", "security_services", "governance"]]
    state = governed.state()
    org = governed.aws.client("organizations").describe_organization()["Organization"]
    # Centralized root access: trusted access for IAM (kept by the emulator: moto refuses the principal) and
    # both features.
    assert "iam.amazonaws.com" in state["trusted_access"][MANAGEMENT_ACCOUNT]
    assert state["iam_organizations_features"][org["Id"]] == ["RootCredentialsManagement", "RootSessions"]
    principals = {p["ServicePrincipal"] for p in governed.aws.client("organizations")
                  .list_aws_service_access_for_organization()["EnabledServicePrincipals"]}
    assert "account.amazonaws.com" in principals


def test_alternate_contacts_on_every_account_with_the_override(governed: Governed) -> None:
    account = governed.aws.client("account")
    ids = governed.account_ids
    for acct in governed.cfg.accounts:
        contact = account.get_alternate_contact(AccountId=ids[acct.name], AlternateContactType="SECURITY")
        expected = PROD_SECURITY if acct.name == "production" else SECURITY
        assert contact["AlternateContact"]["EmailAddress"] == expected["email"], acct.name
        assert contact["AlternateContact"]["Name"] == expected["name"]
    own = account.get_alternate_contact(AlternateContactType="SECURITY")  # the management account's own
    assert own["AlternateContact"]["EmailAddress"] == SECURITY["email"]


def test_budgets_in_the_management_account_one_per_member(governed: Governed) -> None:
    budgets = governed.aws.client("budgets")
    ids = governed.account_ids
    found = {b["BudgetName"]: b for b in budgets.describe_budgets(AccountId=MANAGEMENT_ACCOUNT)["Budgets"]}
    assert set(found) == {f"acme-landing-zone-{a.name}-monthly" for a in governed.cfg.accounts}
    prod = found["acme-landing-zone-production-monthly"]
    assert float(prod["BudgetLimit"]["Amount"]) == 2500 and prod["TimeUnit"] == "MONTHLY"
    assert prod["CostFilters"] == {"LinkedAccount": [ids["production"]]}
    assert float(found["acme-landing-zone-security-monthly"]["BudgetLimit"]["Amount"]) == 100
    notes = budgets.describe_notifications_for_budget(AccountId=MANAGEMENT_ACCOUNT,
                                                      BudgetName="acme-landing-zone-production-monthly")
    assert [(n["NotificationType"], n["Threshold"]) for n in notes["Notifications"]] == [("ACTUAL", 90)]


def test_the_opt_in_region_is_enabled_in_every_account(governed: Governed) -> None:
    regions = governed.state()["enabled_regions"]
    ids = governed.account_ids
    for acct in governed.cfg.accounts:
        assert regions[ids[acct.name]] == {"eu-south-1": "ENABLED"}, acct.name
    assert regions[MANAGEMENT_ACCOUNT] == {"eu-south-1": "ENABLED"}


@pytest.mark.parametrize("stage", ["regions", "governance"])
def test_preview_after_up_finds_nothing_to_change(governed: Governed, stage: str) -> None:
    result = run_cli(["preview", "--config", str(governed.path), "--stage", stage, "--detailed-exitcode"],
                     env=governed.env, cwd=governed.path.parent)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])


def test_destroy_of_the_governance_stage_removes_what_it_set(governed: Governed) -> None:
    """Last in the module: it takes down what the other tests read."""
    orch = Orchestrator(governed.cfg, governed.path, concurrency=2)
    result = orch.destroy("governance")
    assert [s.ref.label for s in result.stacks] == ["governance"]
    org_id = governed.aws.client("organizations").describe_organization()["Organization"]["Id"]
    assert org_id not in governed.state().get("iam_organizations_features", {})
    assert governed.aws.client("budgets").describe_budgets(AccountId=MANAGEMENT_ACCOUNT)["Budgets"] == []
    account = governed.aws.client("account")
    production = governed.account_ids["production"]
    with pytest.raises(account.exceptions.ResourceNotFoundException):
        account.get_alternate_contact(AccountId=production, AlternateContactType="SECURITY")
