"""Issue 7's last step: provision the medium preset into moto through the real engine and the emulated aws plugin,
with the CLI as a user runs it, then audit what was built with `landingzone audit`: no finding at all.

moto runs in this process (ThreadedMotoServer; everything reaches it over HTTP) for two reasons, both gaps of moto
kept in the emulator's state file (tests/emulator/README.md): the delegated administrators for service principals
moto's RegisterDelegatedAdministrator refuses (CloudTrail, Security Hub, Config; AWS accepts them) are copied from
there unchanged into moto's Organizations backend before the audit; and moto has no GetInstanceMetadataDefaults, so
this process's moto answers it from the EC2 instance metadata defaults stage baseline set (kept by the emulator, per
account and region), in EC2's own response format. The audit then reads both over HTTP as it would on AWS.

Besides, the management account's root user gets MFA the only way there is, by hand (here: written into moto's
account summary, tests/audit/moto_bridge.py), and the default VPC deleted below takes its default network ACL with
it, as on AWS (moto keeps it: moto_bridge removes it). Nothing else is added: the trail, buckets, key, Glue table, SCPs,
roles and security groups the audit reads are the ones the stages created in moto. Default security groups: moto
gives them an open egress rule and no ingress rule, AWS also a self-referencing ingress rule. The test relies on
moto's egress rule (the stages must remove it for the audit to pass); AWS's extra ingress rule is removed the same
way, since DefaultSecurityGroup strips every rule. AWS Config's service-linked role is made in the management
account beforehand, as using Config there before would have: its baseline adopts it. Every account's recorders
are read back from moto per governed region. Network ACLs: moto gives every VPC a default ACL admitting all
traffic (entry 100 from 0.0.0.0/0), as AWS does; the deny entries the stages add are read back from moto.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from landingzone.config import validate_config
from landingzone.errors import EXIT_AUDIT_INCOMPLETE, EXIT_OK
from landingzone.presets import identity_center_data, preset_data
from stacks.network_acls import deny_entries
from tests.audit import moto_bridge, moto_services
from tests.audit.helpers import CENTRAL_CONFIGURATION_GAPS, MOTO_GAPS
from tests.audit.moto_org import (
    enable_root_features,
    register_delegated_admin,
    reset_instance_metadata_defaults,
    serve_instance_metadata_defaults,
)
from tests.engine.conftest import MANAGEMENT_ACCOUNT, Aws
from tests.engine.engine_support import moto_in_process, run_cli, write_config

pytestmark = pytest.mark.engine

NO_DEFAULT_VPC = ("development", "us-west-2")
"""An account and region whose default VPC is deleted before the baseline stage runs (some organizations delete
them all): the stage must skip it, not fail."""


@pytest.fixture
def moto() -> Iterator[str]:
    """Overrides conftest's subprocess server: an in-process moto server, reset, on a free port."""
    # What moto lacks of the security services (tests/audit/moto_services.py): GuardDuty's organization
    # configuration, IAM Access Analyzer, Security Hub's finding aggregators.
    moto_services.install()
    moto_services.serve_analyzers_and_finding_aggregators()
    with moto_in_process() as url:
        yield url


def _delete_default_vpc(aws: Aws, account: str, region: str) -> str:
    ec2 = aws.client("ec2", account=account, region=region)
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    for igw in ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc["VpcId"])
    assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"] == []
    # AWS deletes the VPC's default network ACL with it; moto keeps it (tests/audit/moto_bridge.py)
    assert moto_bridge.drop_network_acls_of_deleted_vpc(account, region, vpc["VpcId"])
    assert ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NetworkAcls"] == []
    return str(vpc["VpcId"])


