"""`landingzone policies ...` as a user runs it, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from landingzone import config as lzconfig
from landingzone.policies.catalog import default_catalog
from landingzone.presets import preset, preset_data
from tests.cli.conftest import REPO, run_cli

SEED_MINIFIED = ('{"Version":"2012-10-17","Statement":[{"Sid":"DenyRoleModificationUnderOrgAdminPath","Effect":"Deny",'
                 '"Action":["iam:UpdateRole","iam:ChangePassword","iam:DeleteRole"],'
                 '"Resource":"arn:aws:iam::*:role/org-admin/*"}]}')


def _write_config(tmp_path: Path, data: dict[str, object] | None = None) -> Path:
    path = tmp_path / "landingzone.yaml"
    cfg = lzconfig.validate_config(data) if data is not None else preset("medium")
    path.write_text(lzconfig.commented_yaml(cfg))
    return path


def test_list_shows_every_guardrail(tmp_path: Path) -> None:
    proc = run_cli("policies", "list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for gid in default_catalog().ids():
        assert gid in proc.stdout
    for label in ("SCP", "RCP", "declarative (EC2)", "S3 policy"):
        assert label in proc.stdout
    proc = run_cli("policies", "list", "--json", cwd=tmp_path)
    listed = json.loads(proc.stdout)
    assert {g["id"] for g in listed} == set(default_catalog().ids())
    assert {g["id"]: g["policy_type"] for g in listed}["rcp-s3-require-tls"] == "RESOURCE_CONTROL_POLICY"
    assert all(g["source"]["url"].startswith("https://") for g in listed)


def test_show_prints_the_seed_example_on_stdout(tmp_path: Path) -> None:
    proc = run_cli("policies", "show", "protect-org-admin-roles", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == SEED_MINIFIED + "\n"
    assert "protect-org-admin-roles: SCP (SERVICE_CONTROL_POLICY)" in proc.stderr
    proc = run_cli("policies", "show", "ec2-declarative-baseline", cwd=tmp_path)
    assert json.loads(proc.stdout)["ec2_attributes"]["serial_console_access"] == {"status": {"@@assign": "disabled"}}
    assert "DECLARATIVE_POLICY_EC2" in proc.stderr
    proc = run_cli("policies", "show", "rcp-identity-perimeter", cwd=tmp_path)
    assert "o-pendingorgid stands for the organization's id" in proc.stderr
    proc = run_cli("policies", "show", "rcp-identity-perimeter", "-p", "organization_id=o-abcdefghij", cwd=tmp_path)
    assert "o-abcdefghij" in proc.stdout and "o-pendingorgid" not in proc.stdout + proc.stderr


def test_show_with_params_and_config(tmp_path: Path) -> None:
    proc = run_cli("policies", "show", "deny-unapproved-regions", "--param", "allowed_regions=eu-west-1,eu-central-1",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    stmt = json.loads(proc.stdout)["Statement"][0]
    assert stmt["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["eu-west-1", "eu-central-1"]
    # Without --param, the configuration's governed regions are the default.
    data = preset_data("medium")
    data["governed_regions"] = ["us-east-1", "ap-southeast-2"]
    config = _write_config(tmp_path, data)
    proc = run_cli("policies", "show", "deny-unapproved-regions", "--config", str(config), cwd=tmp_path)
    stmt = json.loads(proc.stdout)["Statement"][0]
    assert stmt["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["us-east-1", "ap-southeast-2"]
    proc = run_cli("policies", "show", "require-imdsv2", "-p", "max_hop_limit=1", "--pretty", cwd=tmp_path)
    assert '"ec2:MetadataHttpPutResponseHopLimit": "1"' in proc.stdout


def test_show_bad_input_is_a_short_error(tmp_path: Path) -> None:
    proc = run_cli("policies", "show", "deny-root-users", cwd=tmp_path)
    assert proc.returncode == 2
    assert "did you mean 'deny-root-user'" in proc.stderr
    proc = run_cli("policies", "show", "deny-unapproved-regions", "-p", "allowed_regions=mars-1", cwd=tmp_path)
    assert proc.returncode == 2
    assert "'mars-1' is not a known AWS region" in proc.stderr
    proc = run_cli("policies", "show", "require-imdsv2", "-p", "hops=3", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no parameter 'hops'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_lint_files(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(default_catalog().render("deny-leave-organization"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "cloudtrail:StopLoging", "Resource": "*"}]}, indent=2))
    proc = run_cli("policies", "lint", str(good), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "good.json (SCP): clean" in proc.stdout
    proc = run_cli("policies", "lint", str(good), str(bad), cwd=tmp_path)
    assert proc.returncode == 1
    assert "UNKNOWN_ACTION" in proc.stdout
    assert "fix: Use cloudtrail:StopLogging." in proc.stdout
    rcp = tmp_path / "rcp.json"
    rcp.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "ec2:RunInstances", "Resource": "*"}]}))
    proc = run_cli("policies", "lint", str(rcp), cwd=tmp_path)
    assert proc.returncode == 1
    assert "rcp.json (RCP): error RCP_PRINCIPAL_NOT_STAR" in proc.stdout
    assert "RCP_UNSUPPORTED_SERVICE" in proc.stdout
    proc = run_cli("policies", "lint", "--type", "scp", str(good), cwd=tmp_path)
    assert proc.returncode == 0 and "good.json (SCP): clean" in proc.stdout
    proc = run_cli("policies", "lint", str(tmp_path / "missing.json"), cwd=tmp_path)
    assert proc.returncode == 1 and "missing.json does not exist" in proc.stderr


def test_lint_reads_files_and_stdin_within_bounds(tmp_path: Path) -> None:
    """A policy file is untrusted input: a special file, an oversized file or stdin beyond the bound, and binary
    content are refused with one line naming the file, never read without limit or left blocking."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody writes to it: opening it for a blocking read would hang
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:
        f.truncate(64 * 1024 * 1024)  # sparse: 64 MiB reported, nothing on disk
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"Version": "2012-10-17"\0}')
    cases = [
        (fifo, "pipe.json is a FIFO (named pipe), not a regular file"),
        (Path("/dev/zero"), "/dev/zero is a character device, not a regular file"),
        (huge, "huge.json is 67,108,864 bytes; a policy file may be at most 1,048,576 bytes (1 MiB)"),
        (binary, "NUL byte at byte offset 24"),
    ]
    for path, message in cases:
        proc = run_cli("policies", "lint", str(path), cwd=tmp_path, timeout=30)
        assert proc.returncode == 1, (path, proc.stdout, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr, (path, proc.stderr)
    too_much = subprocess.run(
        [sys.executable, "-m", "landingzone", "policies", "lint", "-"], cwd=tmp_path, input=b" " * (2 * 1024 * 1024),
        capture_output=True, timeout=30, check=False, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert too_much.returncode == 1
    assert b"<stdin> holds more than 1,048,576 bytes" in too_much.stderr
    fine = subprocess.run(
        [sys.executable, "-m", "landingzone", "policies", "lint", "-"], cwd=tmp_path, capture_output=True,
        input=default_catalog().render("deny-leave-organization").encode(), timeout=30, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"})
    assert fine.returncode == 0 and b"clean" in fine.stdout, fine.stdout + fine.stderr


def test_lint_plan_of_a_preset_is_clean_and_reports_crowded_targets(tmp_path: Path) -> None:
    config = _write_config(tmp_path)
    proc = run_cli("policies", "lint", "--plan", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "protect-org-admin-roles-strict (planned SCP): clean" in proc.stdout
    assert "rcp-protect-organization-trail (planned RCP): clean" in proc.stdout
    assert "ec2-declarative-baseline (planned declarative (EC2)): clean" in proc.stdout
    assert "s3-block-public-access (planned S3 policy): clean" in proc.stdout
    assert "attachments (planned): clean" in proc.stdout
    assert "exemptions (planned): clean" in proc.stdout
    data = preset_data("medium")
    ids = [g for g in default_catalog().ids() if g != "protect-org-admin-roles"
           and default_catalog().get(g).policy_type == "SERVICE_CONTROL_POLICY"][:10]
    data["guardrails"] = [{"id": gid, "targets": ["Workloads"]} for gid in ids]
    crowded = _write_config(tmp_path, data)
    proc = run_cli("policies", "lint", "--plan", "--config", str(crowded), cwd=tmp_path)
    assert proc.returncode == 1
    assert "TOO_MANY_ATTACHMENTS" in proc.stdout and "would have 11 SCPs attached" in proc.stdout


def test_simulate(tmp_path: Path) -> None:
    config = _write_config(tmp_path)
    base = ["policies", "simulate", "--config", str(config), "--principal", "arn:aws:iam::111111111111:role/dev"]
    proc = run_cli(*base, "--action", "ec2:RunInstances", "--account", "production", "--region", "eu-west-1",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("DENIED by deny-unapproved-regions (DenyUnapprovedRegions) at OU Workloads")
    proc = run_cli(*base, "--action", "ec2:CreateVpc", "--ou", "Workloads/Prod", "--region", "us-west-2", "--json",
                   cwd=tmp_path)
    verdict = json.loads(proc.stdout)
    assert verdict["decision"] == "allowed" and verdict["policy"] == "FullAWSAccess"
    proc = run_cli(*base, "--action", "ec2:RunInstances", "--account", "production", "--region", "us-east-1",
                   "--resource", "arn:aws:ec2:us-east-1:111111111111:instance/*",
                   "--context", "ec2:MetadataHttpTokens=optional", cwd=tmp_path)
    assert "DENIED by require-imdsv2 (RequireImdsV2AtLaunch)" in proc.stdout and "[SCP]" in proc.stdout
    proc = run_cli(*base, "--action", "s3:GetObject", "--account", "nobody", cwd=tmp_path)
    assert proc.returncode != 0 and "'nobody' is neither an account name nor an account id" in proc.stderr
    proc = run_cli(*base, "--action", "s3:GetObject", cwd=tmp_path)
    assert proc.returncode != 0 and "exactly one of --account" in proc.stderr
    # RCPs, for the resource's account: a principal outside the organization and the trail bucket.
    outsider = ["policies", "simulate", "--config", str(config), "--principal", "arn:aws:iam::444455556666:role/x",
                "--action", "s3:GetObject", "--resource-account", "log-archive", "--region", "us-east-1",
                "--resource", "arn:aws:s3:::acme-landing-zone-org-trail-1/AWSLogs/log.json.gz"]
    proc = run_cli(*outsider, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("DENIED by rcp-protect-organization-trail (TrailBucketOrgIdentitiesOnly) at Root "
                                  "[RCP]"), proc.stdout
    proc = run_cli(*outsider, "--json", cwd=tmp_path)
    assert json.loads(proc.stdout)["policy_type"] == "RESOURCE_CONTROL_POLICY"
    # An account setting locked by the S3 policy.
    proc = run_cli(*base, "--action", "s3:PutAccountPublicAccessBlock", "--account", "production", "--region",
                   "us-east-1", cwd=tmp_path)
    assert proc.stdout.startswith("DENIED by s3-block-public-access (public_access_block_configuration) at Root "
                                  "[S3 policy]"), proc.stdout


def test_validate_reports_unknown_guardrail_ids_with_their_field_path(tmp_path: Path) -> None:
    config = _write_config(tmp_path)
    text = config.read_text().replace("id: deny-root-user", "id: deny-root-users")
    assert text != config.read_text()
    config.write_text(text)
    proc = run_cli("validate", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 2
    assert "guardrails[1].id: 'deny-root-users' is not a guardrail in the library; did you mean 'deny-root-user'" \
        in proc.stderr
