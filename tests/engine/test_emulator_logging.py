"""The emulated plugin under the real engine, in member accounts reached through assume_roles: the trail
bucket and its settings, KMS, the organization trail from the delegated administrator, Glue, Athena, and an
event data store.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as paws
import pytest
from botocore.exceptions import ClientError
from pulumi.automation import errors as auto_errors

from .conftest import MANAGEMENT_ACCOUNT
from .emulator_programs import access_role, opts, provider


def org_program(endpoint: str):  # type: ignore[no-untyped-def]
    def program() -> None:
        mgmt = provider("management", endpoint)
        org = paws.organizations.Organization(
            "org",
            feature_set="ALL",
            aws_service_access_principals=["cloudtrail.amazonaws.com"],
            opts=opts(mgmt),
        )
        ids = {}
        for name in ("Security", "LogArchive"):
            acct = paws.organizations.Account(
                name.lower(),
                name=name,
                email=f"{name.lower()}@example.com",
                parent_id=org.roots[0].id,
                opts=opts(mgmt),
            )
            ids[name] = acct.id
        paws.cloudtrail.OrganizationDelegatedAdminAccount(
            "cloudtrail-admin", account_id=ids["Security"], opts=opts(mgmt)
        )
        pulumi.export("account_ids", ids)

    return program


def bucket_policy(bucket: str, sid: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/*",
                }
            ],
        }
    )


def logging_program(endpoint: str, accounts: dict[str, str], spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    def program() -> None:
        log = provider("log-archive", endpoint, role_arn=access_role(accounts["LogArchive"]))  # type: ignore[arg-type]
        sec = provider("security", endpoint, role_arn=access_role(accounts["Security"]))  # type: ignore[arg-type]
        key = paws.kms.Key(
            "trail-key",
            description=spec["key_description"],
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=opts(log),
        )
        paws.kms.Alias("trail-key-alias", name="alias/landingzone-trail", target_key_id=key.key_id, opts=opts(log))
        bucket_name = "lz-trail-logs"
        bucket = paws.s3.Bucket("trail-bucket", bucket=bucket_name, force_destroy=True, opts=opts(log))
        access_logs = paws.s3.Bucket("access-logs", bucket="lz-access-logs", force_destroy=True, opts=opts(log))
        paws.s3.BucketVersioning(
            "trail-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=opts(log),
        )
        paws.s3.BucketServerSideEncryptionConfiguration(
            "trail-sse",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=opts(log),
        )
        paws.s3.BucketPublicAccessBlock(
            "trail-pab",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts(log),
        )
        paws.s3.BucketOwnershipControls(
            "trail-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=opts(log),
        )
        policy = paws.s3.BucketPolicy(
            "trail-bucket-policy",
            bucket=bucket.id,
            policy=bucket_policy(bucket_name, spec["policy_sid"]),
            opts=opts(log),
        )
        paws.s3.BucketLifecycleConfiguration(
            "trail-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "retention",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": spec["retention_days"]},
                    "noncurrent_version_expiration": {"noncurrent_days": 30},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=opts(log),
        )
        # S3 (and moto) refuse a logging target that does not let the logging service write to it.
        logs_policy = paws.s3.BucketPolicy(
            "access-logs-policy",
            bucket=access_logs.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {  # Principal "*" as a string: moto 5.2 crashes on it in PutBucketLogging
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": "arn:aws:s3:::lz-access-logs/*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "logging.s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": "arn:aws:s3:::lz-access-logs/*",
                        },
                    ],
                }
            ),
            opts=opts(log),
        )
        paws.s3.BucketLogging(
            "trail-logging",
            bucket=bucket.id,
            target_bucket=access_logs.id,
            target_prefix="trail/",
            opts=opts(log, depends_on=[logs_policy]),
        )
        trail = paws.cloudtrail.Trail(
            "org-trail",
            name=spec["trail_name"],
            s3_bucket_name=bucket.id,
            is_organization_trail=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=spec["validation"],
            enable_logging=True,
            kms_key_id=key.arn,
            opts=opts(sec, depends_on=[policy]),
        )
        db = paws.glue.CatalogDatabase("trail-db", name="landingzone_trail", description="trail logs", opts=opts(sec))
        paws.glue.CatalogTable(
            "trail-table",
            database_name=db.name,
            name="cloudtrail",
            table_type="EXTERNAL_TABLE",
            parameters={"EXTERNAL": "TRUE", "projection.enabled": "true", "projection.day.type": "date"},
            partition_keys=[{"name": "day", "type": "string"}],
            storage_descriptor={
                "location": f"s3://{bucket_name}/AWSLogs/",
                "input_format": "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
                "output_format": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "ser_de_info": {"serialization_library": "org.apache.hive.hcatalog.data.JsonSerDe"},
                "columns": [
                    {"name": "eventname", "type": "string"},
                    {"name": "sourceipaddress", "type": "string"},
                ],
            },
            opts=opts(sec),
        )
        wg = paws.athena.Workgroup(
            "security-queries",
            name="landingzone-security",
            description=spec["workgroup_description"],
            force_destroy=False,
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "result_configuration": {
                    "output_location": f"s3://{bucket_name}/athena/",
                    "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": key.arn},
                },
            },
            opts=opts(sec),
        )
        query = paws.athena.NamedQuery(
            "root-logins",
            name="root-logins",
            description="root user sign-ins",
            database=db.name,
            workgroup=wg.name,
            query=spec["query"],
            opts=opts(sec),
        )
        lake = paws.cloudtrail.EventDataStore(
            "lake",
            name="landingzone-lake",
            organization_enabled=True,
            multi_region_enabled=True,
            retention_period=spec["lake_retention"],
            termination_protection_enabled=spec["lake_protected"],
            kms_key_id=key.arn,
            opts=opts(sec),
        )
        pulumi.export("trail_arn", trail.arn)
        pulumi.export("key_id", key.key_id)
        pulumi.export("query_id", query.id)
        pulumi.export("event_data_store_arn", lake.arn)

    return program


def test_logging_in_member_accounts(inline_stack: Any, aws: Any, engine_env: Any) -> None:
    org_stack = inline_stack(org_program(aws.endpoint), stack="organization")
    accounts = {k: v for k, v in org_stack.up().outputs["account_ids"].value.items()}
    spec: dict[str, Any] = {
        "key_description": "trail key",
        "policy_sid": "AWSCloudTrailWrite",
        "retention_days": 365,
        "trail_name": "landingzone-trail",
        "validation": True,
        "workgroup_description": "security queries",
        "query": "SELECT 1",
        "lake_retention": 2555,
        "lake_protected": True,
    }
    stack = inline_stack(logging_program(aws.endpoint, accounts, spec), stack="logging")
    preview = stack.preview()
    assert preview.change_summary == {"create": 21}, preview.stdout  # stack + 2 providers + 18 resources
    out = {k: v.value for k, v in stack.up().outputs.items()}

    log_s3 = aws.client("s3", account=accounts["LogArchive"])
    log_kms = aws.client("kms", account=accounts["LogArchive"])
    mgmt_trail = aws.client("cloudtrail")
    sec_athena = aws.client("athena", account=accounts["Security"])
    sec_glue = aws.client("glue", account=accounts["Security"])
    # Everything landed in the account its provider assumed a role into, except the organization trail: created
    # by the Security account (the delegated administrator), it belongs to the management account, as in AWS.
    assert out["trail_arn"].split(":")[4] == MANAGEMENT_ACCOUNT
    trail = mgmt_trail.get_trail(Name=out["trail_arn"])["Trail"]
    assert trail["IsOrganizationTrail"] and trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"]
    assert trail["S3BucketName"] == "lz-trail-logs"
    assert mgmt_trail.get_trail_status(Name=out["trail_arn"])["IsLogging"]
    assert log_kms.describe_key(KeyId=out["key_id"])["KeyMetadata"]["Description"] == "trail key"
    assert log_kms.get_key_rotation_status(KeyId=out["key_id"])["KeyRotationEnabled"]
    assert any(a["AliasName"] == "alias/landingzone-trail" for a in log_kms.list_aliases()["Aliases"])
    assert log_s3.get_bucket_versioning(Bucket="lz-trail-logs")["Status"] == "Enabled"
    sse = log_s3.get_bucket_encryption(Bucket="lz-trail-logs")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(log_s3.get_public_access_block(Bucket="lz-trail-logs")["PublicAccessBlockConfiguration"].values())
    ownership = log_s3.get_bucket_ownership_controls(Bucket="lz-trail-logs")["OwnershipControls"]["Rules"][0]
    assert ownership["ObjectOwnership"] == "BucketOwnerEnforced"
    assert (
        json.loads(log_s3.get_bucket_policy(Bucket="lz-trail-logs")["Policy"])["Statement"][0]["Sid"]
        == "AWSCloudTrailWrite"
    )
    rule = log_s3.get_bucket_lifecycle_configuration(Bucket="lz-trail-logs")["Rules"][0]
    assert rule["Expiration"]["Days"] == 365
    assert log_s3.get_bucket_logging(Bucket="lz-trail-logs")["LoggingEnabled"]["TargetBucket"] == "lz-access-logs"
    # The emulator's workaround for moto left the target's policy as the program wrote it.
    access_policy = json.loads(log_s3.get_bucket_policy(Bucket="lz-access-logs")["Policy"])
    assert access_policy["Statement"][0]["Principal"] == "*"
    table = sec_glue.get_table(DatabaseName="landingzone_trail", Name="cloudtrail")["Table"]
    assert table["Parameters"]["projection.enabled"] == "true"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("JsonSerDe")
    wg = sec_athena.get_work_group(WorkGroup="landingzone-security")["WorkGroup"]
    assert wg["Configuration"]["ResultConfiguration"]["OutputLocation"] == "s3://lz-trail-logs/athena/"
    assert sec_athena.get_named_query(NamedQueryId=out["query_id"])["NamedQuery"]["QueryString"] == "SELECT 1"
    lake = json.load(open(engine_env["LANDINGZONE_EMULATOR_STATE"]))["event_data_stores"]
    assert lake[out["event_data_store_arn"]]["retentionPeriod"] == 2555
    assert stack.preview().change_summary == {"same": 21}

    # Updates in place (key description, bucket policy, lifecycle, workgroup, lake retention) and
    # replacements (trail name and validation, named query text).
    spec.update(
        key_description="trail key v2",
        policy_sid="CloudTrailWrite",
        retention_days=400,
        validation=False,
        workgroup_description="security queries v2",
        lake_retention=3000,
        trail_name="landingzone-org-trail",
        query="SELECT 2",
    )
    preview = stack.preview()
    assert preview.change_summary == {"same": 14, "update": 5, "replace": 2}, preview.stdout
    out2 = {k: v.value for k, v in stack.up().outputs.items()}
    assert out2["key_id"] == out["key_id"]
    assert log_kms.describe_key(KeyId=out["key_id"])["KeyMetadata"]["Description"] == "trail key v2"
    assert out2["trail_arn"] != out["trail_arn"] and out2["trail_arn"].endswith(":trail/landingzone-org-trail")
    with pytest.raises(ClientError):
        mgmt_trail.get_trail(Name=out["trail_arn"])
    assert not mgmt_trail.get_trail(Name=out2["trail_arn"])["Trail"]["LogFileValidationEnabled"]
    assert log_s3.get_bucket_lifecycle_configuration(Bucket="lz-trail-logs")["Rules"][0]["Expiration"]["Days"] == 400
    assert 'CloudTrailWrite"' in log_s3.get_bucket_policy(Bucket="lz-trail-logs")["Policy"]
    assert (
        sec_athena.get_work_group(WorkGroup="landingzone-security")["WorkGroup"]["Description"] == "security queries v2"
    )
    assert out2["query_id"] != out["query_id"]
    assert out2["event_data_store_arn"] == out["event_data_store_arn"]
    lake = json.load(open(engine_env["LANDINGZONE_EMULATOR_STATE"]))["event_data_stores"]
    assert lake[out["event_data_store_arn"]]["retentionPeriod"] == 3000
    assert stack.preview().change_summary == {"same": 21}

    # Termination protection blocks the event data store's deletion, as in AWS.
    with pytest.raises(auto_errors.CommandError, match="TerminationProtected"):
        stack.destroy()
    spec.update(lake_protected=False)
    stack.up()
    stack.destroy()
    with pytest.raises(ClientError):
        log_s3.head_bucket(Bucket="lz-trail-logs")
    with pytest.raises(ClientError):
        mgmt_trail.get_trail(Name=out2["trail_arn"])
    with pytest.raises(ClientError):
        sec_glue.get_database(Name="landingzone_trail")
    assert log_kms.describe_key(KeyId=out["key_id"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert json.load(open(engine_env["LANDINGZONE_EMULATOR_STATE"]))["event_data_stores"] == {}
