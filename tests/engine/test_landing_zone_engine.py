"""The landing zone's real stages, driven by the orchestrator, on the real pulumi CLI and Automation API, against
the emulated aws plugin (tests/emulator) backed by a moto server (fixtures in conftest.py). Issue 5, 4a-4f.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.orchestrator import Orchestrator
from landingzone.presets import preset_data
from tests.engine.conftest import Aws
from tests.engine.engine_support import run_cli, write_config

pytestmark = pytest.mark.engine

BASELINES = tuple(f"baseline[{a}]" for a in ("management", "security", "log-archive", "shared-services", "production",
                                              "development"))
"""The medium preset's baseline stacks: the management account and its five member accounts, in that order."""
STAGES = ("organization", "regions", "security", "logging", *BASELINES, "security_services", "guardrails",
          "network[production]",
          "network[development]", "governance")


def medium(endpoint: str, **changes: Any) -> LandingZoneConfig:
    from landingzone.config import validate_config

    data = preset_data("medium")
    data["aws"] = {"endpoint": endpoint}
    data.update(changes)
    return validate_config(data)


@pytest.fixture
def landing_zone(engine_env: dict[str, str], pulumi_cli: Any, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> tuple[LandingZoneConfig, Path]:
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(pulumi_cli.path))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)  # the configuration decides the backend
    cfg = medium(engine_env["AWS_ENDPOINT_URL"])
    directory = tmp_path / "lz"
    directory.mkdir()
    return cfg, write_config(cfg, directory)


def _orch(cfg: LandingZoneConfig, path: Path, seen: list[ev.Event] | None = None) -> Orchestrator:
    return Orchestrator(cfg, path, on_event=(seen.append if seen is not None else None), concurrency=2)


def test_fresh_landing_zone_preview_then_up_then_no_changes(landing_zone: tuple[LandingZoneConfig, Path],
                                                             aws: Aws) -> None:
    """4a and 4b."""
    cfg, path = landing_zone
    seen: list[ev.Event] = []
    orch = _orch(cfg, path, seen)
    preview = orch.preview()
    assert [s.ref.label for s in preview.stacks] == list(STAGES)
    for stack in preview.stacks:
        if stack.ref.label == "regions":  # the preset governs no opt-in region: only the stack itself
            assert stack.counts == {"create": 1}, stack.counts
            continue
        assert stack.counts.get("create", 0) > 1, (stack.ref.label, stack.counts)
    creates = {(e.stage, e.type) for e in seen if isinstance(e, ev.ResourceOp) and e.op == "create"}
    assert ("organization", "aws:organizations/organization:Organization") in creates
    assert ("network", "aws:ec2/securityGroup:SecurityGroup") in creates

    up = orch.up()
    assert [s.ref.label for s in up.stacks] == list(STAGES)
    org = aws.client("organizations")
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    names = {a["Name"] for a in org.list_accounts()["Accounts"]}
    assert {"security", "log-archive", "production", "development", "shared-services"} <= names
    outputs = orch.outputs()
    assert set(outputs) == {"organization", "regions", "security", "baseline", "logging", "security_services",
                            "guardrails", "network", "governance"}


def _changed(result: Any) -> dict[str, list[tuple[str, str, str]]]:
    """stack label -> [(op, type, name)] of the resources that change."""
    return {s.ref.label: sorted((r.op, r.type, r.name) for r in s.resources if r.changes) for s in result.stacks}


def _pending(result: Any) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    return [(s.ref.label, r.op, r.type, r.name, r.diff_keys) for s in result.stacks for r in s.resources
            if r.changes]


def _scp_targets(org: Any) -> dict[str, set[str]]:
    """SCP name -> ids of the targets it is attached to, read from moto."""
    found: dict[str, set[str]] = {}
    for policy in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]:
        targets = org.list_targets_for_policy(PolicyId=policy["Id"])["Targets"]
        found[policy["Name"]] = {t["TargetId"] for t in targets}
    return found


