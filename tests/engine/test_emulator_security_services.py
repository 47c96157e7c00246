"""Stage security_services with every service chosen (Inspector, Macie and Detective too), through the real engine
and the emulated plugin, on the small preset in two regions: `up --stage security_services` (which applies the
organization and security stages it needs), then a preview that finds nothing to do and a refresh that finds
no drift, what AWS (moto, or the
emulator's state for what moto lacks) then holds, and a destroy of the stage that leaves none of it behind.

The medium preset with the default services is provisioned and audited in test_provision_then_audit.py; this one
covers the optional services and the round trip of every type (no drift after apply, clean deletion).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from landingzone.config import validate_config
from landingzone.presets import preset_data
from tests.engine.conftest import Aws
from tests.engine.engine_support import run_cli, write_config

pytestmark = pytest.mark.engine

ALL = ["guardduty", "securityhub", "config", "access-analyzer", "inspector", "macie", "detective"]


def test_every_service_applied_without_drift_then_destroyed(engine_env: dict[str, str], pulumi_cli: Any, aws: Aws,
                                                            tmp_path: Path) -> None:
    data = preset_data("small")
    data["aws"] = {"endpoint": engine_env["AWS_ENDPOINT_URL"]}
    data["governed_regions"] = ["us-east-1", "eu-west-1"]
    data["close_default_security_groups"] = False
    data["organization"] = {"security_services": ALL}
    data["security_services"] = {
        "inspector": {"enabled": True}, "macie": {"enabled": True}, "detective": {"enabled": True},
        "access_analyzer": {"unused_access": True},
        "notifications": {"email": ["soc@example.com"], "https": ["https://hooks.example.com/findings"],
                          "minimum_severity": "MEDIUM"}}
    cfg = validate_config(data)
    directory = tmp_path / "lz"
    directory.mkdir()
    path = write_config(cfg, directory)
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}
    env["LANDINGZONE_PULUMI"] = str(pulumi_cli.path)

    up = run_cli(["up", "--config", str(path), "--stage", "security_services", "--yes", "--json"], env=env,
                 cwd=directory, timeout=1200)
    assert up.returncode == 0, up.stderr[-4000:]
    again = run_cli(["preview", "--config", str(path), "--stage", "security_services", "--detailed-exitcode"],
                    env=env, cwd=directory, timeout=900)
    assert again.returncode == 0, (again.stdout[-4000:], again.stderr[-2000:])

    # A refresh reads every resource back: nothing is gone and nothing drifted.
    refreshed = run_cli(["refresh", "--config", str(path), "--stage", "security_services", "--json"], env=env,
                        cwd=directory, timeout=900)
    assert refreshed.returncode == 0, refreshed.stderr[-4000:]
    changed = {s["stack"]: s["resources"] for s in json.loads(refreshed.stdout)["stacks"] if s["resources"]}
    assert changed == {}, json.dumps(changed, indent=1)[:6000]

    outputs = json.loads(run_cli(["outputs", "--config", str(path), "--json"], env=env, cwd=directory).stdout)
    security = outputs["organization"]["account_ids"][cfg.security_account.name]
    members = sorted(i for n, i in outputs["organization"]["account_ids"].items() if n != cfg.security_account.name)
    services = outputs["security_services"]
    assert services["enabled_services"] == ALL
    for region in cfg.governed_regions:
        inspector = aws.client("inspector2", account=security, region=region)
        assert inspector.describe_organization_configuration()["autoEnable"] == {
            "ec2": True, "ecr": True, "lambda": True, "lambdaCode": False}
        statuses = inspector.batch_get_account_status(accountIds=[security, *members])["accounts"]
        assert {s["accountId"] for s in statuses if s["state"]["status"] == "ENABLED"} == {security, *members}
        assert aws.client("macie2", account=security, region=region).get_macie_session()["status"] == "ENABLED"
        detector = services["guardduty_detector_ids"][region]
        features = aws.client("guardduty", account=security, region=region).get_detector(
            DetectorId=detector)["Features"]
        assert {f["Name"] for f in features if f["Status"] == "ENABLED"} == {
            p.value for p in cfg.security_services.guardduty.protection_plans}
    state = json.loads(Path(engine_env["LANDINGZONE_EMULATOR_STATE"]).read_text())["security_services"]
    for kind in ("macie_members", "detective_members"):
        assert sorted(len(records) for records in state[kind][security].values()) == [len(members)] * 2, kind
    assert {r: list(v) for r, v in state["detective_organization"][security].items()} == {
        r: [services["detective_graph_arns"][r]] for r in cfg.governed_regions}
    analyzers = state["access_analyzers"][security]
    assert sorted(a["type"] for records in analyzers.values() for a in records.values()) == [
        "ORGANIZATION", "ORGANIZATION", "ORGANIZATION_UNUSED_ACCESS"]
    topic = services["security_topic_arn"]
    subscriptions = aws.client("sns", account=security).list_subscriptions_by_topic(TopicArn=topic)
    assert sorted(s["Protocol"] for s in subscriptions["Subscriptions"]) == ["email", "https"]
    events = aws.client("events", account=security, region="eu-west-1")
    (rule,) = events.list_rules()["Rules"]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == f"arn:aws:events:us-east-1:{security}:event-bus/default" and target["RoleArn"]

    destroyed = run_cli(["destroy", "--config", str(path), "--stage", "security_services", "--yes"], env=env,
                        cwd=directory, timeout=900)
    assert destroyed.returncode == 0, destroyed.stderr[-4000:]
    state = json.loads(Path(engine_env["LANDINGZONE_EMULATOR_STATE"]).read_text())["security_services"]
    kept = ("removed", "securityhub_admins", "detective_admins")  # the designations belong to stage security
    left = {kind: records for kind, records in state.items() if kind not in kept
            and any(region for by_region in records.values() for region in by_region.values())}
    assert left == {}, left
    assert aws.client("sns", account=security).list_topics()["Topics"] == []
    assert aws.client("guardduty", account=security).list_detectors()["DetectorIds"] == []