def _config_service_linked_role(aws: Aws, account: str) -> str:
    """AWSServiceRoleForConfig made as AWS Config makes it when set up in the console; returns its RoleId."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = aws.client("iam", account=account).create_role(
        RoleName="AWSServiceRoleForConfig", Path="/aws-service-role/config.amazonaws.com/",
        AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    return str(role["RoleId"])


def _mirror_refused_delegations(state_file: Path) -> list[tuple[str, str]]:
    """Copy the delegated administrators moto refused (kept by the emulator) into moto; returns them."""
    state: dict[str, Any] = json.loads(state_file.read_text())
    copied: list[tuple[str, str]] = []
    for management, admin in state.get("cloudtrail_delegated_admins", {}).items():
        register_delegated_admin(admin, "cloudtrail.amazonaws.com", management)
        copied.append((admin, "cloudtrail.amazonaws.com"))
    for management, records in state.get("delegated_administrators", {}).items():
        for record in records.values():
            register_delegated_admin(record["accountId"], record["servicePrincipal"], management)
            copied.append((record["accountId"], record["servicePrincipal"]))
    return sorted(copied)


def _mirror_guardduty_organization(state_file: Path, aws: Aws) -> list[tuple[str, str, str]]:
    """Copy GuardDuty's organization configuration (kept by the emulator: moto lacks it) into moto through the
    operation tests/audit/moto_services.py adds, as the administrator would set it; returns (account, region,
    auto-enable) per detector."""
    state: dict[str, Any] = json.loads(state_file.read_text())
    services = state.get("security_services", {})
    features = services.get("guardduty_organization_features", {})
    copied = []
    for account, regions in services.get("guardduty_organization", {}).items():
        for region, detectors in regions.items():
            for detector, record in detectors.items():
                mine = [f for key, f in features.get(account, {}).get(region, {}).items()
                        if key.startswith(f"{detector}/")]
                aws.client("guardduty", account=account, region=region).update_organization_configuration(
                    DetectorId=detector, AutoEnableOrganizationMembers=record["autoEnableOrganizationMembers"],
                    Features=[{"Name": f["name"], "AutoEnable": f["autoEnable"]} for f in mine])
                copied.append((account, region, record["autoEnableOrganizationMembers"]))
    return sorted(copied)


def _mirror_analyzers_and_aggregators(state_file: Path) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    """Serve the analyzers and Security Hub finding aggregators the emulator kept (moto lacks both) from this
    process's moto, unchanged; returns (account, region, analyzer type) and (account, region) of each aggregator."""
    services: dict[str, Any] = json.loads(state_file.read_text()).get("security_services", {})
    analyzers = {f"{account}/{region}": {name: record["type"] for name, record in named.items()}
                 for account, regions in services.get("access_analyzers", {}).items()
                 for region, named in regions.items()}
    aggregators = {f"{account}/{region}": {"RegionLinkingMode": record["linkingMode"],
                                           "Regions": record.get("specifiedRegions") or []}
                   for account, regions in services.get("securityhub_aggregators", {}).items()
                   for region, records in regions.items() for record in records.values()}
    moto_services.reset_analyzers_and_finding_aggregators(analyzers, aggregators)
    kinds: set[tuple[str, str, str]] = set()
    for key, named in analyzers.items():
        account, region = key.split("/", 1)
        kinds |= {(account, region, kind) for kind in named.values()}
    linked: set[tuple[str, str]] = set()
    for key in aggregators:
        account, region = key.split("/", 1)
        linked.add((account, region))
    return kinds, linked


def _audit(path: Path, env: dict[str, str], directory: Path) -> dict[str, Any]:
    audit = run_cli(["audit", "--config", str(path), "--format", "json", "--fail-on", "low"], env=env,
                    cwd=directory, timeout=600)
    assert audit.stdout.strip(), (audit.returncode, audit.stderr[-3000:])
    report: dict[str, Any] = json.loads(audit.stdout)
    report["returncode"] = audit.returncode
    report["stderr"] = audit.stderr[-3000:]
    return report


