"""Stage 3, logging: the organization trail, its bucket and KMS key, and a query layer beyond 90 days.

The bucket, the key and the query layer live in the log-archive account when there is one, else in the Security
account. The trail is created with the Security account's provider (CloudTrail delegated administrator), so it is
owned by the management account and its ARN carries the management account id.

- KMS key: CloudTrail may encrypt only for this trail (aws:SourceArn and the CloudTrail encryption context).
- Trail bucket: versioning, SSE-KMS, Block Public Access, bucket-owner-enforced ownership, TLS only, CloudTrail's
  write statements limited to AWSLogs/<org id>/ (and the management account's own prefix, which CloudTrail
  checks when the trail is created) with aws:SourceArn, lifecycle for the configured retention, and server
  access logging into a second bucket.
- Query layer: athena (Glue table with partition projection, an encrypted workgroup, saved security queries) or
  lake (an organization event data store, for organizations that already use CloudTrail Lake).

- AWS Config bucket (security_services.config.enabled): where every account's recorders deliver
  (stacks/config_recording.py), its access logged into the same access-log bucket.

Outputs: trail_arn, trail_bucket, kms_key_arn, query_layer, config_bucket (null when AWS Config is off),
athena_workgroup | event_data_store_arn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import LandingZoneConfig, QueryLayer, known_regions, partition
from stacks.base import (
    Providers,
    StageContext,
    account_id,
    management_account_id,
    opts,
    organization_id,
    upstream_output,
)
from stacks.buckets import PrivateBucket, deny_insecure_transport
from stacks.buckets import policy_document as _policy
from stacks.config_recording import config_bucket as make_config_bucket
from stacks.config_recording import enabled as config_enabled

CLOUDTRAIL = "cloudtrail.amazonaws.com"
S3_LOGGING = "logging.s3.amazonaws.com"
ATHENA_RESULTS_DAYS = 30
PROJECTION_START = "2024/01/01"


def trail_bucket_policy(bucket_arn: str, trail_arn: str, org_id: str, management_id: str) -> str:
    """TLS only; CloudTrail may read the ACL and write under AWSLogs/ for this trail only."""
    only_this_trail = {"aws:SourceArn": trail_arn}
    write_condition = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **only_this_trail}}
    return _policy([
        deny_insecure_transport(bucket_arn),
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": only_this_trail},
        },
        {
            # CloudTrail checks this prefix when the trail is created and writes the management account's own
            # events under it.
            "Sid": "CloudTrailWriteManagementAccount",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{management_id}/*",
            "Condition": write_condition,
        },
        {
            "Sid": "CloudTrailWriteOrganization",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{org_id}/*",
            "Condition": write_condition,
        },
    ])


def access_log_bucket_policy(bucket_arn: str, source_bucket_arn: str | Sequence[str], log_account_id: str) -> str:
    """TLS only; S3 server access logging may write for the logged buckets only (the trail bucket, and the AWS
    Config bucket when there is one)."""
    sources = [source_bucket_arn] if isinstance(source_bucket_arn, str) else sorted(source_bucket_arn)
    return _policy([
        deny_insecure_transport(bucket_arn),
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": S3_LOGGING},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": sources[0] if len(sources) == 1 else sources},
                "StringEquals": {"aws:SourceAccount": log_account_id},
            },
        },
    ])


def key_policy(cfg: LandingZoneConfig, *, log_account_id: str, security_account_id: str, management_id: str,
               trail_arn: str) -> str:
    """The log account administers the key; CloudTrail encrypts for this trail only; log readers in the log
    and Security accounts may decrypt CloudTrail files only."""
    part = partition(cfg.home_region)
    trails_of_org = f"arn:{part}:cloudtrail:*:{management_id}:trail/*"
    readers = sorted({log_account_id, security_account_id})
    return _policy([
        {
            "Sid": "KeyAdministrationByTheLogAccount",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{part}:iam::{log_account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudTrailEncryptsThisTrailOnly",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceArn": trail_arn},
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails_of_org},
            },
        },
        {
            "Sid": "CloudTrailDescribesKey",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "LogReadersDecryptTrailFiles",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:{part}:iam::{acct}:root" for acct in readers]},
            "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:CallerAccount": readers},
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails_of_org},
            },
        },
    ])


# ---- Athena ----------------------------------------------------------------------------------------------------

CLOUDTRAIL_COLUMNS: list[tuple[str, str]] = [
    ("eventversion", "string"),
    ("useridentity", "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,"
                     "accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,"
                     "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,"
                     "sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,"
                     "username:string>,sourceidentity:string,ec2roledelivery:string,ec2issuedinvpc:string>>"),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("readonly", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("eventcategory", "string"),
    ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"),
]

TABLE = "organization_trail"
_LAST_WEEK = "date >= date_format(current_date - interval '7' day, '%Y/%m/%d')"

SAVED_QUERIES: dict[str, tuple[str, str]] = {
    "root-activity": (
        "Root user activity in any account (last 7 days)",
        "SELECT eventtime, recipientaccountid, eventsource, eventname, awsregion, sourceipaddress, errorcode "
        f"FROM {TABLE} WHERE useridentity.type = 'Root' AND eventtype <> 'AwsServiceEvent' AND {_LAST_WEEK} "
        "ORDER BY eventtime DESC",
    ),
    "scp-and-organization-changes": (
        "Changes to the organization, its OUs, accounts and SCPs (last 7 days)",
        "SELECT eventtime, useridentity.arn, eventname, requestparameters, errorcode "
        f"FROM {TABLE} WHERE eventsource = 'organizations.amazonaws.com' AND readonly = 'false' AND {_LAST_WEEK} "
        "ORDER BY eventtime DESC",
    ),
    "cloudtrail-tampering": (
        "Attempts to stop, delete or change trails and event data stores (last 7 days)",
        "SELECT eventtime, recipientaccountid, useridentity.arn, eventname, requestparameters, errorcode "
        f"FROM {TABLE} WHERE eventsource = 'cloudtrail.amazonaws.com' AND eventname IN ('StopLogging', "
        "'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors', 'DeleteEventDataStore', "
        f"'UpdateEventDataStore', 'StopEventDataStoreIngestion') AND {_LAST_WEEK} ORDER BY eventtime DESC",
    ),
    "console-logins-without-mfa": (
        "Console sign-ins without MFA (last 7 days)",
        "SELECT eventtime, recipientaccountid, useridentity.arn, sourceipaddress, "
        "json_extract_scalar(responseelements, '$.ConsoleLogin') AS outcome "
        f"FROM {TABLE} WHERE eventname = 'ConsoleLogin' "
        f"AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No' AND {_LAST_WEEK} "
        "ORDER BY eventtime DESC",
    ),
    "access-denied-spikes": (
        "Principals with more than 20 access-denied errors in one hour (last 7 days)",
        "SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour, recipientaccountid, "
        "useridentity.arn, count(*) AS denied "
        f"FROM {TABLE} WHERE errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', "
        f"'Client.UnauthorizedOperation') AND {_LAST_WEEK} "
        "GROUP BY 1, 2, 3 HAVING count(*) > 20 ORDER BY denied DESC",
    ),
}


def database_name(cfg: LandingZoneConfig) -> str:
    return cfg.name.replace("-", "_") + "_cloudtrail"


def partition_regions(cfg: LandingZoneConfig) -> list[str]:
    """Every region of the home region's partition: a multi-region trail logs them all, governed or not."""
    part = partition(cfg.home_region)
    return sorted(r for r in known_regions() if partition(r) == part)


