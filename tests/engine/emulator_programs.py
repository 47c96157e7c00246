"""Helpers for the emulator's engine-test programs, shaped like the stage programs (explicit providers)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

SERVICES = ("athena", "cloudtrail", "ec2", "glue", "iam", "kms", "organizations", "s3", "sts")


def provider(name: str, endpoint: str, region: str = "us-east-1", role_arn: str | None = None) -> aws.Provider:
    """An explicit provider as the stages build it: every service pointed at the emulator, roles assumed."""
    return aws.Provider(
        name,
        region=region,
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name="landingzone")] if role_arn else None,
        endpoints=[aws.ProviderEndpointArgs(**{service: endpoint for service in SERVICES})],
        skip_credentials_validation=True,
        skip_requesting_account_id=True,
        skip_metadata_api_check=True,
        skip_region_validation=True,
        s3_use_path_style=True,
    )


def access_role(account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:aws:iam::", account_id, ":role/OrganizationAccountAccessRole")


def scp(*actions: str) -> str:
    statement = {"Effect": "Deny", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))


def opts(p: pulumi.ProviderResource, **kwargs: object) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=p, **kwargs)  # type: ignore[arg-type]
