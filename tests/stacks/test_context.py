"""The stage context: UNKNOWN upstream values, lookups, the registry, and the no-boto3/no-environment rule."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import stacks
from landingzone.config import partition
from stacks.base import UNKNOWN

from .helpers import applied_organization, config, run_stage

STACKS_DIR = Path(stacks.__file__).parent


def test_unknown_is_a_singleton_that_survives_pickling() -> None:
    # The orchestrator hands upstream outputs to worker processes.
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
    assert pickle.loads(pickle.dumps({"organization": UNKNOWN}))["organization"] is UNKNOWN
    assert repr(UNKNOWN) == "UNKNOWN"


def test_registry_order_dependencies_and_scopes() -> None:
    assert [s.name for s in stacks.STAGES] == ["organization", "regions", "security", "logging", "baseline",
                                               "security_services", "guardrails", "network", "access",
                                               "management_access", "governance"]
    by_name = {s.name: s for s in stacks.STAGES}
    assert by_name["regions"].depends_on == ("organization",)
    assert by_name["security"].depends_on == ("organization", "regions")
    assert by_name["logging"].depends_on == ("organization", "security", "regions")
    assert by_name["security_services"].depends_on == ("organization", "security", "regions")
    assert by_name["security_services"].scope == "security"
    assert by_name["guardrails"].depends_on == ("organization",)
    assert by_name["network"].depends_on == ("organization", "regions")
    # With stage security_services registered, governance reads its findings topic (budget alerts go there).
    assert by_name["governance"].depends_on == ("organization", "security_services")
    assert by_name["access"].depends_on == ("organization", "regions", "security")
    assert by_name["access"].scope == "delegated-admin"
    assert by_name["management_access"].depends_on == ("organization", "regions", "security", "access")
    assert by_name["management_access"].scope == "management"
    # baseline's AWS Config recorders deliver to logging's Config bucket
    assert by_name["baseline"].depends_on == ("organization", "regions", "logging")
    assert by_name["baseline"].scope == "account"
    # baseline sets what guardrails such as deny-s3-block-public-access-changes then freeze: it runs first
    assert [s.name for s in stacks.STAGES].index("baseline") < [s.name for s in stacks.STAGES].index("guardrails")
    assert by_name["network"].scope == "account" and by_name["logging"].scope == "security"
    seen: set[str] = set()
    for st in stacks.STAGES:  # dependencies come first
        assert set(st.depends_on) <= seen, st.name
        seen.add(st.name)


def test_account_added_after_the_organization_was_applied_is_known_after_apply() -> None:
    cfg = config("medium")
    applied = applied_organization(cfg)
    del applied["account_ids"]["development"]  # the organization stage ran before this account was configured
    plan = run_stage("baseline", cfg, upstream={"organization": applied}, account="development")
    assert plan.named("account-development").inputs["assumeRoles"] == "(known after apply)"
    plan = run_stage("baseline", cfg, upstream={"organization": applied}, account="production")
    assert applied["account_ids"]["production"] in plan.named("account-production").inputs["assumeRoles"]


def test_upstream_stage_given_as_unknown_is_like_a_missing_one() -> None:
    cfg = config("small")
    plan = run_stage("network", cfg, upstream={"organization": UNKNOWN}, account="production")
    assert plan.named("account-production").inputs["assumeRoles"] == "(known after apply)"


def test_partition_from_region() -> None:
    assert partition("us-east-1") == "aws"
    assert partition("cn-north-1") == "aws-cn"
    assert partition("us-gov-west-1") == "aws-us-gov"
    assert partition("eusc-de-east-1") == "aws-eusc"  # AWS European Sovereign Cloud


def test_stage_programs_never_call_boto3_nor_read_the_environment() -> None:
    forbidden_modules = {"boto3", "botocore", "subprocess", "requests", "urllib"}
    for path in sorted(STACKS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                names = set()
            assert not names & forbidden_modules, f"{path.name}:{node.lineno} imports {names & forbidden_modules}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"environ", "getenv", "environb"}, f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Name):
                assert node.id not in {"getenv", "environ"}, f"{path.name}:{node.lineno}"
