from __future__ import annotations

import json

from landingzone.config import LandingZoneConfig

from .helpers import (
    MANAGEMENT_ID,
    ORG_ID,
    applied_organization,
    config,
    grants_write,
    principals,
    run_stage,
    statements,
)

TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ID}:trail/organization-trail"


def _ids(cfg: LandingZoneConfig) -> dict[str, str]:
    ids: dict[str, str] = applied_organization(cfg)["account_ids"]
    return ids


def _by_bucket(plan_resources: list, type_suffix: str, logical_prefix: str):  # type: ignore[no-untyped-def]
    return [r for r in plan_resources if r.type.endswith(type_suffix) and r.name.startswith(logical_prefix)]


def test_organization_trail_flags_and_owner() -> None:
    cfg = config("medium")
    plan = run_stage("logging", cfg)
    trail = plan.named("organization-trail")
    assert trail.type == "aws:cloudtrail/trail:Trail"
    for flag in ("isOrganizationTrail", "isMultiRegionTrail", "enableLogFileValidation",
                 "includeGlobalServiceEvents", "enableLogging"):
        assert trail.inputs[flag] is True, flag
    # Created by the Security account (CloudTrail delegated administrator), encrypted with the trail key.
    assert trail.provider == "account-security"
    assert trail.inputs["kmsKeyId"] == plan.outputs["kms_key_arn"]
    assert trail.inputs["s3BucketName"] == f"acme-landing-zone-org-trail-{_ids(cfg)['log-archive']}"
    assert plan.outputs["trail_bucket"] == trail.inputs["s3BucketName"]


def test_bucket_and_key_live_in_the_log_archive_account_or_security() -> None:
    medium = run_stage("logging", config("medium"))
    small = run_stage("logging", config("small"))
    assert medium.named("trail-bucket").provider == "account-log-archive"
    assert medium.named("trail-key").provider == "account-log-archive"
    assert small.named("trail-bucket").provider == "account-security"
    assert small.named("organization-trail").provider == "account-security"