def test_medium_preset_provisioned_then_audited_has_no_findings(engine_env: dict[str, str], pulumi_cli: Any,
                                                                aws: Aws, tmp_path: Path) -> None:
    data = preset_data("medium")
    data["aws"] = {"endpoint": engine_env["AWS_ENDPOINT_URL"]}
    data["identity_center"] = identity_center_data(data)  # people sign in through Identity Center (LZ-IDC-*)
    # What a user following the audit sets beside the preset: a security contact for every account (LZ-GOV-001;
    # the preset cannot know it). The preset's region deny covers every OU with workload accounts (LZ-REG-001).
    data["governance"] = {"alternate_contacts": {"security": {
        "name": "Security team", "title": "Security", "email": "security@example.com", "phone": "+1 206 555 0100"}}}
    # Someone receives the findings (without a subscriber LZ-SVC-008 reports that nobody does).
    data["security_services"] = {"notifications": {"email": ["security-alerts@example.com"]}}
    cfg = validate_config(data)
    assert NO_DEFAULT_VPC[1] in cfg.governed_regions and len(cfg.governed_regions) > 1
    directory = tmp_path / "lz"
    directory.mkdir()
    path = write_config(cfg, directory)
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}  # the configuration decides
    env["LANDINGZONE_PULUMI"] = str(pulumi_cli.path)

    organization = run_cli(["up", "--config", str(path), "--stage", "organization", "--yes", "--json"], env=env,
                           cwd=directory, timeout=900)
    assert organization.returncode == 0, organization.stderr[-3000:]
    outputs = json.loads(run_cli(["outputs", "--config", str(path), "--json"], env=env, cwd=directory).stdout)
    account_ids: dict[str, str] = outputs["organization"]["account_ids"]
    deleted = _delete_default_vpc(aws, account_ids[NO_DEFAULT_VPC[0]], NO_DEFAULT_VPC[1])
    # The management account used AWS Config before: its service-linked role exists (AWS refuses a second one),
    # so its baseline must adopt it, not create it.
    existing_role = _config_service_linked_role(aws, MANAGEMENT_ACCOUNT)

    applied = run_cli(["up", "--config", str(path), "--yes", "--json"], env=env, cwd=directory, timeout=1800)
    assert applied.returncode == 0, applied.stderr[-3000:]

    # Every default VPC's default group is closed, in every account and governed region, except where there is
    # no default VPC (skipped, not failed).
    outputs = json.loads(run_cli(["outputs", "--config", str(path), "--json"], env=env, cwd=directory).stdout)
    baseline = outputs["baseline"]
    assert set(baseline) == {"management", *(a.name for a in cfg.accounts)}
    closed = {("management" if who == "management" else f"account-{who}"): values["closed_default_security_groups"]
              for who, values in baseline.items()}
    expected = {("management", r) for r in cfg.governed_regions} | {
        (f"account-{a.name}", r) for a in cfg.accounts for r in cfg.governed_regions}
    expected.discard((f"account-{NO_DEFAULT_VPC[0]}", NO_DEFAULT_VPC[1]))
    assert {(who, region) for who, regions in closed.items() for region, group in regions.items() if group} == expected
    assert closed[f"account-{NO_DEFAULT_VPC[0]}"][NO_DEFAULT_VPC[1]] is None
    ids = {"management": MANAGEMENT_ACCOUNT} | {f"account-{n}": i for n, i in account_ids.items()}
    for who, regions in closed.items():
        for region, group_id in regions.items():
            if group_id is None:
                continue
            ec2 = aws.client("ec2", account=ids[who], region=region)
            (group,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
            assert group["GroupName"] == "default" and group["VpcId"] != deleted
            assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == [], (who, region, group)
            # the rest of the account's hardening, in each governed region
            assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True

    # The default network ACL of every default VPC, and of each VPC stage network created, denies SSH and RDP from
    # the whole internet ahead of its allow-all entry (LZ-NET-005 below counts the same entries).
    acls = {("management" if who == "management" else f"account-{who}"): values["default_network_acls"]
            for who, values in baseline.items()}
    assert {(who, region) for who, regions in acls.items() for region, acl in regions.items() if acl} == expected
    assert acls[f"account-{NO_DEFAULT_VPC[0]}"][NO_DEFAULT_VPC[1]] is None
    vpcs: list[tuple[str, str, str | None]] = []  # (account id, region, VPC id; None: the default VPC)
    vpcs += [(ids[who], region, None) for who, regions in acls.items() for region, acl in regions.items() if acl]
    vpcs += [(account_ids[net.account], cfg.home_region, outputs["network"][net.account]["vpc_id"])
             for net in cfg.network]
    assert cfg.network and len(vpcs) == len(expected) + len(cfg.network)
    denied = {(e.protocol, e.port, e.cidr, e.rule_number) for e in deny_entries()}
    for account_id, region, vpc_id in vpcs:
        ec2 = aws.client("ec2", account=account_id, region=region)
        if vpc_id is None:
            (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
        (acl,) = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}, {
            "Name": "vpc-id", "Values": [vpc_id or vpc["VpcId"]]}])["NetworkAcls"]
        if vpc_id is None:  # the stack's output names that ACL
            who = next(w for w, i in ids.items() if i == account_id)
            assert acls[who][region] == acl["NetworkAclId"]
        inbound = [e for e in acl["Entries"] if not e["Egress"]]
        found = {({"6": "tcp", "17": "udp"}[e["Protocol"]], e["PortRange"]["From"],
                  e.get("CidrBlock") or e.get("Ipv6CidrBlock"), e["RuleNumber"])
                 for e in inbound if e["RuleAction"] == "deny" and e["RuleNumber"] < 100}
        assert found == denied, (account_id, region, acl["Entries"])
        assert all(e["PortRange"]["From"] == e["PortRange"]["To"] for e in inbound if e["RuleNumber"] < 100)
        # AWS's own entries are left as they are
        assert {(e["RuleNumber"], e["RuleAction"]) for e in inbound if e["RuleNumber"] >= 100} == {
            (100, "allow"), (32767, "deny")}, acl["Entries"]
    # AWS Config records in every account and governed region (stage baseline), read back from moto: all
    # supported types, IAM's global ones in the home region only, delivering to stage logging's Config bucket in
    # the log-archive account, started.
    config_bucket = outputs["logging"]["config_bucket"]
    log_id = account_ids[cfg.log_account.name]
    s3 = aws.client("s3", account=log_id)
    assert config_bucket == f"{cfg.name}-config-{log_id}" and config_bucket in {
        b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert "aws:SourceOrgID" in s3.get_bucket_policy(Bucket=config_bucket)["Policy"]
    recorded = set()
    for who, values in baseline.items():
        account = MANAGEMENT_ACCOUNT if who == "management" else account_ids[who]
        assert values["config_recorders"] == dict.fromkeys(cfg.governed_regions, "default"), who
        roles = aws.client("iam", account=account).list_roles(
            PathPrefix="/aws-service-role/config.amazonaws.com/")["Roles"]
        assert [r["RoleName"] for r in roles] == ["AWSServiceRoleForConfig"], who
        if who == "management":
            assert roles[0]["RoleId"] == existing_role  # adopted (imported), not replaced
        for region in cfg.governed_regions:
            config = aws.client("config", account=account, region=region)
            (recorder,) = config.describe_configuration_recorders()["ConfigurationRecorders"]
            assert recorder["roleARN"] == roles[0]["Arn"]
            assert recorder["recordingGroup"]["allSupported"] is True
            assert recorder["recordingGroup"]["includeGlobalResourceTypes"] is (region == cfg.home_region)
            (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
            assert channel["s3BucketName"] == config_bucket
            (status,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
            assert status["recording"] is True, (who, region)
            recorded.add((who, region))
    assert len(recorded) == (len(cfg.accounts) + 1) * len(cfg.governed_regions)

    state_file = Path(engine_env["LANDINGZONE_EMULATOR_STATE"])
    state = json.loads(state_file.read_text())
    # moto has no instance metadata defaults: the emulator kept what stage baseline set; moto answers from it
    serve_instance_metadata_defaults()
    reset_instance_metadata_defaults(state.get("instance_metadata_defaults", {}))
    copied = _mirror_refused_delegations(state_file)
    # Centralized root access as stage governance set it: moto refuses trusted access for iam.amazonaws.com and
    # has no IAM organization features, so the emulator kept both in its state; copied unchanged into moto.
    assert "iam.amazonaws.com" in state["trusted_access"][MANAGEMENT_ACCOUNT]
    (features,) = state["iam_organizations_features"].values()
    assert sorted(features) == ["RootCredentialsManagement", "RootSessions"], features
    enable_root_features(features)
    security_id = account_ids[cfg.security_account.name]
    assert "cloudtrail.amazonaws.com" in {p for _, p in copied}
    assert {a for a, p in copied if p != "sso.amazonaws.com"} == {security_id}
    assert (account_ids["shared-services"], "sso.amazonaws.com") in copied  # Identity Center's administrator

    # Stage security_services: GuardDuty on in every governed region from the Security account, auto-enabling ALL.
    state_file = Path(engine_env["LANDINGZONE_EMULATOR_STATE"])
    guardduty = _mirror_guardduty_organization(state_file, aws)
    assert guardduty == sorted((security_id, r, "ALL") for r in cfg.governed_regions)
    services = outputs["security_services"]
    assert services["enabled_services"] == ["guardduty", "securityhub", "config", "access-analyzer"]
    assert set(services["guardduty_detector_ids"]) == set(cfg.governed_regions)
    # IAM Access Analyzer and Security Hub's finding aggregator, kept by the emulator (moto lacks both), served
    # from this process's moto as the stage created them.
    analyzers, aggregators = _mirror_analyzers_and_aggregators(state_file)
    assert {(a, r) for a, r, kind in analyzers if kind == "ORGANIZATION"} == {
        (security_id, r) for r in cfg.governed_regions}
    assert aggregators == {(security_id, cfg.home_region)}
    topic = services["security_topic_arn"]
    sns = aws.client("sns", account=security_id)
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == [
        "security-alerts@example.com"]

    # What no API can do, done as the user does it by hand: MFA on the management account's root user (moto's
    # account summary cannot be changed through its API; tests/audit/moto_bridge.py).
    moto_bridge.set_root_user(MANAGEMENT_ACCOUNT, mfa=True, access_keys=False)
    report = _audit(path, env, directory)
    # Nothing may be found: every practice the audit checks is built by a stage.
    assert report["findings"] == [], json.dumps(report["findings"], indent=1)[:6000]
    # moto has no IAM ListOrganizationsFeatures (the emulator keeps the governance stage's features in its own
    # state): LZ-ROOT-001 is not evaluated here. Nor has it Security Hub's central configuration
    # (CENTRAL_CONFIGURATION_GAPS): LZ-SVC-003 is not evaluated here (tests/audit/test_security_services.py proves
    # it with data). No other read may be missing.
    lacking = {("iam", "list_organizations_features")} | MOTO_GAPS | CENTRAL_CONFIGURATION_GAPS
    missing = {(n["service"], n["operation"]) for n in report["missing_reads"]}
    assert missing <= lacking, report["missing_reads"]
    # No finding: exit 0 for a complete audit, 8 (EXIT_AUDIT_INCOMPLETE) while reads moto lacks are missing.
    assert report["complete"] is (not missing)
    assert report["returncode"] == (EXIT_OK if report["complete"] else EXIT_AUDIT_INCOMPLETE), report["stderr"]
    # the baseline checks ran and passed (their reads answered, not skipped as not visible)
    status = {c["id"]: c["status"] for c in report["checks"]}
    assert [status[c] for c in ("LZ-BAS-001", "LZ-BAS-002", "LZ-BAS-003")] == ["pass", "pass", "pass"], status
    assert [status[c] for c in ("LZ-NET-004", "LZ-NET-005")] == ["pass", "pass"], status  # groups and ACLs read
    refused = {(n["service"], n["operation"]) for n in report["not_visible"]}
    assert refused <= lacking, refused
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert {statuses[c] for c in ("LZ-SVC-001", "LZ-SVC-002", "LZ-SVC-004", "LZ-SVC-005", "LZ-SVC-006",
                                  "LZ-SVC-008", "LZ-SVC-009")} == {"pass"}, statuses

    # Someone turns GuardDuty's auto-enable off in one region, as `aws guardduty update-organization-configuration`
    # would: the audit reports exactly that.
    region = "us-west-2"
    detector = services["guardduty_detector_ids"][region]
    aws.client("guardduty", account=security_id, region=region).update_organization_configuration(
        DetectorId=detector, AutoEnableOrganizationMembers="NONE")
    report = _audit(path, env, directory)
    findings = [(f["id"], f["resource"], f["account_id"], f["region"]) for f in report["findings"]]
    assert findings == [("LZ-SVC-001", detector, security_id, region)], json.dumps(report["findings"], indent=1)
    assert report["returncode"] == 7, report["stderr"]
