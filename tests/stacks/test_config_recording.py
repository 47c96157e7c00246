"""AWS Config in every account and governed region: the Config bucket stage logging makes in the log-archive
account, and the service-linked role, recorders, delivery channels and recorder status each baseline stack makes
(stacks/config_recording.py). The stage programs run under pulumi mocks (tests/stacks/helpers.py)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import stacks
from landingzone.config import MANAGEMENT_BASELINE, LandingZoneConfig, validate_config
from landingzone.errors import ConfigError
from landingzone.plan import PlanMocks, run_program
from landingzone.presets import preset_data

from .helpers import MANAGEMENT_ID, ORG_ID, applied_organization, config, principals, run_stage, statements

RECORDER = "aws:cfg/recorder:Recorder"
CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
STATUS = "aws:cfg/recorderStatus:RecorderStatus"
SLR = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
GET_ROLES = "aws:iam/getRoles:getRoles"
OFF = {"config": {"enabled": False}}


def _bucket_name(cfg: LandingZoneConfig) -> str:
    return f"{cfg.name}-config-{applied_organization(cfg)['account_ids']['log-archive']}"


def _baseline(cfg: LandingZoneConfig, account: str, mocks: PlanMocks | None = None, *,
              preview: bool = False) -> Any:
    upstream = {"organization": applied_organization(cfg), "logging": {"config_bucket": _bucket_name(cfg)}}
    ctx = stacks.StageContext(config=cfg, upstream=upstream, account=account)
    return run_program(stacks.stage("baseline").program, ctx, stack=f"s-{account}", preview=preview,
                       mocks=mocks or RolesMocks([]))


class RolesMocks(PlanMocks):
    """Answers the service-linked role lookup (and the default-VPC lookup: none) per account."""

    def __init__(self, arns: list[str]) -> None:
        super().__init__()
        self.arns = arns
        self.role_lookups: list[tuple[str, dict[str, Any]]] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if args.token == GET_ROLES:
            self.role_lookups.append((args.provider.split("::")[3], dict(args.args)))
            return {"arns": self.arns, "names": [a.rsplit("/", 1)[-1] for a in self.arns]}, []
        return {"ids": []}, []


# ---- stage logging: the Config bucket -----------------------------------------------------------------------------


def test_config_bucket_in_the_log_archive_account_hardened_and_exported() -> None:
    cfg = config("medium", logging={"bucket_retention_days": 400})
    plan = run_stage("logging", cfg)
    bucket = plan.named("config-bucket")
    name = _bucket_name(cfg)
    assert bucket.inputs["bucket"] == name and bucket.provider == "account-log-archive"
    assert plan.outputs["config_bucket"] == name
    assert bucket.inputs["forceDestroy"] is False
    block = plan.named("config-bucket-public-access-block").inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))
    assert plan.named("config-bucket-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert plan.named("config-bucket-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    rule = plan.named("config-bucket-encryption").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"  # SSE-S3: see the module
    lifecycle = plan.named("config-bucket-lifecycle").inputs["rules"][0]
    assert lifecycle["expiration"] == {"days": 400}
    # Its access is logged into the access-log bucket, whose policy lets S3 logging write for it too.
    logging = plan.named("config-bucket-access-logging").inputs
    assert logging["targetPrefix"] == f"{name}/"
    (access,) = [s for s in statements(plan.named("access-logs-policy").inputs["policy"])
                 if s["Sid"] == "S3ServerAccessLogs"]
    assert sorted(access["Condition"]["ArnLike"]["aws:SourceArn"]) == sorted(
        [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{cfg.name}-org-trail-{name.rsplit('-', 1)[-1]}"])


def test_config_bucket_policy_lets_config_write_for_this_organization_only_over_tls() -> None:
    cfg = config("medium")
    plan = run_stage("logging", cfg)
    arn = f"arn:aws:s3:::{_bucket_name(cfg)}"
    found = {s["Sid"]: s for s in statements(plan.named("config-bucket-policy").inputs["policy"])}
    deny = found.pop("DenyInsecureTransport")
    assert deny["Effect"] == "Deny" and principals(deny) == ["*"] and deny["Action"] == "s3:*"
    assert deny["Resource"] == [arn, f"{arn}/*"] and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(found) == {"AWSConfigBucketPermissionsCheck", "AWSConfigBucketExistenceCheck",
                          "AWSConfigBucketDelivery"}
    for statement in found.values():
        # Only AWS Config's service principal, only for accounts of this organization, nothing public.
        assert statement["Effect"] == "Allow" and statement["Principal"] == {"Service": "config.amazonaws.com"}
        assert statement["Condition"]["StringEquals"]["aws:SourceOrgID"] == ORG_ID
    assert (found["AWSConfigBucketPermissionsCheck"]["Action"], found["AWSConfigBucketPermissionsCheck"]["Resource"]) \
        == ("s3:GetBucketAcl", arn)
    assert (found["AWSConfigBucketExistenceCheck"]["Action"], found["AWSConfigBucketExistenceCheck"]["Resource"]) \
        == ("s3:ListBucket", arn)
    delivery = found["AWSConfigBucketDelivery"]
    assert delivery["Action"] == "s3:PutObject" and delivery["Resource"] == f"{arn}/AWSLogs/*/Config/*"
    assert delivery["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


def test_config_off_makes_no_bucket() -> None:
    cfg = config("medium", security_services=OFF)
    plan = run_stage("logging", cfg)
    assert not [r for r in plan.resources if r.name.startswith("config-bucket")]
    assert plan.outputs["config_bucket"] is None
    (access,) = [s for s in statements(plan.named("access-logs-policy").inputs["policy"])
                 if s["Sid"] == "S3ServerAccessLogs"]
    assert isinstance(access["Condition"]["ArnLike"]["aws:SourceArn"], str)  # the trail bucket alone


# ---- stage baseline: recorders ------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", [MANAGEMENT_BASELINE, "production", "log-archive"])
def test_recorder_channel_and_status_in_every_governed_region(account: str) -> None:
    cfg = config("medium", governed_regions=["us-east-1", "us-west-2", "eu-west-1"])
    assert cfg.home_region == "us-east-1"
    run = _baseline(cfg, account)
    provider = "management" if account == MANAGEMENT_BASELINE else f"account-{account}"
    account_id = MANAGEMENT_ID if account == MANAGEMENT_BASELINE else applied_organization(cfg)["account_ids"][account]
    role_arn = f"arn:aws:iam::{account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    by_type = {t: {r.inputs["region"]: r for r in run.resources if r.type == t} for t in (RECORDER, CHANNEL, STATUS)}
    for kind in by_type.values():
        assert set(kind) == set(cfg.governed_regions)
    for region in cfg.governed_regions:
        recorder, channel, status = (by_type[t][region] for t in (RECORDER, CHANNEL, STATUS))
        assert recorder.provider == channel.provider == status.provider == provider
        assert recorder.inputs["roleArn"] == role_arn
        # Every supported resource type; IAM's global types once, in the home region.
        assert recorder.inputs["recordingGroup"] == {"allSupported": True,
                                                     "includeGlobalResourceTypes": region == cfg.home_region}
        assert channel.inputs["s3BucketName"] == _bucket_name(cfg)
        assert channel.inputs["snapshotDeliveryProperties"] == {"deliveryFrequency": "TwentyFour_Hours"}
        assert recorder.name in channel.dependencies
        assert status.inputs["isEnabled"] is True and status.inputs["name"] == recorder.inputs["name"]
        assert channel.name in status.dependencies  # started once its channel exists
        assert "config-service-linked-role" in recorder.dependencies
    assert run.outputs["config_recorders"] == {r: "default" for r in cfg.governed_regions}


def test_service_linked_role_created_or_adopted_and_kept_on_destroy() -> None:
    cfg = config("medium")
    mocks = RolesMocks([])
    run = _baseline(cfg, "production", mocks)
    (role,) = [r for r in run.resources if r.type == SLR]
    assert role.inputs["awsServiceName"] == "config.amazonaws.com" and role.import_id is None
    assert role.provider == "account-production"
    # Looked up through the account's own provider, by the role's path and name.
    assert mocks.role_lookups == [("account-production", {
        "pathPrefix": "/aws-service-role/config.amazonaws.com/", "nameRegex": "^AWSServiceRoleForConfig$"})]
    existing = "arn:aws:iam::300000000003:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    adopted = _baseline(cfg, "production", RolesMocks([existing]))
    (role,) = [r for r in adopted.resources if r.type == SLR]
    assert role.import_id == existing


def test_new_account_preview_shows_the_role_without_a_lookup() -> None:
    cfg = config("medium")
    mocks = RolesMocks([])
    ctx = stacks.StageContext(config=cfg, upstream={}, account="production")
    run = run_program(stacks.stage("baseline").program, ctx, stack="s", preview=True, mocks=mocks)
    assert mocks.role_lookups == []
    assert len([r for r in run.resources if r.type == SLR]) == 1
    assert {r.inputs["s3BucketName"] for r in run.resources if r.type == CHANNEL} == {"(known after apply)"}


def test_up_before_logging_is_applied_is_refused() -> None:
    cfg = config("medium")
    ctx = stacks.StageContext(config=cfg, upstream={"organization": applied_organization(cfg)}, account="production")
    with pytest.raises(Exception, match="stage 'logging' was never applied"):
        run_program(stacks.stage("baseline").program, ctx, stack="s", preview=False, mocks=RolesMocks([]))


def test_config_off_makes_no_recorders() -> None:
    cfg = config("medium", security_services=OFF)
    for account in (MANAGEMENT_BASELINE, "production"):
        run = _baseline(cfg, account)
        assert not [r for r in run.resources if r.type in (RECORDER, CHANNEL, STATUS, SLR)]
        assert run.outputs["config_recorders"] == {}


def test_delivery_frequency_is_configurable_and_validated() -> None:
    cfg = config("medium", security_services={"config": {"delivery_frequency": "Six_Hours"}})
    run = _baseline(cfg, "production")
    assert {r.inputs["snapshotDeliveryProperties"]["deliveryFrequency"] for r in run.resources
            if r.type == CHANNEL} == {"Six_Hours"}
    data = preset_data("medium")
    data["security_services"] = {"config": {"delivery_frequency": "Daily"}}
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    assert "security_services.config.delivery_frequency" in str(caught.value)
    assert "TwentyFour_Hours" in str(caught.value)


def test_baseline_fingerprint_follows_the_config_bucket_and_the_switch() -> None:
    cfg = config("medium")
    stage = stacks.stage("baseline")

    def inputs(c: LandingZoneConfig, bucket: Any) -> Any:
        upstream = {"organization": applied_organization(c), "logging": {"config_bucket": bucket}}
        return stage.fingerprint_inputs(stacks.StageContext(config=c, upstream=upstream, account="production"))

    assert inputs(cfg, "b1") != inputs(cfg, "b2")
    assert inputs(cfg, "b1") != inputs(config("medium", security_services=OFF), "b1")
    assert inputs(cfg, "b1") == inputs(cfg, "b1")
