"""Logging family: the organization trail, its bucket, and a query layer beyond the 90-day event history."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.discovery import BucketInfo, GlueTableInfo, KeyInfo, TrailInfo

TRAIL_READS = ("cloudtrail:describe_trails",)
BUCKET_OWNER_READS = ("s3:list_buckets", "sts:assume_role")
"""The trail bucket's owner is found through each account's bucket list, read through the access role."""


def _org_trails(ctx: AuditContext) -> list[TrailInfo]:
    return [t for t in ctx.found.trails if t.is_organization_trail]


def _has_org_trail(ctx: AuditContext) -> bool:
    return bool(_org_trails(ctx))


def _org_trails_where(ctx: AuditContext, wrong: Callable[[TrailInfo], bool],
                      says: Callable[[TrailInfo], str]) -> Iterator[Issue]:
    """One issue per organization trail that is `wrong`, with what `says` is wrong with it."""
    for trail in _org_trails(ctx):
        if wrong(trail):
            yield Issue(trail.arn, f"trail {trail.name!r} {says(trail)}", trail.owner_account_id, trail.home_region)


def _trail_buckets(ctx: AuditContext) -> list[BucketInfo]:
    names = {t.s3_bucket for t in _org_trails(ctx)}
    return [b for b in ctx.found.buckets if b.name in names and b.account_id is not None]


@check(id="LZ-LOG-001", title="An organization-wide CloudTrail trail exists", severity=Severity.HIGH,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="An organization trail records the API activity of every account, present and future, into one "
       "place that member accounts cannot change.",
       remediation="Stage `logging` creates the organization trail (logging.trail_name) from the Security "
       "account into a central bucket.",
       cis=Cis(v3="3.1", v5="3.1", v7="4.1"), nist=("DE.CM", "PR.PT"),
       applies=lambda ctx: ctx.has_organization, needs=TRAIL_READS)
def organization_trail_exists(ctx: AuditContext) -> Iterator[Issue]:
    if not _org_trails(ctx):
        others = ", ".join(t.name for t in ctx.found.trails) or "none"
        org_id = ctx.found.organization.id if ctx.found.organization else ""
        yield Issue(org_id, f"no organization trail (trails seen from the management account: {others})")


@check(id="LZ-LOG-002", title="The organization trail covers all regions", severity=Severity.HIGH,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="A single-region trail misses activity in every other region, including regions an attacker "
       "picks because nobody watches them.",
       remediation="Stage `logging` creates the trail multi-region; for an existing trail: "
       "`aws cloudtrail update-trail --is-multi-region-trail`.",
       cis=Cis(v3="3.1", v5="3.1", v7="4.1"), nist=("DE.CM",), applies=_has_org_trail, needs=TRAIL_READS)
def trail_multi_region(ctx: AuditContext) -> Iterator[Issue]:
    yield from _org_trails_where(ctx, lambda t: not t.is_multi_region, lambda t: f"records only {t.home_region}")


@check(id="LZ-LOG-003", title="The organization trail is logging", severity=Severity.HIGH,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="A stopped trail records nothing; stopping it is a classic first step of an intruder.",
       remediation="`aws cloudtrail start-logging --name <trail>`; the protect-organization-trail guardrail "
       "denies StopLogging to everyone but the organization's administrators.",
       cis=Cis(v3="3.1", v5="3.1", v7="4.1"), nist=("DE.CM",), applies=_has_org_trail,
       needs=(*TRAIL_READS, "cloudtrail:get_trail_status"))
def trail_logging(ctx: AuditContext) -> Iterator[Issue]:
    yield from _org_trails_where(ctx, lambda t: t.is_logging is False, lambda t: "is not logging")


@check(id="LZ-LOG-004", title="Log file validation is on", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="Digest files let an investigator prove that log files were not changed or deleted after "
       "delivery.",
       remediation="Stage `logging` enables it; for an existing trail: `aws cloudtrail update-trail "
       "--enable-log-file-validation`.",
       cis=Cis(v3="3.2", v5="3.2", v7="4.2"), nist=("PR.DS", "DE.CM"), applies=_has_org_trail, needs=TRAIL_READS)
def trail_validation(ctx: AuditContext) -> Iterator[Issue]:
    yield from _org_trails_where(ctx, lambda t: not t.log_file_validation, lambda t: "has log file validation off")


@check(id="LZ-LOG-005", title="Trail logs are encrypted with a KMS customer-managed key", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="A customer-managed key adds a second permission (kms:Decrypt) between a reader and the logs, "
       "and its use is itself logged.",
       remediation="logging.kms: true (the default) makes stage `logging` create the key and use it.",
       cis=Cis(v3="3.5", v5="3.5", v7="4.5"), nist=("PR.DS",), applies=_has_org_trail, needs=TRAIL_READS)
def trail_kms(ctx: AuditContext) -> Iterator[Issue]:
    yield from _org_trails_where(ctx, lambda t: not t.kms_key_id, lambda t: "is not encrypted with a KMS key")


@check(id="LZ-LOG-006", title="The trail bucket is not public", severity=Severity.HIGH,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="The trail bucket holds the record of everything every account did; public access, or merely "
       "the possibility of it, exposes it.",
       remediation="Stage `logging` creates the bucket with all four Block Public Access settings; the "
       "deny-s3-block-public-access-changes guardrail keeps them on.",
       nist=("PR.DS", "PR.AC"), applies=_has_org_trail,
       needs=(*TRAIL_READS, *BUCKET_OWNER_READS, "s3:get_public_access_block", "s3control:get_public_access_block",
              "s3:get_bucket_policy_status", "s3:get_bucket_acl"))
def bucket_not_public(ctx: AuditContext) -> Iterator[Issue]:
    for bucket in _trail_buckets(ctx):
        reasons = []
        if bucket.policy_is_public:
            reasons.append("its bucket policy grants public access")
        if bucket.acl_is_public:
            reasons.append("its ACL grants access to all users")
        if bucket.block_public_access is False:
            reasons.append("Block Public Access is not fully on (bucket or account level)")
        if reasons:
            yield Issue(f"arn:aws:s3:::{bucket.name}", f"trail bucket {bucket.name!r}: " + "; ".join(reasons),
                        bucket.account_id)


@check(id="LZ-LOG-007", title="The trail bucket has access logging", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="Access logs show who read or deleted trail log files.",
       remediation="Stage `logging` turns on server access logging into a separate bucket; for an existing "
       "bucket: `aws s3api put-bucket-logging`.",
       cis=Cis(v3="3.4", v5="3.4", v7="4.4"), nist=("DE.CM",), applies=_has_org_trail,
       needs=(*TRAIL_READS, *BUCKET_OWNER_READS, "s3:get_bucket_logging"))
def bucket_access_logging(ctx: AuditContext) -> Iterator[Issue]:
    for bucket in _trail_buckets(ctx):
        if bucket.access_logging_known and bucket.access_logging_target is None:
            yield Issue(f"arn:aws:s3:::{bucket.name}", f"trail bucket {bucket.name!r} has no access logging",
                        bucket.account_id)


def _query_tables(ctx: AuditContext) -> list[GlueTableInfo]:
    buckets = {t.s3_bucket for t in _org_trails(ctx) if t.s3_bucket}
    return [t for view in ctx.found.account_views.values() for t in view.glue_tables
            if any(t.location.rstrip("/") == f"s3://{b}" or t.location.startswith(f"s3://{b}/") for b in buckets)]


def _query_layer_needs(ctx: AuditContext) -> tuple[str, ...]:
    """A Glue table over the trail bucket settles it; only without one do the unread parts matter (and without an
    organization trail, only whether the trails were read)."""
    if not _has_org_trail(ctx):
        return TRAIL_READS
    if _query_tables(ctx):
        return ()
    return (*TRAIL_READS, "sts:assume_role", "glue:*", "cloudtrail:list_event_data_stores",
            "cloudtrail:get_event_data_store")


@check(id="LZ-LOG-008", title="The trail is queryable beyond 90 days (Athena or Lake)", severity=Severity.MEDIUM,
       practice=Practice.TRAIL_QUERY,
       rationale="The console's event history keeps 90 days of management events; an investigation needs the "
       "whole record, queryable with SQL.",
       remediation="logging.query_layer: athena (the default) makes stage `logging` create a Glue table with "
       "partition projection over the trail bucket, an Athena workgroup and saved queries; lake only for "
       "organizations that already use CloudTrail Lake (closed to new customers since 2026-05-31).",
       nist=("DE.CM", "DE.AE"), applies=_has_org_trail, needs=lambda ctx: _query_layer_needs(ctx))
def query_layer(ctx: AuditContext) -> Iterator[Issue]:
    buckets = {t.s3_bucket for t in _org_trails(ctx) if t.s3_bucket}
    tables = _query_tables(ctx)
    stores = [s for s in ctx.found.event_data_stores if s.status in ("ENABLED", "CREATED", "STARTING_INGESTION")]
    if tables or stores:
        return
    where = "" if ctx.found.event_data_stores_visible else " (event data stores were not readable)"
    org_id = ctx.found.organization.id if ctx.found.organization else ""
    yield Issue(org_id, f"no Glue/Athena table over the trail bucket ({', '.join(sorted(buckets))}) and no "
                f"CloudTrail Lake event data store{where}")


@check(id="LZ-LOG-009", title="The organization trail records read and write management events",
       severity=Severity.HIGH, practice=Practice.ORGANIZATION_TRAIL,
       rationale="A trail whose event selectors leave out read (Describe*, List*, Get*) or write management events "
       "misses reconnaissance or changes; CIS counts only a trail recording both as CloudTrail enabled.",
       remediation="Stage `logging` creates the trail without selectors, which records all management events; for "
       "an existing trail: `aws cloudtrail put-event-selectors --event-selectors "
       "ReadWriteType=All,IncludeManagementEvents=true`.",
       cis=Cis(v3="3.1", v5="3.1", v7="4.1"), nist=("DE.CM", "PR.PT"), applies=_has_org_trail,
       needs=(*TRAIL_READS, "cloudtrail:get_event_selectors"))
def trail_management_events(ctx: AuditContext) -> Iterator[Issue]:
    def missing(t: TrailInfo) -> str:
        read, write = t.management_events or (True, True)
        return " and ".join(k for k, on in (("read", read), ("write", write)) if not on)

    yield from _org_trails_where(ctx, lambda t: t.management_events is not None and bool(missing(t)),
                                 lambda t: f"does not record {missing(t)} management events")


@check(id="LZ-LOG-010", title="The trail bucket has versioning", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="With versioning, a log file that is overwritten or deleted keeps its earlier version, so "
       "tampering with the record is visible and recoverable.",
       remediation="Stage `logging` creates the trail bucket with versioning on (and expires old versions after "
       "logging.bucket_retention_days); for an existing bucket: `aws s3api put-bucket-versioning "
       "--versioning-configuration Status=Enabled`.",
       nist=("PR.DS", "PR.IP"), applies=_has_org_trail,
       needs=(*TRAIL_READS, *BUCKET_OWNER_READS, "s3:get_bucket_versioning"))
def bucket_versioning(ctx: AuditContext) -> Iterator[Issue]:
    for bucket in _trail_buckets(ctx):
        if bucket.versioning is False:
            yield Issue(f"arn:aws:s3:::{bucket.name}", f"trail bucket {bucket.name!r} has versioning off",
                        bucket.account_id)


@check(id="LZ-LOG-011", title="The trail bucket accepts TLS requests only", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="Without a statement denying aws:SecureTransport false, log files can be read or written over "
       "plain HTTP, open to interception on the way.",
       remediation="Stage `logging` writes the trail bucket's policy with a DenyInsecureTransport statement; for "
       "an existing bucket add one (Effect Deny, Principal *, Action s3:*, Condition Bool aws:SecureTransport "
       "false).",
       cis=Cis(v3="2.1.1", v5="2.1.1", v7="3.1.1"), nist=("PR.DS",), applies=_has_org_trail,
       needs=(*TRAIL_READS, *BUCKET_OWNER_READS, "s3:get_bucket_policy"))
def bucket_tls_only(ctx: AuditContext) -> Iterator[Issue]:
    for bucket in _trail_buckets(ctx):
        if bucket.tls_only is False:
            yield Issue(f"arn:aws:s3:::{bucket.name}", f"trail bucket {bucket.name!r} has no policy statement "
                        "denying requests without TLS", bucket.account_id)


def _trail_keys(ctx: AuditContext) -> list[KeyInfo]:
    arns = {t.kms_key_id for t in _org_trails(ctx)}
    return [k for k in ctx.found.trail_keys if k.arn in arns]


@check(id="LZ-LOG-012", title="The trail's KMS key rotates", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATION_TRAIL,
       rationale="Automatic rotation replaces the key material every year, limiting how much log data one "
       "leaked key version can decrypt.",
       remediation="logging.kms: true makes stage `logging` create the trail key with rotation on; for an existing "
       "key: `aws kms enable-key-rotation --key-id <key>`.",
       cis=Cis(v3="3.6", v5="3.6", v7="4.6"), nist=("PR.DS",), applies=_has_org_trail,
       needs=(*TRAIL_READS, "kms:get_key_rotation_status", "sts:assume_role"))
def trail_key_rotation(ctx: AuditContext) -> Iterator[Issue]:
    for key in _trail_keys(ctx):
        if key.rotation_enabled is False:
            yield Issue(key.arn, f"the trail's KMS key {key.arn} has automatic rotation off", key.account_id)
