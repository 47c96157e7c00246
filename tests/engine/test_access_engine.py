"""The medium preset with an identity_center section: `landingzone up --stage management_access` (which runs
organization, security, access and management_access) through the real engine and the emulated plugin into a
moto server, then `landingzone audit`: no finding of the access checks; then an IAM user with a console password
in a member account gives exactly that finding. One provisioning for the module.

moto bridges: the Identity Center delegation to shared-services is kept in the emulator's state (moto refuses
sso.amazonaws.com; tests/emulator/README.md); the audit reads Identity Center from the management account, which
needs no delegation, so nothing of it is copied into moto. moto runs in this process only so that IAM's
ListOrganizationsFeatures (which moto lacks and the audit's governance reads call) can be answered, as
tests/audit/moto_org.enable_root_features does; the governance findings are not this test's.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from landingzone.config import validate_config
from landingzone.presets import identity_center_data, preset_data
from tests.audit.moto_org import enable_root_features
from tests.engine.conftest import EMULATOR_DIR, REGION, Aws
from tests.engine.engine_support import moto_in_process, require_pulumi, run_cli, write_config

pytestmark = pytest.mark.engine

ACCESS_CHECKS = ("LZ-IDC-001", "LZ-IDC-002", "LZ-IDC-003")


@pytest.fixture(scope="module")
def provisioned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    pulumi = require_pulumi()
    tmp = tmp_path_factory.mktemp("access")
    with moto_in_process() as moto:
        env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN",
                                                                "PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN")}
        (tmp / "home").mkdir()
        env.update({
            "AWS_ACCESS_KEY_ID": "AKIAEMULATORTESTKEY", "AWS_SECRET_ACCESS_KEY": "emulator-" + secrets.token_hex(8),
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": moto,
            "AWS_CONFIG_FILE": str(tmp / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "none"),
            "AWS_EC2_METADATA_DISABLED": "true", "PATH": f"{EMULATOR_DIR}{os.pathsep}{env.get('PATH', '')}",
            "PULUMI_HOME": str(tmp / "home"), "PULUMI_CONFIG_PASSPHRASE": "emulator-" + secrets.token_hex(8),
            "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "LANDINGZONE_EMULATOR_STATE": str(tmp / "emulator-state.json"), "LANDINGZONE_PULUMI": str(pulumi.path),
        })
        # An external group, created as an identity provider provisions it (SCIM) before landingzone runs.
        creds = {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
                 "region_name": REGION, "endpoint_url": moto}
        (instance,) = boto3.client("sso-admin", **creds).list_instances()["Instances"]
        scim_group = boto3.client("identitystore", **creds).create_group(
            IdentityStoreId=instance["IdentityStoreId"], DisplayName="Security-Auditors")["GroupId"]
        data = preset_data("medium")
        data["aws"] = {"endpoint": moto}
        data["identity_center"] = identity_center_data(data)
        for group in data["identity_center"]["groups"]:
            if group["name"] == "Security-Auditors":
                group.update(external=True, description="")
        # A customer managed policy and a boundary exercise every permission set resource type.
        data["identity_center"]["permission_sets"].append({
            "name": "Deployer", "managed_policies": ["PowerUserAccess"],
            "customer_managed_policies": [{"name": "deploy-extra", "path": "/landingzone/"}],
            "inline_policy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]},
            "permissions_boundary": {"managed_policy": "PowerUserAccess"}})
        data["identity_center"]["assignments"].append(
            {"group": "Developers", "permission_set": "Deployer", "targets": ["Workloads/NonProd"]})
        cfg = validate_config(data)
        directory = tmp / "lz"
        directory.mkdir()
        path = write_config(cfg, directory)
        applied = run_cli(["up", "--config", str(path), "--stage", "management_access", "--yes", "--json"],
                          env=env, cwd=directory, timeout=1800)
        assert applied.returncode == 0, applied.stderr[-4000:]
        outputs = json.loads(run_cli(["outputs", "--config", str(path), "--json"], env=env, cwd=directory).stdout)
        enable_root_features([])  # the governance reads of the audit; its findings are not this test's
        with pytest.MonkeyPatch.context() as patch:  # the test's own boto3 clients use the same credentials
            for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION",
                        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
                patch.setenv(key, env[key])
            patch.delenv("AWS_PROFILE", raising=False)
            patch.delenv("AWS_SESSION_TOKEN", raising=False)
            yield {"env": env, "path": path, "dir": directory, "cfg": cfg, "outputs": outputs, "aws": Aws(moto),
                   "scim_group": scim_group}


def _access_findings(p: dict[str, Any]) -> list[tuple[str, str]]:
    audit = run_cli(["audit", "--config", str(p["path"]), "--format", "json"], env=p["env"], cwd=p["dir"],
                    timeout=600)
    assert audit.returncode in (0, 7), audit.stderr[-3000:]
    report = json.loads(audit.stdout)
    return [(f["id"], f["message"]) for f in report["findings"] if f["id"] in ACCESS_CHECKS]


def test_access_applied_then_audited_has_no_access_findings(provisioned: dict[str, Any]) -> None:
    outputs, aws = provisioned["outputs"], provisioned["aws"]
    ids = outputs["organization"]["account_ids"]
    access = outputs["access"]
    assert access["administrator_account"] == "shared-services"
    sso = aws.client("sso-admin")
    (instance,) = sso.list_instances()["Instances"]
    assert access["instance_arn"] == instance["InstanceArn"]  # found by the orchestrator, not configured
    names = {sso.describe_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=a)[
        "PermissionSet"]["Name"] for a in sso.list_permission_sets(InstanceArn=instance["InstanceArn"])[
        "PermissionSets"]}
    assert names == {"Administrator", "PowerUser", "ReadOnly", "SecurityAudit", "Billing", "BreakGlass", "Deployer"}
    # Developers: PowerUser and Deployer in NonProd (development), ReadOnly in Prod (production).
    developers = access["group_ids"]["Developers"]
    reached = sso.list_account_assignments_for_principal(
        InstanceArn=instance["InstanceArn"], PrincipalId=developers, PrincipalType="GROUP")["AccountAssignments"]
    arns = {**access["permission_set_arns"], **outputs["management_access"]["permission_set_arns"]}
    by_arn = {v: k for k, v in arns.items()}
    assert {(by_arn[a["PermissionSetArn"]], a["AccountId"]) for a in reached} == {
        ("PowerUser", ids["development"]), ("Deployer", ids["development"]), ("ReadOnly", ids["production"])}
    # The management account: the break-glass group only, assigned by stage management_access.
    mgmt = outputs["organization"]["management_account_id"]
    in_mgmt = sso.list_account_assignments(InstanceArn=instance["InstanceArn"], AccountId=mgmt,
                                           PermissionSetArn=arns["BreakGlass"])["AccountAssignments"]
    assert {a["PrincipalId"] for a in in_mgmt} == {access["group_ids"]["BreakGlass"]}
    assert outputs["management_access"]["assignment_count"] == len(provisioned["cfg"].accounts) + 1
    # The external group was looked up by name (getGroup), not created: its id is the one SCIM made.
    assert access["group_ids"]["Security-Auditors"] == provisioned["scim_group"]
    audited = sso.list_account_assignments_for_principal(
        InstanceArn=instance["InstanceArn"], PrincipalId=provisioned["scim_group"], PrincipalType="GROUP")
    assert {a["AccountId"] for a in audited["AccountAssignments"]} == set(ids.values())
    deployer = arns["Deployer"]
    refs = sso.list_customer_managed_policy_references_in_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=deployer)["CustomerManagedPolicyReferences"]
    assert refs == [{"Name": "deploy-extra", "Path": "/landingzone/"}]
    assert _access_findings(provisioned) == []


def test_an_iam_user_with_a_console_password_is_exactly_that_finding(provisioned: dict[str, Any]) -> None:
    ids = provisioned["outputs"]["organization"]["account_ids"]
    iam = provisioned["aws"].client("iam", account=ids["development"])
    iam.create_user(UserName="legacy-admin")
    iam.create_login_profile(UserName="legacy-admin", Password="Correct-horse-battery-1")
    assert _access_findings(provisioned) == [
        ("LZ-IDC-002", "IAM user 'legacy-admin' in account 'development' has a console password")]