def _athena(ctx: StageContext, trail_bucket: aws.s3.Bucket, log_provider: pulumi.ProviderResource,
            kms_key_arn: pulumi.Output[str] | None, org_id: pulumi.Output[str],
            log_account_id: pulumi.Output[str], account_ids: pulumi.Output[Any],
            management_id: pulumi.Output[str]) -> aws.athena.Workgroup:
    cfg = ctx.config
    results = PrivateBucket(
        "athena-results", log_account_id.apply(lambda i: f"{cfg.name}-athena-{i}"), log_provider,
        kms_key_arn=kms_key_arn, versioned=False, expire_days=ATHENA_RESULTS_DAYS)
    results.attach_policy(results.bucket.arn.apply(lambda arn: _policy([deny_insecure_transport(arn)])))

    database = aws.glue.CatalogDatabase(
        "athena-database", name=database_name(cfg),
        description=f"CloudTrail logs of the {cfg.name} organization", opts=opts(log_provider))

    def template(bucket: str, org: str) -> str:
        return f"s3://{bucket}/AWSLogs/{org}/${{account}}/CloudTrail/${{region}}/${{date}}"

    def account_values(ids: Any, mgmt: str) -> str:
        return ",".join(sorted({*dict(ids).values(), mgmt}))

    aws.glue.CatalogTable(
        "athena-cloudtrail-table",
        database_name=database.name,
        name=TABLE,
        table_type="EXTERNAL_TABLE",
        parameters={
            "EXTERNAL": "TRUE",
            "classification": "cloudtrail",
            # Partition projection: no crawler and no ALTER TABLE ADD PARTITION as accounts and days appear.
            "projection.enabled": "true",
            "projection.account.type": "enum",
            "projection.account.values": pulumi.Output.all(account_ids, management_id).apply(
                lambda v: account_values(v[0], v[1])),
            "projection.region.type": "enum",
            "projection.region.values": ",".join(partition_regions(cfg)),
            "projection.date.type": "date",
            "projection.date.range": f"{PROJECTION_START},NOW",
            "projection.date.format": "yyyy/MM/dd",
            "projection.date.interval": "1",
            "projection.date.interval.unit": "DAYS",
            "storage.location.template": pulumi.Output.all(trail_bucket.bucket, org_id).apply(
                lambda v: template(v[0], v[1])),
        },
        partition_keys=[aws.glue.CatalogTablePartitionKeyArgs(name=n, type="string")
                        for n in ("account", "region", "date")],
        storage_descriptor=aws.glue.CatalogTableStorageDescriptorArgs(
            location=pulumi.Output.all(trail_bucket.bucket, org_id).apply(
                lambda v: f"s3://{v[0]}/AWSLogs/{v[1]}/"),
            input_format="com.amazon.emr.cloudtrail.CloudTrailInputFormat",
            output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            ser_de_info=aws.glue.CatalogTableStorageDescriptorSerDeInfoArgs(
                serialization_library="com.amazon.emr.hive.serde.CloudTrailSerde"),
            columns=[aws.glue.CatalogTableStorageDescriptorColumnArgs(name=n, type=t)
                     for n, t in CLOUDTRAIL_COLUMNS],
        ),
        opts=opts(log_provider),
    )

    encryption = aws.athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgs(
        encryption_option="SSE_KMS", kms_key_arn=kms_key_arn) if kms_key_arn is not None else (
        aws.athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgs(encryption_option="SSE_S3"))
    workgroup = aws.athena.Workgroup(
        "athena-workgroup",
        name=f"{cfg.name}-security",
        description="Security queries over the organization trail",
        force_destroy=False,
        configuration=aws.athena.WorkgroupConfigurationArgs(
            # Users cannot point results elsewhere or switch off encryption.
            enforce_workgroup_configuration=True,
            publish_cloudwatch_metrics_enabled=True,
            result_configuration=aws.athena.WorkgroupConfigurationResultConfigurationArgs(
                output_location=results.bucket.bucket.apply(lambda b: f"s3://{b}/results/"),
                encryption_configuration=encryption,
            ),
        ),
        opts=opts(log_provider),
    )
    for key, (description, query) in SAVED_QUERIES.items():
        aws.athena.NamedQuery(
            f"athena-query-{key}", name=key, description=description, database=database.name,
            workgroup=workgroup.name, query=query, opts=opts(log_provider))
    return workgroup


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    providers = Providers(ctx)
    log_account = cfg.log_account
    security = cfg.security_account
    log_provider = providers.account(log_account.name)
    security_provider = providers.account(security.name)

    part = partition(cfg.home_region)
    org_id = organization_id(ctx)
    management_id = management_account_id(ctx)
    log_id = account_id(ctx, log_account.name)
    security_id = account_id(ctx, security.name)
    trail_arn = management_id.apply(
        lambda m: f"arn:{part}:cloudtrail:{cfg.home_region}:{m}:trail/{cfg.logging.trail_name}")

    key: aws.kms.Key | None = None
    if cfg.logging.kms:
        key = aws.kms.Key(
            "trail-key",
            description=f"Encrypts the {cfg.logging.trail_name} organization trail of {cfg.name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(log_id, security_id, management_id, trail_arn).apply(
                lambda v: key_policy(cfg, log_account_id=v[0], security_account_id=v[1], management_id=v[2],
                                     trail_arn=v[3])),
            # kept on destroy: the retained trail logs stay readable
            opts=opts(log_provider, retain_on_delete=True),
        )
        aws.kms.Alias("trail-key-alias", name=f"alias/{cfg.name}-organization-trail",
                      target_key_id=key.key_id, opts=opts(log_provider))
    kms_key_arn = key.arn if key is not None else None

    access_logs = PrivateBucket(
        "access-logs", log_id.apply(lambda i: f"{cfg.name}-s3-access-{i}"), log_provider,
        kms_key_arn=None,  # S3 server access logging can only deliver to SSE-S3 buckets
        versioned=True, expire_days=cfg.logging.bucket_retention_days, retain=True)
    trail_bucket = PrivateBucket(
        "trail-bucket", log_id.apply(lambda i: f"{cfg.name}-org-trail-{i}"), log_provider,
        kms_key_arn=kms_key_arn, versioned=True, expire_days=cfg.logging.bucket_retention_days, retain=True)
    # AWS Config's bucket (security_services.config.enabled): stacks/config_recording.py.
    config_bucket = (make_config_bucket(ctx, log_provider, log_id, org_id, cfg.logging.bucket_retention_days)
                     if config_enabled(cfg) else None)
    logged = [trail_bucket.bucket.arn, *([config_bucket.bucket.arn] if config_bucket is not None else [])]
    access_logs_policy = access_logs.attach_policy(
        pulumi.Output.all(access_logs.bucket.arn, log_id, *logged).apply(
            lambda v: access_log_bucket_policy(v[0], v[2:], v[1])))
    trail_policy = trail_bucket.attach_policy(
        pulumi.Output.all(trail_bucket.bucket.arn, trail_arn, org_id, management_id).apply(
            lambda v: trail_bucket_policy(v[0], v[1], v[2], v[3])))
    aws.s3.BucketLogging(
        "trail-bucket-access-logging",
        bucket=trail_bucket.bucket.id,
        target_bucket=access_logs.bucket.id,
        target_prefix=trail_bucket.bucket.bucket.apply(lambda b: f"{b}/"),
        # S3 refuses the logging configuration until the target's policy lets the logging service write.
        opts=opts(log_provider, depends_on=[access_logs_policy]),
    )
    if config_bucket is not None:
        aws.s3.BucketLogging(
            "config-bucket-access-logging",
            bucket=config_bucket.bucket.id,
            target_bucket=access_logs.bucket.id,
            target_prefix=config_bucket.bucket.bucket.apply(lambda b: f"{b}/"),
            opts=opts(log_provider, depends_on=[access_logs_policy]),
        )

    trail = aws.cloudtrail.Trail(
        "organization-trail",
        name=cfg.logging.trail_name,
        s3_bucket_name=trail_bucket.bucket.bucket,
        is_organization_trail=True,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        enable_logging=True,
        kms_key_id=kms_key_arn,
        # The bucket policy (and the key policy) must allow CloudTrail before the trail is created.
        opts=opts(security_provider, depends_on=[trail_policy, *([key] if key is not None else [])]),
    )

    pulumi.export("trail_arn", trail.arn)
    pulumi.export("trail_bucket", trail_bucket.bucket.bucket)
    pulumi.export("kms_key_arn", kms_key_arn)
    pulumi.export("query_layer", cfg.logging.query_layer.value)
    pulumi.export("config_bucket", config_bucket.bucket.bucket if config_bucket is not None else None)

    if cfg.logging.query_layer == QueryLayer.ATHENA:
        account_ids = upstream_output(ctx, "organization", "account_ids")
        workgroup = _athena(ctx, trail_bucket.bucket, log_provider, kms_key_arn, org_id, log_id, account_ids,
                            management_id)
        pulumi.export("athena_workgroup", workgroup.name)
    elif cfg.logging.query_layer == QueryLayer.LAKE:
        store = aws.cloudtrail.EventDataStore(
            "lake-event-data-store",
            name=f"{cfg.name}-organization-events",
            organization_enabled=True,
            multi_region_enabled=True,
            retention_period=cfg.logging.lake_retention_days,
            termination_protection_enabled=True,
            opts=opts(security_provider),
        )
        pulumi.export("event_data_store_arn", store.arn)
