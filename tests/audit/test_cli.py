"""`landingzone audit` as a user runs it: a subprocess against the moto server, exit codes by threshold, every
output format, SARIF validated against the pinned SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.audit.helpers import MOTO_GAPS
from tests.audit.moto_org import build_organization

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


def run_audit_cli(endpoint: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("AWS_PROFILE", None)
    return subprocess.run([sys.executable, "-m", "landingzone", "audit", "--aws-endpoint", endpoint, *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def org_missing_access_logging(fresh_moto: str) -> str:
    """One medium finding (LZ-LOG-007) and nothing else."""
    build_organization(fresh_moto, ["no-access-logging"])
    return fresh_moto


def test_sarif_is_valid_and_exit_code_follows_the_threshold(org_missing_access_logging: str,
                                                            tmp_path: Path) -> None:
    sarif_path = tmp_path / "audit.sarif"
    failed = run_audit_cli(org_missing_access_logging, tmp_path, "--format", "sarif", "--fail-on", "medium",
                           "--output", str(sarif_path))
    assert failed.returncode == 7, failed.stderr
    doc = json.loads(sarif_path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["LZ-LOG-007"]
    rule = run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]
    assert rule["id"] == "LZ-LOG-007"
    assert rule["properties"]["cis"] == {"v3.0": "3.4", "v5.0": "3.4", "v7.0": "4.4"}
    assert run["results"][0]["level"] == "warning"
    assert run["properties"]["scores"]["organization-trail"] < 100

    passed = run_audit_cli(org_missing_access_logging, tmp_path, "--format", "json", "--fail-on", "high")
    assert passed.returncode == 0, passed.stderr
    data = json.loads(passed.stdout)
    assert [f["id"] for f in data["findings"]] == ["LZ-LOG-007"]
    assert {s["practice"]: s["score"] for s in data["scores"]}["organization-trail"] == 91  # 10 of 11 checks pass
    assert {(n["service"], n["operation"]) for n in data["not_visible"]} == MOTO_GAPS


def test_table_and_markdown(org_missing_access_logging: str, tmp_path: Path) -> None:
    table = run_audit_cli(org_missing_access_logging, tmp_path, "--fail-on", "low")
    assert table.returncode == 7
    assert "LZ-LOG-007" in table.stdout and "Score per practice" in table.stdout
    assert "put-bucket-logging" in table.stdout  # the fix is shown
    markdown = run_audit_cli(org_missing_access_logging, tmp_path, "--format", "markdown")
    assert markdown.returncode == 0
    assert "| LZ-LOG-007 | medium |" in markdown.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml"], "--format"),
    (["--fail-on", "critical"], "--fail-on"),
])
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_audit_cli("http://127.0.0.1:9", tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_help_has_an_example() -> None:
    result = subprocess.run([sys.executable, "-m", "landingzone", "audit", "--help"], capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 0
    assert "Example:" in result.stdout and "landingzone audit --config" in result.stdout


def test_audit_with_a_configuration(fresh_moto: str, tmp_path: Path) -> None:
    """With --config: governed regions, account kinds and the endpoint come from the file (the medium preset,
    whose account names are the test organization's)."""
    from landingzone.config import commented_yaml, validate_config
    from landingzone.presets import preset_data

    build_organization(fresh_moto, regions=("us-east-1", "us-west-2"))
    data = preset_data("medium")
    data["aws"] = {"endpoint": fresh_moto}
    config = tmp_path / "landingzone.yaml"
    config.write_text(commented_yaml(validate_config(data)), encoding="utf-8")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    result = subprocess.run([sys.executable, "-m", "landingzone", "audit", "--config", str(config), "--format",
                             "json", "--fail-on", "low"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert data["accounts_audited"] == 6
