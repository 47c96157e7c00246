"""Hardened S3 buckets the stages share (the trail bucket, its access-log bucket, Athena's results bucket, the AWS
Config bucket): Block Public Access, bucket-owner-enforced ownership, default encryption, a policy that always
denies plain HTTP, a lifecycle, and optionally versioning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from stacks.base import opts

NONCURRENT_DAYS = 30


def policy_document(statements: Sequence[dict[str, Any]]) -> str:
    """A policy document, minified."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        # {"AWS": "*"} means the same as "*"; moto 5.2.5 crashes on the bare string in PutBucketLogging's check.
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }



class PrivateBucket:
    """A bucket with every public path closed: Block Public Access, bucket-owner-enforced ownership, default
    encryption, a policy (always with a TLS-only statement), a lifecycle, and optionally versioning."""

    def __init__(self, logical: str, name: pulumi.Input[str], provider: pulumi.ProviderResource, *,
                 kms_key_arn: pulumi.Input[str] | None, versioned: bool, expire_days: int,
                 retain: bool = False) -> None:
        # retain: audit evidence outlives the landing zone. A destroy drops the bucket and its guards (public
        # access block, ownership, encryption, policy) from the state and leaves them, and the logs, in AWS.
        self.retain = retain
        self.bucket = aws.s3.Bucket(logical, bucket=name, force_destroy=False,
                                    opts=opts(provider, retain_on_delete=retain))
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{logical}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts(provider, retain_on_delete=retain),
        )
        aws.s3.BucketOwnershipControls(
            f"{logical}-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=opts(provider, retain_on_delete=retain),
        )
        default = (
            aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn)
            if kms_key_arn is not None
            else aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256")
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{logical}-encryption",
            bucket=self.bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default, bucket_key_enabled=kms_key_arn is not None)],
            opts=opts(provider, retain_on_delete=retain),
        )
        if versioned:
            aws.s3.BucketVersioning(
                f"{logical}-versioning",
                bucket=self.bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                opts=opts(provider, retain_on_delete=retain),
            )
        rule = aws.s3.BucketLifecycleConfigurationRuleArgs(
            id=f"expire-after-{expire_days}-days",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire_days),
            noncurrent_version_expiration=(
                aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=NONCURRENT_DAYS) if versioned else None),
            abort_incomplete_multipart_upload=(
                aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7)),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{logical}-lifecycle", bucket=self.bucket.id, rules=[rule], opts=opts(provider, retain_on_delete=retain))
        self.provider = provider
        self.logical = logical

    def attach_policy(self, policy: pulumi.Input[str]) -> aws.s3.BucketPolicy:
        # After Block Public Access, so that a mistaken public statement is refused rather than applied.
        return aws.s3.BucketPolicy(
            f"{self.logical}-policy", bucket=self.bucket.id, policy=policy,
            opts=opts(self.provider, depends_on=[self.public_access_block], retain_on_delete=self.retain))

