"""protect-security-services keeps allowing what stage security_services does, to the principal it runs as, even
where the guardrail covers the Security account (attached to the root); anyone else is still denied."""

from __future__ import annotations

import pytest

from landingzone.config import validate_config
from landingzone.policies.simulator import PolicyTree, simulate
from landingzone.presets import preset_data
from stacks.config_recording import BASELINE_ACTIONS
from stacks.security_services import STAGE_ACTIONS, stage_principal_arn

SECURITY_ID = "222222222222"
PRODUCTION_ID = "333333333333"
DEVELOPER = f"arn:aws:iam::{SECURITY_ID}:role/developer"


def _tree() -> tuple[PolicyTree, str]:
    data = preset_data("medium")
    data["management_account"]["id"] = "999999999999"
    for guard in data["guardrails"]:
        if guard["id"] == "protect-security-services":
            guard["targets"] = ["Root"]  # over the Security account too
    cfg = validate_config(data)
    return (PolicyTree.from_config(cfg, account_ids={"security": SECURITY_ID, "production": PRODUCTION_ID}),
            stage_principal_arn(cfg, SECURITY_ID))


TREE, STAGE = _tree()
GUARDED = [a for a in STAGE_ACTIONS if simulate(a, DEVELOPER, "security", "us-east-1", tree=TREE).decision
           == "denied"]


def test_the_guardrail_covers_some_of_the_stages_actions() -> None:
    # Without this the test below would prove nothing: these are the actions the exemption must let through.
    assert {"guardduty:UpdateDetector", "guardduty:DeleteDetector", "config:DeleteConfigurationAggregator",
            "access-analyzer:DeleteAnalyzer"} <= set(GUARDED)
    for action in GUARDED:
        verdict = simulate(action, DEVELOPER, "security", "us-west-2", tree=TREE)
        assert verdict.policy == "protect-security-services", (action, verdict.reason)


@pytest.mark.parametrize("action", STAGE_ACTIONS)
def test_the_stage_principal_may_do_everything_the_stage_does(action: str) -> None:
    for region in ("us-east-1", "us-west-2"):
        verdict = simulate(action, STAGE, "security", region, tree=TREE)
        assert verdict.decision == "allowed", (action, region, verdict.reason)


def test_the_stage_principal_is_the_access_role_of_the_security_account() -> None:
    assert STAGE == f"arn:aws:iam::{SECURITY_ID}:role/OrganizationAccountAccessRole"


@pytest.mark.parametrize("action", BASELINE_ACTIONS)
def test_each_accounts_baseline_may_run_aws_config_and_nobody_else_may_stop_it(action: str) -> None:
    """Stage baseline runs as the access role of each member account: the guardrail lets it set up (and, on
    destroy, remove) the recorders, and still denies a developer of that account stopping or deleting them."""
    baseline = f"arn:aws:iam::{PRODUCTION_ID}:role/OrganizationAccountAccessRole"
    developer = f"arn:aws:iam::{PRODUCTION_ID}:role/developer"
    for region in ("us-east-1", "us-west-2"):
        verdict = simulate(action, baseline, "production", region, tree=TREE)
        assert verdict.decision == "allowed", (action, region, verdict.reason)
    if action.startswith(("config:Stop", "config:Delete", "config:Put")):
        assert simulate(action, developer, "production", "us-east-1", tree=TREE).decision == "denied", action