def test_trail_bucket_hardening() -> None:
    cfg = config("medium", logging={"bucket_retention_days": 400})
    plan = run_stage("logging", cfg)
    bucket = plan.named("trail-bucket")
    bucket_name = bucket.inputs["bucket"]
    assert bucket.inputs["forceDestroy"] is False
    assert plan.named("trail-bucket-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = plan.named("trail-bucket-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": plan.outputs["kms_key_arn"]}
    bpa = plan.named("trail-bucket-public-access-block").inputs
    assert all(bpa[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                         "restrictPublicBuckets"))
    assert plan.named("trail-bucket-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (life,) = plan.named("trail-bucket-lifecycle").inputs["rules"]
    assert life["status"] == "Enabled" and life["expiration"]["days"] == 400
    logging = plan.named("trail-bucket-access-logging").inputs
    assert logging["bucket"] == bucket_name
    assert logging["targetBucket"] == plan.named("access-logs").inputs["bucket"] != bucket_name
    # The access log bucket cannot use SSE-KMS (S3 server access logging delivers only to SSE-S3).
    (rule,) = plan.named("access-logs-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_trail_bucket_policy_tls_only_and_cloudtrail_writes_for_this_trail_only() -> None:
    cfg = config("medium")
    plan = run_stage("logging", cfg)
    bucket_name = plan.named("trail-bucket").inputs["bucket"]
    arn = f"arn:aws:s3:::{bucket_name}"
    stmts = {s["Sid"]: s for s in statements(plan.named("trail-bucket-policy").inputs["policy"])}
    tls = stmts["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny" and tls["Action"] == "s3:*"
    assert tls["Resource"] == [arn, f"{arn}/*"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    org_write = stmts["CloudTrailWriteOrganization"]
    assert org_write["Resource"] == f"{arn}/AWSLogs/{ORG_ID}/*"
    assert org_write["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN
    assert stmts["CloudTrailWriteManagementAccount"]["Resource"] == f"{arn}/AWSLogs/{MANAGEMENT_ID}/*"
    for stmt in stmts.values():
        if stmt["Effect"] == "Allow":
            assert "*" not in principals(stmt), stmt["Sid"]
            assert principals(stmt) == ["cloudtrail.amazonaws.com"]
            assert stmt["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN


def test_no_wildcard_principal_with_write_access_in_any_bucket_or_key_policy() -> None:
    for name in ("small", "medium", "large"):
        plan = run_stage("logging", config(name))
        docs = [r.inputs["policy"] for r in plan.resources
                if r.type in ("aws:s3/bucketPolicy:BucketPolicy", "aws:kms/key:Key")]
        assert len(docs) == 5  # trail, access log, Athena results and AWS Config buckets; the key
        for doc in docs:
            for stmt in statements(doc):
                if grants_write(stmt):
                    assert "*" not in principals(stmt), stmt
                    assert not any(p.endswith(":root") and "iam::*" in p for p in principals(stmt))


def test_kms_key_policy_lets_cloudtrail_encrypt_for_this_trail_only() -> None:
    cfg = config("medium")
    ids = _ids(cfg)
    plan = run_stage("logging", cfg)
    key = plan.named("trail-key")
    assert key.inputs["enableKeyRotation"] is True
    stmts = {s["Sid"]: s for s in statements(key.inputs["policy"])}
    encrypt = stmts["CloudTrailEncryptsThisTrailOnly"]
    assert principals(encrypt) == ["cloudtrail.amazonaws.com"]
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"]["StringEquals"] == {"aws:SourceArn": TRAIL_ARN}
    assert encrypt["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{MANAGEMENT_ID}:trail/*"}
    admin = stmts["KeyAdministrationByTheLogAccount"]
    assert principals(admin) == [f"arn:aws:iam::{ids['log-archive']}:root"]
    readers = stmts["LogReadersDecryptTrailFiles"]
    assert set(readers["Action"]) == {"kms:Decrypt", "kms:ReEncryptFrom"}
    assert set(readers["Condition"]["StringEquals"]["kms:CallerAccount"]) == {ids["log-archive"], ids["security"]}


def test_access_log_bucket_accepts_only_s3_logging_for_the_trail_bucket() -> None:
    # (and for AWS Config's bucket, which it logs too: tests/stacks/test_config_recording.py; off here)
    cfg = config("medium", security_services={"config": {"enabled": False}})
    plan = run_stage("logging", cfg)
    trail_bucket = plan.named("trail-bucket").inputs["bucket"]
    stmts = {s["Sid"]: s for s in statements(plan.named("access-logs-policy").inputs["policy"])}
    write = stmts["S3ServerAccessLogs"]
    assert principals(write) == ["logging.s3.amazonaws.com"]
    assert write["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::{trail_bucket}"}
    assert write["Condition"]["StringEquals"] == {"aws:SourceAccount": _ids(cfg)["log-archive"]}
    assert "DenyInsecureTransport" in stmts


def test_athena_query_layer() -> None:
    cfg = config("medium")
    plan = run_stage("logging", cfg)
    assert plan.outputs["query_layer"] == "athena"
    table = plan.named("athena-cloudtrail-table").inputs
    bucket = plan.named("trail-bucket").inputs["bucket"]
    params = table["parameters"]
    assert params["projection.enabled"] == "true"
    assert params["storage.location.template"] == (
        f"s3://{bucket}/AWSLogs/{ORG_ID}/${{account}}/CloudTrail/${{region}}/${{date}}")
    assert set(params["projection.account.values"].split(",")) == {*_ids(cfg).values(), MANAGEMENT_ID}
    assert "us-west-2" in params["projection.region.values"].split(",")
    assert [k["name"] for k in table["partitionKeys"]] == ["account", "region", "date"]
    assert table["storageDescriptor"]["serDeInfo"]["serializationLibrary"] == (
        "com.amazon.emr.hive.serde.CloudTrailSerde")
    workgroup = plan.named("athena-workgroup").inputs
    conf = workgroup["configuration"]
    assert conf["enforceWorkgroupConfiguration"] is True
    assert conf["resultConfiguration"]["encryptionConfiguration"] == {
        "encryptionOption": "SSE_KMS", "kmsKeyArn": plan.outputs["kms_key_arn"]}
    assert conf["resultConfiguration"]["outputLocation"].startswith("s3://acme-landing-zone-athena-")
    queries = {q.inputs["name"]: q.inputs for q in plan.of_type("aws:athena/namedQuery:NamedQuery")}
    assert set(queries) == {"root-activity", "scp-and-organization-changes", "cloudtrail-tampering",
                            "console-logins-without-mfa", "access-denied-spikes"}
    assert "StopLogging" in queries["cloudtrail-tampering"]["query"]
    assert "MFAUsed" in queries["console-logins-without-mfa"]["query"]
    assert all(q["workgroup"] == workgroup["name"] for q in queries.values())
    assert plan.outputs["athena_workgroup"] == workgroup["name"]
    assert not plan.of_type("aws:cloudtrail/eventDataStore:EventDataStore")


def test_lake_query_layer() -> None:
    cfg = config("medium", logging={"query_layer": "lake", "lake_retention_days": 3000})
    plan = run_stage("logging", cfg)
    (store,) = plan.of_type("aws:cloudtrail/eventDataStore:EventDataStore")
    assert store.inputs["organizationEnabled"] is True
    assert store.inputs["multiRegionEnabled"] is True
    assert store.inputs["terminationProtectionEnabled"] is True
    assert store.inputs["retentionPeriod"] == 3000
    assert store.provider == "account-security"
    assert not [r for r in plan.resources if r.type.startswith(("aws:athena", "aws:glue"))]
    assert plan.outputs["event_data_store_arn"]
    assert "athena_workgroup" not in plan.outputs


def test_without_kms_the_bucket_uses_sse_s3_and_the_trail_no_key() -> None:
    cfg = config("small", logging={"kms": False, "query_layer": "none"})
    plan = run_stage("logging", cfg)
    assert not plan.of_type("aws:kms/key:Key")
    assert "kmsKeyId" not in plan.named("organization-trail").inputs
    (rule,) = plan.named("trail-bucket-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert plan.outputs["kms_key_arn"] is None


def test_preview_before_anything_is_applied() -> None:
    plan = run_stage("logging", config("medium"), upstream={})
    assert plan.named("trail-bucket").inputs["bucket"] == "(known after apply)"
    assert plan.named("trail-bucket-policy").inputs["policy"] == "(known after apply)"
    assert plan.named("organization-trail").inputs["isOrganizationTrail"] is True
    assert json.dumps(plan.outputs)  # exports stay serializable with unknowns


def test_order_policies_before_the_services_that_check_them() -> None:
    # S3 refuses a logging configuration, and CloudTrail a trail, until the bucket policy lets them write
    # (found applying the stage through the emulator).
    plan = run_stage("logging", config("medium"))
    assert "access-logs-policy" in plan.named("trail-bucket-access-logging").dependencies
    trail_deps = plan.named("organization-trail").dependencies
    assert {"trail-bucket-policy", "trail-key"} <= set(trail_deps)
    assert "trail-bucket-public-access-block" in plan.named("trail-bucket-policy").dependencies
