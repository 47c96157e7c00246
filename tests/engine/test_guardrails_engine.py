"""Issue 12 on the real engine: the medium preset's organization and guardrails stages, with their RCP, EC2
declarative policy and S3 policy, applied through the CLI on the emulator; a second `preview
--detailed-exitcode` then finds nothing to do. One landing zone for the module (an `up` takes a while here).

moto stores RCPs itself; it refuses DECLARATIVE_POLICY_EC2 and S3_POLICY, which the emulator keeps in its own
state file (tests/emulator/org_policies.py, README).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from landingzone.config import validate_config
from landingzone.presets import preset_data
from tests.engine.conftest import EMULATOR_DIR, REGION, Aws, running_moto_server
from tests.engine.engine_support import require_pulumi, run_cli, write_config

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    pulumi = require_pulumi()
    root = tmp_path_factory.mktemp("guardrails-engine")
    with running_moto_server(root / "moto.log") as endpoint, pytest.MonkeyPatch.context() as patch:
        (root / "pulumi-home").mkdir()
        env = {
            "AWS_ACCESS_KEY_ID": "AKIAEMULATORTESTKEY", "AWS_SECRET_ACCESS_KEY": "emulator-" + secrets.token_hex(8),
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": str(root / "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(root / "no-creds"),
            "AWS_EC2_METADATA_DISABLED": "true", "PATH": f"{EMULATOR_DIR}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(root / "pulumi-home"), "PULUMI_CONFIG_PASSPHRASE": "p-" + secrets.token_hex(8),
            "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "LANDINGZONE_EMULATOR_STATE": str(root / "emulator-state.json"), "LANDINGZONE_PULUMI": str(pulumi.path),
        }
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE_FILE",
                    "PULUMI_IGNORE_AMBIENT_PLUGINS", "PULUMI_BACKEND_URL"):
            patch.delenv(var, raising=False)
        for key, value in env.items():
            patch.setenv(key, value)
        data = preset_data("medium")
        data["aws"] = {"endpoint": endpoint}
        directory = root / "lz"
        directory.mkdir()
        path = write_config(validate_config(data), directory)
        for stage in ("organization", "guardrails"):
            up = run_cli(["up", "--config", str(path), "--stage", stage, "--yes"], env=dict(os.environ),
                         cwd=directory, timeout=900)
            assert up.returncode == 0, up.stderr[-3000:]
        yield {"path": path, "aws": Aws(endpoint), "state": root / "emulator-state.json"}


def test_second_preview_finds_nothing_to_do(applied: dict[str, Any]) -> None:
    path: Path = applied["path"]
    for stage in ("organization", "guardrails"):
        again = run_cli(["preview", "--config", str(path), "--stage", stage, "--detailed-exitcode"],
                        env=dict(os.environ), cwd=path.parent, timeout=600)
        assert again.returncode == 0, (stage, again.stdout[-2000:], again.stderr[-3000:])


def test_every_policy_type_is_enabled_created_and_attached(applied: dict[str, Any]) -> None:
    org = applied["aws"].client("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    rcps = {p["Name"]: p["Id"] for p in org.list_policies(Filter="RESOURCE_CONTROL_POLICY")["Policies"]}
    trail_rcp = rcps["acme-landing-zone-rcp-protect-organization-trail"]
    assert {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=trail_rcp)["Targets"]} == {root}
    content = json.loads(org.describe_policy(PolicyId=trail_rcp)["Policy"]["Content"])
    assert org.describe_organization()["Organization"]["Id"] in json.dumps(content), "the real organization id"
    kept = json.loads(applied["state"].read_text())
    assert sorted(kept["org_policy_types"]) == ["DECLARATIVE_POLICY_EC2", "S3_POLICY"]
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    assert "ec2.amazonaws.com" in kept["trusted_access"][management]  # for the declarative policies' report
    by_name = {p["name"]: (pid, p) for pid, p in kept["org_policies"].items()}
    for name, policy_type in (("acme-landing-zone-ec2-declarative-baseline", "DECLARATIVE_POLICY_EC2"),
                              ("acme-landing-zone-s3-block-public-access", "S3_POLICY")):
        pid, policy = by_name[name]
        assert policy["type"] == policy_type
        assert {a["targetId"] for a in kept["org_policy_attachments"].values() if a["policyId"] == pid} == {root}
