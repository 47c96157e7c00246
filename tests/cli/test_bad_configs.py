"""Bad configurations, run through the CLI's entry point (in this process: the same parsing, messages and exit
codes as the installed command): one clear problem per mistake, each naming its field, exit code 2, never a
traceback."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from landingzone.presets import preset_data
from tests.cli.conftest import run_in_process as run_cli

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _append(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path.split("."):
            node = node[int(part)] if part.isdigit() else node.setdefault(part, [])
        node.append(value)
    return mutate


def _delete(path: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[int(parts[-1]) if parts[-1].isdigit() else parts[-1]]
    return mutate


def _deep_ous(doc: dict[str, Any]) -> None:
    doc["organizational_units"].append(
        {"name": "L1", "children": [{"name": "L2", "children": [{"name": "L3", "children": [
            {"name": "L4", "children": [{"name": "L5", "children": [{"name": "L6"}]}]}]}]}]})


# (case id, mutation, expected field paths, a fragment of the message)
CASES: list[tuple[str, Mutation, list[str], str]] = [
    ("email-no-domain", _set("accounts.2.email", "prod@"), ["accounts[2].email"], "is not an email address"),
    ("email-no-at", _set("accounts.0.email", "security.example.com"), ["accounts[0].email"], "not an email"),
    ("mgmt-email", _set("management_account.email", "root"), ["management_account.email"], "not an email"),
    ("bad-name", _set("name", "Acme_LZ"), ["name"], "is not a valid name"),
    ("unknown-home-region", _set("home_region", "us-east-9"), ["home_region"], "not a known AWS region"),
    ("unknown-governed-region", _set("governed_regions", ["us-east-1", "mars-north-1"]), ["governed_regions"],
     "not known AWS region"),
    ("home-not-governed", _set("governed_regions", ["us-west-2"]), ["governed_regions"], "must be one of the governed"),
    ("unknown-kind", _set("accounts.3.kind", "prod"), ["accounts[3].kind"], "Input should be"),
    ("duplicate-name", _set("accounts.2.name", "production"), ["accounts[3].name"], "must be unique"),
    ("duplicate-email", _set("accounts.4.email", "aws-production@example.com"), ["accounts[4].email"],
     "needs its own email"),
    ("two-security", _set("accounts.1.kind", "security"), ["accounts[1].kind"], "exactly one account of kind"),
    ("no-security", _delete("accounts.0"), ["accounts"], "exactly one account of kind 'security'"),
    ("member-is-management", _set("accounts.3.email", "aws-management@example.com"), ["accounts[3].email"],
     "management account's email"),
    ("prod-dev-share-account", lambda d: (d["accounts"][3].update(existing_id="111111111111"),
                                          d["accounts"][4].update(existing_id="111111111111")),
     ["accounts[4].existing_id"], "production and development must never share an account"),
    ("bad-account-id", _set("accounts.3.existing_id", "12345"), ["accounts[3].existing_id"], "twelve digits"),
    ("ou-unresolved", _set("accounts.3.ou", "Workloads/Production"), ["accounts[3].ou"], "is not an OU path"),
    ("ou-too-deep", _deep_ous, ["organizational_units[4].children[0].children[0].children[0].children[0].children[0]"],
     "at most 5"),
    ("ou-duplicate-sibling", _append("organizational_units", {"name": "Sandbox"}), ["organizational_units[4].name"],
     "appears twice"),
    ("ou-name-slash", _set("organizational_units.0.name", "Sec/urity"), ["organizational_units[0].name"],
     "not a valid OU name"),
    ("guardrail-target-unknown", _set("guardrails.0.targets", ["Workloads/Nope"]), ["guardrails[0].targets[0]"],
     "neither 'Root', an OU path nor an account name"),
    ("guardrail-no-targets", _set("guardrails.0.targets", []), ["guardrails[0].targets"], "at least 1"),
    ("network-unknown-role", _set("network.0.rules.0.source", "cache"), ["network[0].rules[0].source"],
     "is not a declared role"),
    ("network-bad-cidr", _set("network.0.edge_ingress.0.cidr", "10.0.0.300/8"), ["network[0].edge_ingress[0].cidr"],
     "not a valid CIDR"),
    ("network-ssh-from-internet", _append("network.0.edge_ingress", {"role": "app", "cidr": "0.0.0.0/0", "port": 22}),
     ["network[0].edge_ingress[1].cidr"], "admin port 22"),
    ("network-rdp-from-internet-v6", _append("network.0.edge_ingress", {"role": "app", "cidr": "::/0", "port": 3389}),
     ["network[0].edge_ingress[1].cidr"], "admin port 3389"),
    ("network-unknown-account", _set("network.0.account", "prod"), ["network[0].account"], "is not an account name"),
    ("network-both-vpcs", _set("network.0.vpc_id", "vpc-0123456789abcdef0"), ["network[0].vpc_id"],
     "exactly one of vpc_id"),
    ("network-security-account", _set("network.0.account", "security"), ["network[0].account"],
     "network settings are for workload accounts"),
    ("network-bad-port", _set("network.0.rules.0.port", 70000), ["network[0].rules[0].port"], "less than or equal"),
    ("lake-retention", lambda d: d.setdefault("logging", {}).update(query_layer="lake", lake_retention_days=5000),
     ["logging.lake_retention_days"], "outside 7..3653"),
    ("query-layer-unknown", lambda d: d.setdefault("logging", {}).update(query_layer="splunk"),
     ["logging.query_layer"], "Input should be"),
    ("unknown-field", _set("acounts", []), ["acounts"], "unknown field"),
    ("missing-management", _delete("management_account"), ["management_account"], "required field is missing"),
    ("not-confirmed-new", _set("management_account.new_and_empty", False), ["management_account.new_and_empty"],
     "confirm that the management account is new"),
    ("bad-org-admin-path", lambda d: d.update(org_admin={"path": "org-admin"}), ["org_admin.path"], "not an IAM path"),
]


@pytest.mark.parametrize(("case", "mutate", "paths", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_config_reports_each_problem(tmp_path: Path, case: str, mutate: Mutation, paths: list[str],
                                         fragment: str) -> None:
    doc = copy.deepcopy(preset_data("medium"))
    mutate(doc)
    path = tmp_path / "landingzone.yaml"
    with path.open("w") as fh:
        YAML().dump(doc, fh)
    proc = run_cli("validate", "--config", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    noun = "problem" if len(paths) == 1 else "problems"
    assert f"{len(paths)} configuration {noun}:" in proc.stderr, proc.stderr
    problem_lines = [line.strip() for line in proc.stderr.splitlines()[1:] if line.strip()]
    assert len(problem_lines) == len(paths), proc.stderr
    for expected, line in zip(paths, problem_lines, strict=True):
        assert line.startswith(f"{expected}: "), (expected, line)
    assert fragment in proc.stderr


def test_at_least_25_cases() -> None:
    assert len(CASES) >= 25


def test_several_problems_reported_at_once(tmp_path: Path) -> None:
    doc = preset_data("medium")
    doc["accounts"][2]["email"] = "prod@"
    doc["home_region"] = "moon-1"
    doc["accounts"][0]["kind"] = "nope"
    path = tmp_path / "lz.yaml"
    with path.open("w") as fh:
        YAML().dump(doc, fh)
    proc = run_cli("validate", "-c", str(path))
    assert proc.returncode == 2
    assert "3 configuration problems:" in proc.stderr
    for where in ("home_region:", "accounts[2].email:", "accounts[0].kind:"):
        assert where in proc.stderr


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "lz.yaml"
    path.write_text("name: acme\naccounts: [\n  {name: a,\n")
    proc = run_cli("validate", "-c", str(path))
    assert proc.returncode == 2
    assert "not valid YAML" in proc.stderr and "line " in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    proc = run_cli("validate", "-c", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert "landingzone init" in proc.stderr