def test_lifecycle_no_changes_config_changes_drift_and_destroy(landing_zone: tuple[LandingZoneConfig, Path],
                                                               engine_env: dict[str, str], aws: Aws) -> None:
    """4b, 4c, 4d, 4e and 4i on one landing zone (an `up` of the medium preset takes a while here)."""
    cfg, path = landing_zone
    orch = _orch(cfg, path)
    orch.up()

    # 4b: a second preview right after finds nothing to do, and the CLI says so with its exit code.
    again = orch.preview()
    assert not again.has_changes, _pending(again)
    clean = run_cli(["preview", "--config", str(path), "--detailed-exitcode"], env=dict(os.environ),
                    cwd=path.parent)
    assert clean.returncode == 0, clean.stderr[-3000:]

    # 4c: a development account, one more SCP, one more role-to-role rule: exactly those, then only those.
    data = cfg.model_dump(mode="json", exclude_none=True)
    data["accounts"].append({"name": "development-b", "email": "aws-development-b@example.com",
                             "kind": "development", "ou": "Workloads/NonProd"})
    data["guardrails"].append({"id": "deny-iam-users", "targets": ["Workloads/Prod"]})
    data["network"][0]["rules"].append({"source": "web", "target": "db", "port": 5432})
    from landingzone.config import validate_config

    changed_cfg = validate_config(data)
    write_config(changed_cfg, path.parent)
    orch = _orch(changed_cfg, path)
    planned = orch.preview()
    changes = _changed(planned)
    ops = {op for stack_ops in changes.values() for op, _, _ in stack_ops}
    # the one delete: deny-iam-users now covers Workloads/Prod, where the baseline keeps no password policy
    deletes = [(label, t, n) for label, stack_ops in changes.items() for op, t, n in stack_ops if op == "delete"]
    assert deletes == [("baseline[production]", "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
                        "password-policy")], changes
    assert ops <= {"create", "update", "delete"}, changes
    assert changes["organization"] == [("create", "aws:organizations/account:Account", "account-development-b")]
    assert changes["guardrails"] and all("deny-iam-users" in n for _, _, n in changes["guardrails"]), changes
    assert {t for _, t, _ in changes["guardrails"]} == {"aws:organizations/policy:Policy",
                                                        "aws:organizations/policyAttachment:PolicyAttachment"}
    assert [n for _, _, n in changes["network[production]"]] == ["web-to-db-tcp-5432-egress",
                                                                 "web-to-db-tcp-5432-ingress"]
    assert changes["network[development]"] == []
    # consequences: the new account's baseline (its own stack; security holds no per-account resources), and the
    # Athena table's account projection
    assert changes["security"] == [], changes
    assert changes["baseline[development-b]"] and {op for op, _, _ in changes["baseline[development-b]"]} == {
        "create"}
    assert ("create", "aws:iam/role:Role", "development-b-LandingZoneAdministrator") in changes[
        "baseline[development-b]"]
    assert all(changes[f"baseline[{a.name}]"] == [] for a in cfg.accounts if a.name != "production")
    assert changes["logging"] in ([], [("update", "aws:glue/catalogTable:CatalogTable", "athena-cloudtrail-table")])
    applied = orch.up()
    assert _changed(applied) == changes
    assert {op for s in applied.stacks for op, n in s.counts.items() if n and op != "same"} == ops
    org = aws.client("organizations")
    assert "development-b" in {a["Name"] for a in org.list_accounts()["Accounts"]}
    assert "deny-iam-users" in " ".join(_scp_targets(org))
    after = orch.preview()
    assert not after.has_changes, _pending(after)

    # 4d: an SCP detached by hand is drift: refresh reports it, up restores it.
    targets = _scp_targets(org)
    name = next(n for n in targets if "deny-iam-users" in n)
    policy_id = next(p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
                     if p["Name"] == name)
    (target,) = targets[name]
    org.detach_policy(PolicyId=policy_id, TargetId=target)
    refreshed = orch.refresh()
    drift = {s.ref.label: s.changed for s in refreshed.stacks if s.changed}
    assert drift == {"guardrails": 1}, [(s.ref.label, s.counts) for s in refreshed.stacks]
    restored = orch.up()
    assert {s.ref.label: s.counts.get("create", 0) for s in restored.stacks if s.changed} == {"guardrails": 1}
    assert _scp_targets(org)[name] == {target}

    # 4i: neither the passphrase nor the AWS secret key is in the state, the work dirs or the CLI's output.
    secrets_seen = [engine_env["PULUMI_CONFIG_PASSPHRASE"], engine_env["AWS_SECRET_ACCESS_KEY"]]
    files = [p for p in path.parent.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" and ".pulumi" in p.parts for p in files)
    for secret in secrets_seen:
        assert secret not in clean.stdout + clean.stderr
        for file in files:
            assert secret.encode() not in file.read_bytes(), file

    # 4e: destroy lists what goes, keeps the protected organization and accounts, removes the rest.
    ids = orch.outputs()["organization"]["account_ids"]
    destroyed = run_cli(["destroy", "--config", str(path), "--yes"], env=dict(os.environ), cwd=path.parent)
    assert destroyed.returncode == 0, destroyed.stderr[-3000:]
    assert "destroy would remove" in destroyed.stdout and "protected resources" in destroyed.stdout
    assert "aws:organizations/policy:Policy" in destroyed.stdout
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    assert {"security", "production", "development", "development-b"} <= {a["Name"] for a in
                                                                          org.list_accounts()["Accounts"]}
    assert set(_scp_targets(org)) == {"FullAWSAccess"}
    # the trail's logs and the access logs are audit evidence: their buckets outlive the landing zone
    log_id = ids["log-archive"]
    buckets = [b["Name"] for b in aws.client("s3", account=log_id).list_buckets()["Buckets"]]
    assert any("-org-trail-" in b for b in buckets) and any("-s3-access-" in b for b in buckets), buckets
    ec2 = aws.client("ec2", account=ids["production"])
    groups = [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]]
    assert groups == ["default"] or set(groups) == {"default"}, groups
    for secret in secrets_seen:
        assert secret not in destroyed.stdout + destroyed.stderr


