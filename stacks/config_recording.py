"""AWS Config recording in every account and governed region (``security_services.config.enabled``), in two parts:

- Stage logging: the Config bucket in the log-archive account (:func:`config_bucket`), a hardened bucket
  (stacks/buckets.py: versioning, Block Public Access, bucket-owner-enforced ownership, TLS only, SSE-S3, a
  lifecycle for logging.bucket_retention_days, server access logging into the access-log bucket) whose policy lets
  AWS Config's service principal check the bucket and write ``AWSLogs/<account>/Config/`` for accounts of this
  organization only (aws:SourceOrgID), with the bucket-owner-full-control ACL.
- Stage baseline, per account (:func:`config_recorders`): AWS Config's service-linked role, and in every governed
  region a configuration recorder (all supported resource types; global resource types, IAM's, only in the home
  region, so they are recorded once), a delivery channel to the Config bucket, and the recorder started.

Encryption: SSE-S3, not the trail's KMS key. That key's policy lets CloudTrail encrypt for this trail only, and
every principal that reads Config's history would need it too; Config's files hold resource configurations, not
activity, and access to them is governed by the bucket policy alone.

The service-linked role: AWS refuses to create it twice ("has been taken in this account"), and an adopted account
or the management account may hold it already (Config, Control Tower or the console made it). So each account's
stack looks it up first (iam ListRoles by its path, through the account's own provider); one that exists is
adopted (imported) rather than created, and the role is kept on destroy either way (other tools may rely on it,
and AWS refuses to delete it while a recorder uses it).

A recorder or delivery channel of another name already in an adopted account (AWS allows one of each per region)
makes the stack fail with AWS's MaxNumberOf...Exceeded error; the orchestrator adds the fix (ENGINE_HINTS).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import LandingZoneConfig, partition
from stacks.base import UNKNOWN, StageContext, account_id, management_account_id, opts, upstream_output
from stacks.buckets import PrivateBucket, deny_insecure_transport, policy_document

CONFIG = "config.amazonaws.com"
SERVICE_LINKED_ROLE_NAME = "AWSServiceRoleForConfig"
SERVICE_LINKED_ROLE_PATH = f"/aws-service-role/{CONFIG}/"
RECORDER_NAME = "default"
"""The recorder's and delivery channel's name (AWS's default): an adopted account whose Config was set up in the
console keeps its recorder, now recording what the landing zone asks for, delivering to the Config bucket."""
CHANNEL_NAME = "default"

BASELINE_ACTIONS: tuple[str, ...] = (
    "iam:CreateServiceLinkedRole", "config:PutConfigurationRecorder", "config:PutDeliveryChannel",
    "config:StartConfigurationRecorder", "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
)
"""What each baseline stack does with AWS Config in its account (create, change and, on destroy, delete), as the
access role: protect-security-services must keep allowing it to that role (tests/unit)."""


def enabled(cfg: LandingZoneConfig) -> bool:
    """Whether AWS Config records in every account (security_services.config.enabled)."""
    return cfg.security_services.config.enabled


def config_bucket_name(cfg: LandingZoneConfig, log_account_id: str) -> str:
    return f"{cfg.name}-config-{log_account_id}"


def config_bucket_policy(bucket_arn: str, org_id: str) -> str:
    """TLS only; AWS Config (its service principal: the member accounts' service-linked roles cannot write to a
    bucket of another account) may check the bucket's ACL, list it, and put objects under AWSLogs/<account>/Config/
    with the bucket-owner-full-control ACL, for accounts of this organization only."""
    of_this_organization = {"aws:SourceOrgID": org_id}
    return policy_document([
        deny_insecure_transport(bucket_arn),
        {
            "Sid": "AWSConfigBucketPermissionsCheck",
            "Effect": "Allow",
            "Principal": {"Service": CONFIG},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": of_this_organization},
        },
        {
            "Sid": "AWSConfigBucketExistenceCheck",
            "Effect": "Allow",
            "Principal": {"Service": CONFIG},
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": of_this_organization},
        },
        {
            "Sid": "AWSConfigBucketDelivery",
            "Effect": "Allow",
            "Principal": {"Service": CONFIG},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/*/Config/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **of_this_organization}},
        },
    ])


def config_bucket(ctx: StageContext, log_provider: pulumi.ProviderResource, log_id: pulumi.Output[str],
                  org_id: pulumi.Output[str], retention_days: int) -> PrivateBucket:
    """The Config bucket in the log-archive account (stage logging logs its access into the access-log bucket)."""
    cfg = ctx.config
    bucket = PrivateBucket(
        "config-bucket", log_id.apply(lambda i: config_bucket_name(cfg, i)), log_provider,
        kms_key_arn=None, versioned=True, expire_days=retention_days, retain=True)
    bucket.attach_policy(pulumi.Output.all(bucket.bucket.arn, org_id).apply(
        lambda v: config_bucket_policy(v[0], v[1])))
    return bucket


# ---- stage baseline ---------------------------------------------------------------------------------------------


def service_linked_role_arn_for(part: str, account: str) -> str:
    return f"arn:{part}:iam::{account}:role{SERVICE_LINKED_ROLE_PATH}{SERVICE_LINKED_ROLE_NAME}"


def service_linked_role_arn(cfg: LandingZoneConfig, account: str) -> str:
    return service_linked_role_arn_for(partition(cfg.home_region), account)


def _existing_service_linked_role(provider: aws.Provider) -> pulumi.Output[list[str] | None]:
    """ARNs of the account's Config service-linked role ([] when it has none; None when the engine answered
    nothing, as through a provider whose account is not created yet)."""
    found = aws.iam.get_roles_output(path_prefix=SERVICE_LINKED_ROLE_PATH, name_regex=f"^{SERVICE_LINKED_ROLE_NAME}$",
                                     opts=pulumi.InvokeOutputOptions(provider=provider))
    return found.arns


def service_linked_role(provider: aws.Provider, known: bool) -> pulumi.Output[aws.iam.ServiceLinkedRole]:
    """AWS Config's service-linked role, created, or adopted where the account has it already."""

    def register(arns: list[str] | None) -> aws.iam.ServiceLinkedRole:
        adopt = sorted(arns)[0] if arns else None
        return aws.iam.ServiceLinkedRole(
            "config-service-linked-role", aws_service_name=CONFIG,
            opts=opts(provider, retain_on_delete=True, import_=adopt))

    if not known:
        return pulumi.Output.from_input(None).apply(lambda _: register(None))
    return _existing_service_linked_role(provider).apply(register)


