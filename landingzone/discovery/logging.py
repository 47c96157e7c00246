"""Logging reads: trails (status, event selectors), CloudTrail Lake event data stores, and each organization trail's
bucket and KMS key, read from the account that owns them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import boto3

from landingzone.discovery.model import (
    BucketInfo,
    Discovery,
    DiscoveryOptions,
    EventDataStoreInfo,
    KeyInfo,
    NotVisible,
    TrailInfo,
)
from landingzone.discovery.reader import Reader

MemberReader = Callable[[str], Reader | None]
"""A reader for an account of the organization (through the access role); None when it cannot be assumed."""


def read_trails(r: Reader, found: Discovery) -> None:
    home = r.options.home_region
    # Each region lists the trails whose home it is; multi-region trails also show as shadow trails elsewhere,
    # so ask each governed region for its own trails only and keep one record per ARN.
    listed: dict[str, dict[str, Any]] = {}
    for region in dict.fromkeys((home, *r.options.regions)):
        answer = r.call("cloudtrail", "describe_trails", region, includeShadowTrails=False)
        for trail in (answer or {}).get("trailList", []):
            listed.setdefault(trail["TrailARN"], trail)
    for trail in listed.values():
        region = trail.get("HomeRegion", home)
        status = r.call("cloudtrail", "get_trail_status", region, Name=trail["TrailARN"])
        selectors = None
        if trail.get("IsOrganizationTrail"):
            selectors = r.call("cloudtrail", "get_event_selectors", region, TrailName=trail["TrailARN"])
        found.trails.append(TrailInfo(
            name=trail["Name"], arn=trail["TrailARN"], home_region=region,
            owner_account_id=trail["TrailARN"].split(":")[4],
            is_organization_trail=bool(trail.get("IsOrganizationTrail")),
            is_multi_region=bool(trail.get("IsMultiRegionTrail")),
            log_file_validation=bool(trail.get("LogFileValidationEnabled")),
            kms_key_id=trail.get("KmsKeyId"), s3_bucket=trail.get("S3BucketName"),
            is_logging=None if status is None else bool(status.get("IsLogging")),
            management_events=None if selectors is None else management_events(selectors)))
    stores = r.pages("cloudtrail", "list_event_data_stores", "EventDataStores", home)
    if stores is None:
        found.event_data_stores_visible = False
        return
    for store in stores:
        detail = r.call("cloudtrail", "get_event_data_store", home, EventDataStore=store["EventDataStoreArn"]) or store
        found.event_data_stores.append(EventDataStoreInfo(
            arn=store["EventDataStoreArn"], name=store.get("Name", ""), status=detail.get("Status", ""),
            organization_enabled=bool(detail.get("OrganizationEnabled")),
            retention_days=int(detail.get("RetentionPeriod", 0))))


def management_events(answer: Mapping[str, Any]) -> tuple[bool, bool]:
    """(read, write) management events recorded, from GetEventSelectors' answer (basic or advanced selectors).
    A trail without any selector records all management events: AWS's default for a trail created without them."""
    basic = answer.get("EventSelectors") or []
    advanced = answer.get("AdvancedEventSelectors") or []
    if not basic and not advanced:
        return True, True
    read = write = False
    for sel in basic:
        if not sel.get("IncludeManagementEvents", True):
            continue
        kind = sel.get("ReadWriteType", "All")
        read |= kind in ("All", "ReadOnly")
        write |= kind in ("All", "WriteOnly")
    for sel in advanced:
        fields = {f.get("Field"): f for f in sel.get("FieldSelectors", [])}
        if "Management" not in (fields.get("eventCategory") or {}).get("Equals", []):
            continue
        only = fields.get("readOnly")
        if only is None:
            read = write = True
            continue
        equals = [v.lower() for v in only.get("Equals", [])]
        not_equals = [v.lower() for v in only.get("NotEquals", [])]
        read |= "true" in equals or "false" in not_equals
        write |= "false" in equals or "true" in not_equals
    return read, write


