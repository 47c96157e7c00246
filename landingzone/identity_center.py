"""Find the organization's IAM Identity Center instance before a run (boto3; the stage programs never look).

An organization instance is enabled once, in the management account's console; it cannot be created by an API
for an organization. :func:`with_instance` completes ``identity_center.instance_arn`` and ``identity_store_id``
from ``sso-admin ListInstances`` (management account credentials, the instance's region), so the stages access
and management_access receive them as configuration.
"""

from __future__ import annotations

from typing import Any

from landingzone.config import LandingZoneConfig
from landingzone.errors import PreflightError

ENABLE_STEPS = ("enable IAM Identity Center once in the management account: console > IAM Identity Center > "
                "Enable (organization instance), in the region set by identity_center.region (default the home "
                "region); then run again. Or set identity_center.instance_arn and identity_center.identity_store_id "
                "(README, 'IAM Identity Center')")


def instance_region(cfg: LandingZoneConfig) -> str:
    ic = cfg.identity_center
    return ic.region if ic is not None and ic.region else cfg.home_region


def find_instance(cfg: LandingZoneConfig, *, session: Any | None = None) -> tuple[str, str] | None:
    """(instance ARN, identity store id) of the organization's instance, or None when Identity Center is not
    enabled. Raises PreflightError when the lookup itself fails (credentials, access denied)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    region = instance_region(cfg)
    try:
        session = session or boto3.Session(profile_name=cfg.aws.profile, region_name=region)
        client = session.client("sso-admin", region_name=region, endpoint_url=cfg.aws.endpoint,
                                config=Config(retries={"max_attempts": 5, "mode": "adaptive"}))
        caller = session.client("sts", region_name=region, endpoint_url=cfg.aws.endpoint).get_caller_identity()
        instances: list[dict[str, Any]] = []
        for page in client.get_paginator("list_instances").paginate():
            instances.extend(page.get("Instances", []))
    except (ClientError, BotoCoreError) as exc:
        raise PreflightError(f"cannot look up the IAM Identity Center instance in {region}: {exc}",
                             fix="run with the management account's credentials (sso:ListInstances), or set "
                                 "identity_center.instance_arn and identity_center.identity_store_id") from None
    active = [i for i in instances if i.get("Status", "ACTIVE") == "ACTIVE"]
    # The organization instance belongs to the management account; account instances of members do not count.
    own = [i for i in active if i.get("OwnerAccountId") in (None, caller.get("Account"))] or active
    if not own:
        return None
    return str(own[0]["InstanceArn"]), str(own[0]["IdentityStoreId"])


def with_instance(cfg: LandingZoneConfig, *, required: bool, session: Any | None = None) -> LandingZoneConfig:
    """``cfg`` with the instance filled in when it was left out. Without an instance: the same configuration
    (a preview shows the access stages known after apply) or, when ``required``, a PreflightError that says how
    to enable Identity Center."""
    ic = cfg.identity_center
    if ic is None or (ic.instance_arn is not None and ic.identity_store_id is not None):
        return cfg
    found = find_instance(cfg, session=session)
    if found is None:
        if required:
            raise PreflightError(f"IAM Identity Center is not enabled in {instance_region(cfg)}", fix=ENABLE_STEPS)
        return cfg
    arn, store = found
    return cfg.model_copy(update={"identity_center": ic.model_copy(update={"instance_arn": arn,
                                                                            "identity_store_id": store})})