def test_s3_state_backend_survives_a_new_process(engine_env: dict[str, str], pulumi_cli: Any, aws: Aws,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """4f: state in moto's S3; a new process on a machine without the work dirs (a fresh CI runner) finds it."""
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(pulumi_cli.path))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    endpoint = engine_env["AWS_ENDPOINT_URL"]
    aws.client("s3").create_bucket(Bucket="lz-state")
    host = endpoint.removeprefix("http://")
    cfg = medium(endpoint, state={"backend_url": f"s3://lz-state?endpoint={host}&disableSSL=true&"
                                                 "s3ForcePathStyle=true&region=us-east-1"})
    directory = tmp_path / "lz"
    directory.mkdir()
    path = write_config(cfg, directory)
    env = dict(os.environ)
    applied = run_cli(["up", "--config", str(path), "--stage", "organization", "--yes"], env=env, cwd=directory)
    assert applied.returncode == 0, applied.stderr[-3000:]
    keys = [o["Key"] for o in aws.client("s3").list_objects_v2(Bucket="lz-state").get("Contents", [])]
    assert any(k.endswith("acme-landing-zone-organization.json") for k in keys), keys
    assert not (directory / ".landingzone" / "state").exists(), "nothing may go to the default file backend"

    import shutil

    shutil.rmtree(directory / ".landingzone")
    again = run_cli(["preview", "--config", str(path), "--stage", "organization", "--detailed-exitcode"], env=env,
                    cwd=directory)
    assert again.returncode == 0, again.stderr[-3000:]
    outputs = run_cli(["outputs", "--config", str(path), "--json"], env=env, cwd=directory)
    assert outputs.returncode == 0, outputs.stderr[-3000:]
    org_id = aws.client("organizations").describe_organization()["Organization"]["Id"]
    import json

    assert json.loads(outputs.stdout)["organization"]["organization_id"] == org_id