def read_trail_buckets_and_keys(found: Discovery, member: MemberReader, sink: list[NotVisible],
                                lock: threading.Lock) -> None:
    """Read each organization trail's bucket and KMS key from the account that owns it (the bucket's owner is found
    through list_buckets; the key's is in its ARN). One that no account read owns is recorded as not visible."""
    owners = {name: view.account_id for view in found.account_views.values() for name in view.bucket_names}
    org_trails = [t for t in found.trails if t.is_organization_trail]

    def unseen(service: str, operation: str, what: str, account_id: str | None) -> None:
        with lock:
            sink.append(NotVisible(service, operation, "NotReadable", what, account_id, None, "refused"))

    for name in sorted({t.s3_bucket for t in org_trails if t.s3_bucket}):
        owner = owners.get(name)
        reader = member(owner) if owner else None
        if owner is None or reader is None:
            found.buckets.append(BucketInfo(name, None, None, None, None, None, access_logging_known=False))
            unseen("s3", "list_buckets", f"no account read lists the trail bucket {name}", owner)
            continue
        found.buckets.append(read_bucket(reader, name, owner))
    for arn in sorted({t.kms_key_id for t in org_trails if t.kms_key_id}):
        parts = arn.split(":")
        if len(parts) < 6 or not parts[4]:
            unseen("kms", "get_key_rotation_status", f"trail key {arn} is not an ARN", None)
            continue
        account_id, region = parts[4], parts[3]
        reader = member(account_id)
        if reader is None:
            found.trail_keys.append(KeyInfo(arn, account_id, None))
            unseen("kms", "get_key_rotation_status", f"the trail key's account {account_id} cannot be read", account_id)
            continue
        answer = reader.call("kms", "get_key_rotation_status", region, KeyId=arn)
        found.trail_keys.append(KeyInfo(arn, account_id, None if answer is None else
                                        bool(answer.get("KeyRotationEnabled"))))


def public_access_block_on(config: Mapping[str, Any] | None) -> bool:
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return config is not None and all(bool(config.get(k)) for k in keys)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def denies_insecure_transport(policy: Mapping[str, Any], bucket: str) -> bool:
    """A statement denies every principal every S3 action on the bucket's objects when aws:SecureTransport is
    false (CIS 2.1.1 / 3.1.1)."""
    for st in _as_list(policy.get("Statement", [])):
        if not isinstance(st, Mapping) or st.get("Effect") != "Deny":
            continue
        principal = st.get("Principal")
        if principal != "*" and not (isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS"))):
            continue
        if not {"s3:*", "*"} & set(_as_list(st.get("Action", []))):
            continue
        resources = _as_list(st.get("Resource", []))
        if not any(r in ("*", f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}*") for r in resources):
            continue
        condition = st.get("Condition", {}).get("Bool", {})
        values = [str(v).lower() for v in _as_list(condition.get("aws:SecureTransport", []))]
        if "false" in values:
            return True
    return False


def read_bucket(r: Reader, name: str, owner: str) -> BucketInfo:
    ok_b, bucket_pab = r.optional("s3", "get_public_access_block", {"NoSuchPublicAccessBlockConfiguration"},
                                  Bucket=name)
    ok_a, account_pab = r.optional("s3control", "get_public_access_block",
                                   {"NoSuchPublicAccessBlockConfiguration"}, AccountId=owner)
    block: bool | None = None
    if public_access_block_on((bucket_pab or {}).get("PublicAccessBlockConfiguration")) or \
            public_access_block_on((account_pab or {}).get("PublicAccessBlockConfiguration")):
        block = True
    elif ok_b and ok_a:
        block = False
    ok_p, status = r.optional("s3", "get_bucket_policy_status", {"NoSuchBucketPolicy"}, Bucket=name)
    policy_public = (bool(status["PolicyStatus"].get("IsPublic")) if status else False) if ok_p else None
    ok_acl, acl = r.optional("s3", "get_bucket_acl", set(), Bucket=name)
    acl_public: bool | None = None
    if ok_acl and acl is not None:
        public_groups = ("/global/AllUsers", "/global/AuthenticatedUsers")
        acl_public = any(g.get("Grantee", {}).get("URI", "").endswith(public_groups) for g in acl.get("Grants", []))
    ok_log, logging = r.optional("s3", "get_bucket_logging", set(), Bucket=name)
    target = (logging or {}).get("LoggingEnabled", {}).get("TargetBucket") if ok_log else None
    ok_v, versioning = r.optional("s3", "get_bucket_versioning", set(), Bucket=name)
    ok_pol, policy = r.optional("s3", "get_bucket_policy", {"NoSuchBucketPolicy"}, Bucket=name)
    tls_only: bool | None = None
    if ok_pol:
        try:
            document = json.loads(policy["Policy"]) if policy else {}
        except (ValueError, TypeError):
            document = {}
        tls_only = denies_insecure_transport(document, name) if isinstance(document, Mapping) else False
    return BucketInfo(name, owner, block, policy_public, acl_public, target, access_logging_known=ok_log,
                      versioning=(versioning or {}).get("Status") == "Enabled" if ok_v else None, tls_only=tls_only)


def member_reader_factory(session: boto3.Session, found: Discovery, options: DiscoveryOptions,
                          sink: list[NotVisible], lock: threading.Lock,
                          credentials: Callable[[str], dict[str, str] | None]) -> MemberReader:
    """Readers for the accounts of the organization, made once per account."""
    made: dict[str, Reader | None] = {}

    def reader(account_id: str) -> Reader | None:
        if account_id not in made:
            known = account_id == found.caller_account_id or found.account(account_id) is not None
            creds = credentials(account_id) if known else None
            made[account_id] = None if creds is None else Reader(session, account_id, options, sink, lock, creds)
        return made[account_id]

    return reader
