"""Names and limits shared by the configuration model, the guardrail library, discovery and the audit.

One small module with no landingzone imports, so that any module may import it without an import circle.
"""

from __future__ import annotations

import functools

ROOT_OU = "Root"
"""The name by which an account or guardrail target refers to the organization root."""

DEFAULT_ORG_ADMIN_PATH = "/org-admin/"
"""Default IAM path of the administration roles in member accounts; the protect-org-admin-roles guardrails
protect it."""

MANAGEMENT_BASELINE = "management"
"""The account key of the management account's baseline stack (member accounts may not use the name)."""

DEFAULT_ACCESS_ROLE_NAME = "OrganizationAccountAccessRole"
"""The role Organizations creates in every new member account, trusted by the management account."""

SCP_PER_TARGET = 10
"""SCPs that may be attached directly to one root, OU or account (FullAWSAccess counts), since 2026-05-15."""

SCP_MAX_CHARACTERS = 10240
"""Maximum characters of one SCP, whitespace included, since 2026-05-15."""

PARTITION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-iso-", "aws-iso"),
    ("us-isob-", "aws-iso-b"),
    ("eusc-", "aws-eusc"),
)
"""Region-name prefix -> ARN partition, for the partitions other than ``aws``."""


@functools.cache
def known_regions() -> frozenset[str]:
    """Region names in botocore's endpoint data, every partition. Read from the data files directly, so a broken
    AWS profile in the environment cannot break validation."""
    from botocore.loaders import create_loader

    endpoints = create_loader().load_data("endpoints")
    regions: set[str] = set()
    for part in endpoints["partitions"]:
        regions.update(part.get("regions", {}))
    return frozenset(regions)


def partition(region: str) -> str:
    """The ARN partition of a region (no API call: the region prefix decides)."""
    for prefix, name in PARTITION_PREFIXES:
        if region.startswith(prefix):
            return name
    return "aws"