def fingerprint_inputs(ctx: StageContext) -> dict[str, Any]:
    """What :func:`config_recorders` reads, for baseline's ``up --changed-only``."""
    logging = ctx.upstream.get("logging", UNKNOWN)
    bucket = logging.get("config_bucket", UNKNOWN) if isinstance(logging, Mapping) else UNKNOWN
    return {"config": ctx.config.security_services.config.model_dump(mode="json"),
            "config_bucket": repr(bucket) if not isinstance(bucket, str) else bucket}


def config_recorders(ctx: StageContext, provider: aws.Provider, account: str, known: bool,
                     management: bool) -> dict[str, pulumi.Output[str]]:
    """The service-linked role, and per governed region a recorder, a delivery channel to the Config bucket
    (stage logging's output config_bucket) and the recorder started. Returns {region: recorder name}."""
    cfg = ctx.config
    settings = cfg.security_services.config
    this_account = management_account_id(ctx) if management else account_id(ctx, account)
    role = service_linked_role(provider, known)
    role_arn = this_account.apply(lambda i: service_linked_role_arn(cfg, i))
    bucket = upstream_output(ctx, "logging", "config_bucket")
    recorders: dict[str, pulumi.Output[str]] = {}
    for region in cfg.governed_regions:
        recorder = aws.cfg.Recorder(
            f"config-recorder-{region}", name=RECORDER_NAME, role_arn=role_arn, region=region,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(
                all_supported=True,
                # IAM's resources are global: recorded once, in the home region.
                include_global_resource_types=region == cfg.home_region),
            opts=opts(provider, depends_on=[role]))
        channel = aws.cfg.DeliveryChannel(
            f"config-delivery-channel-{region}", name=CHANNEL_NAME, s3_bucket_name=bucket, region=region,
            snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(
                delivery_frequency=settings.delivery_frequency),
            opts=opts(provider, depends_on=[recorder]))
        # Recording starts once the channel exists (AWS refuses to start a recorder without one).
        status = aws.cfg.RecorderStatus(
            f"config-recorder-status-{region}", name=recorder.name, is_enabled=True, region=region,
            opts=opts(provider, depends_on=[channel]))
        recorders[region] = status.name
    return recorders
