"""Security services family: each chosen service is on for every account in every governed region (enabled for
each member, or auto-enabled by the organization configuration), not only delegated; findings reach people.

What a check could not read (refused, or not offered by the endpoint) is not a finding: discovery records it as
not visible and the report lists it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.discovery.services import (
    ACCESS_ANALYZER,
    CONFIG,
    DETECTIVE,
    GUARDDUTY,
    INSPECTOR,
    MACIE,
    SECURITYHUB,
    pattern_matches,
)

PRINCIPALS = {"guardduty": GUARDDUTY, "securityhub": SECURITYHUB, "config": CONFIG,
              "access-analyzer": ACCESS_ANALYZER, "inspector": INSPECTOR, "macie": MACIE, "detective": DETECTIVE}
TITLES = {"guardduty": "GuardDuty", "securityhub": "Security Hub", "config": "AWS Config",
          "access-analyzer": "IAM Access Analyzer", "inspector": "Inspector", "macie": "Macie",
          "detective": "Detective"}


_ADMIN_READS = ("organizations:list_delegated_administrators", "sts:assume_role")
"""Every check here reads its service from the delegated administrator, found in the organization and reached
through the access role."""


def chosen(service: str) -> Callable[[AuditContext], bool]:
    """Applies when the organization exists and the service is among the chosen ones."""

    def applies(ctx: AuditContext) -> bool:
        return ctx.has_organization and service in ctx.settings.enabled_security_services

    return applies


def _regions(ctx: AuditContext) -> tuple[str, ...]:
    options = ctx.found.options
    return tuple(dict.fromkeys((options.home_region, *options.regions)))


def _org_id(ctx: AuditContext) -> str:
    return ctx.found.organization.id if ctx.found.organization else ""


def _no_admin(ctx: AuditContext, service: str) -> Iterator[Issue]:
    """An issue when the service has no delegated administrator to read it from (so it cannot be on org-wide)."""
    if PRINCIPALS[service] not in ctx.found.security_services.admins:
        yield Issue(_org_id(ctx), f"{TITLES[service]} has no delegated administrator (or it could not be read): "
                    "it is not turned on across the organization")


def _members_missing(ctx: AuditContext, members: dict[str, str] | None, ok: set[str]) -> list[str]:
    admin_ids = set(ctx.found.security_services.admins.values())
    wanted = [a.id for a in ctx.found.member_accounts() if a.id not in admin_ids]
    if members is None:
        return []
    return [a for a in wanted if members.get(a, "").upper() not in ok]


@check(id="LZ-SVC-001", title="GuardDuty is on for every account in every governed region", severity=Severity.HIGH,
       practice=Practice.SECURITY_SERVICES,
       rationale="A delegated administrator that never enables GuardDuty protects nothing: each governed region "
       "needs the administrator's detector and every member account enabled, which the organization "
       "configuration does for present and future accounts when it auto-enables ALL.",
       remediation="security_services.guardduty.enabled: true (the default); stage `security_services` creates the "
       "detectors and sets auto-enable ALL. Elsewhere: `aws guardduty update-organization-configuration "
       "--detector-id <id> --auto-enable-organization-members ALL` in each region, from the administrator.",
       cis=Cis(v7="2.1.6"), nist=("DE.CM", "DE.AE"), applies=chosen("guardduty"),
       needs=(*_ADMIN_READS, "guardduty:*"))
def guardduty_everywhere(ctx: AuditContext) -> Iterator[Issue]:
    yield from _no_admin(ctx, "guardduty")
    regions = ctx.found.security_services.guardduty
    admin = ctx.found.security_services.admins.get(GUARDDUTY)
    if admin is None or regions is None:
        return
    for region in _regions(ctx):
        seen = regions.get(region)
        if seen is None:
            continue
        if seen.detector_id is None or not seen.detector_enabled:
            yield Issue(admin, f"the GuardDuty administrator has no enabled detector in {region}", admin, region)
            continue
        if seen.auto_enable is None or seen.auto_enable == "ALL":
            continue
        missing = _members_missing(ctx, dict(seen.members) if seen.members is not None else None, {"ENABLED"})
        if seen.members is None or missing:
            who = f"; not enabled for {len(missing)} member account(s): {', '.join(missing[:5])}" if missing else ""
            yield Issue(seen.detector_id, f"GuardDuty's organization configuration in {region} auto-enables "
                        f"{seen.auto_enable}, not ALL{who}", admin, region)


@check(id="LZ-SVC-002", title="GuardDuty's chosen protection plans are auto-enabled for every account",
       severity=Severity.MEDIUM, practice=Practice.SECURITY_SERVICES,
       rationale="Protection plans (S3, EKS, malware protection, RDS, runtime, Lambda) see what foundational "
       "threat detection does not; as organization features with auto-enable ALL they cover every account.",
       remediation="security_services.guardduty.protection_plans; stage `security_services` sets each as an "
       "organization feature auto-enabled for ALL.",
       nist=("DE.CM",), applies=chosen("guardduty"),
       needs=(*_ADMIN_READS, "guardduty:*"))
def guardduty_plans(ctx: AuditContext) -> Iterator[Issue]:
    regions = ctx.found.security_services.guardduty
    admin = ctx.found.security_services.admins.get(GUARDDUTY)
    if admin is None or regions is None:
        return
    for region in _regions(ctx):
        seen = regions.get(region)
        if seen is None or seen.detector_id is None or seen.auto_enable is None:
            continue
        off = [p for p in ctx.settings.guardduty_protection_plans if seen.features.get(p) != "ALL"]
        if off:
            yield Issue(seen.detector_id, f"GuardDuty in {region} does not auto-enable {', '.join(off)} for ALL "
                        "accounts", admin, region)


@check(id="LZ-SVC-003", title="Security Hub is on for every account, with the chosen standards",
       severity=Severity.HIGH, practice=Practice.SECURITY_SERVICES,
       rationale="Security Hub CSPM evaluates every account against the standards (FSBP, CIS) only where it is "
       "enabled; central configuration with a policy on the root enables it for present and future accounts.",
       remediation="security_services.securityhub.enabled: true (the default); stage `security_services` sets "
       "central configuration, a configuration policy with the standards, and associates it with the root.",
       cis=Cis(v3="4.16"), nist=("ID.RA", "DE.CM"), applies=chosen("securityhub"),
       needs=(*_ADMIN_READS, "securityhub:describe_organization_configuration",
              "securityhub:*configuration_polic*", "securityhub:list_members"))
def securityhub_everywhere(ctx: AuditContext) -> Iterator[Issue]:
    yield from _no_admin(ctx, "securityhub")
    hub = ctx.found.security_services.securityhub
    admin = ctx.found.security_services.admins.get(SECURITYHUB)
    if admin is None or hub is None or hub.configuration_type is None:
        return
    region = hub.region
    if hub.configuration_type == "CENTRAL":
        if not hub.associations_read or hub.policies is None:
            return
        if hub.root_policy is None:
            yield Issue(admin, "Security Hub uses central configuration but no configuration policy is associated "
                        "with the organization root", admin, region)
            return
        enabled, standards = hub.policies.get(hub.root_policy, (False, ()))
        if not enabled:
            yield Issue(hub.root_policy, "the root's Security Hub configuration policy does not enable Security "
                        "Hub", admin, region)
        missing = [s for s in ctx.settings.securityhub_standards if not any(a.endswith(s) for a in standards)]
        if enabled and missing:
            yield Issue(hub.root_policy, f"the root's Security Hub configuration policy does not enable "
                        f"{', '.join(missing)}", admin, region)
        return
    if hub.auto_enable:
        return
    missing = _members_missing(ctx, dict(hub.members) if hub.members is not None else None, {"ENABLED"})
    if hub.members is not None and missing:
        yield Issue(admin, f"Security Hub is neither centrally configured nor auto-enabled, and is not enabled for "
                    f"{len(missing)} member account(s): {', '.join(missing[:5])}", admin, region)


@check(id="LZ-SVC-004", title="Security Hub aggregates findings from every governed region",
       severity=Severity.MEDIUM, practice=Practice.SECURITY_SERVICES,
       rationale="A finding aggregator in the home region brings every region's findings to one place; a region "
       "left out is a region whose findings nobody sees there (and central configuration reaches only linked "
       "regions).",
       remediation="Stage `security_services` creates the aggregator in the home region, linking the other "
       "governed regions.",
       nist=("DE.AE",), applies=chosen("securityhub"),
       needs=(*_ADMIN_READS, "securityhub:*finding_aggregator*"))
def securityhub_aggregation(ctx: AuditContext) -> Iterator[Issue]:
    hub = ctx.found.security_services.securityhub
    admin = ctx.found.security_services.admins.get(SECURITYHUB)
    if admin is None or hub is None or hub.aggregator_regions is None:
        return
    if "*" in hub.aggregator_regions:
        return
    missing = [r for r in _regions(ctx) if r not in hub.aggregator_regions]
    if not hub.aggregator_regions:
        yield Issue(admin, f"Security Hub has no finding aggregator in {hub.region}", admin, hub.region)
    elif missing:
        yield Issue(admin, f"Security Hub's finding aggregator does not cover {', '.join(missing)}", admin,
                    hub.region)


@check(id="LZ-SVC-005", title="An AWS Config organization aggregator covers every governed region",
       severity=Severity.MEDIUM, practice=Practice.SECURITY_SERVICES,
       rationale="The aggregator gives the Security account one view of every account's resource configuration "
       "and compliance across the governed regions.",
       remediation="security_services.config.enabled: true (the default); stage `security_services` creates the "
       "organization aggregator in the Security account.",
       cis=Cis(v3="3.3"), nist=("ID.AM", "DE.CM"), applies=chosen("config"),
       needs=(*_ADMIN_READS, "config:describe_configuration_aggregators"))
def config_aggregator(ctx: AuditContext) -> Iterator[Issue]:
    yield from _no_admin(ctx, "config")
    aggregators = ctx.found.security_services.config_aggregators
    admin = ctx.found.security_services.admins.get(CONFIG)
    if admin is None or aggregators is None:
        return
    regions = _regions(ctx)
    for agg in aggregators:
        if agg.organization and (agg.all_regions or all(r in agg.regions for r in regions)):
            return
    yield Issue(admin, "no AWS Config organization aggregator in the administrator account covers "
                f"{', '.join(regions)}", admin, ctx.found.options.home_region)


@check(id="LZ-SVC-006", title="IAM Access Analyzer has an organization analyzer in every governed region",
       severity=Severity.MEDIUM, practice=Practice.SECURITY_SERVICES,
       rationale="An organization analyzer reports resources shared outside the organization; it sees the "
       "resources of its own region only.",
       remediation="security_services.access_analyzer.enabled: true (the default); stage `security_services` "
       "creates an organization analyzer per governed region.",
       cis=Cis(v3="1.20", v5="1.19"), nist=("PR.AC",), applies=chosen("access-analyzer"),
       needs=(*_ADMIN_READS, "accessanalyzer:list_analyzers"))
def access_analyzer_everywhere(ctx: AuditContext) -> Iterator[Issue]:
    yield from _no_admin(ctx, "access-analyzer")
    analyzers = ctx.found.security_services.analyzers
    admin = ctx.found.security_services.admins.get(ACCESS_ANALYZER)
    if admin is None or analyzers is None:
        return
    for region in _regions(ctx):
        found = analyzers.get(region, [])
        if not any(a.type == "ORGANIZATION" and a.status == "ACTIVE" for a in found):
            yield Issue(admin, f"no active organization analyzer in {region}", admin, region)


@check(id="LZ-SVC-007", title="Inspector, Macie and Detective, where chosen, are auto-enabled for every account",
       severity=Severity.MEDIUM, practice=Practice.SECURITY_SERVICES,
       rationale="Each of them protects only the accounts it is enabled for; auto-enable covers new accounts.",
       remediation="security_services.inspector/macie/detective.enabled: true; stage `security_services` sets the "
       "organization configuration's auto-enable in every governed region.",
       nist=("DE.CM", "ID.RA"), applies=lambda ctx: ctx.has_organization,
       needs=(*_ADMIN_READS, "inspector2:*", "macie2:*", "detective:*"))
def optional_services(ctx: AuditContext) -> Iterator[Issue]:
    view = ctx.found.security_services
    wanted = set(ctx.settings.enabled_security_services)
    readings: dict[str, dict[str, bool | None] | None] = {
        "inspector": None if view.inspector_auto_enable is None else {
            r: (None if v is None else bool(v) and any(v.values())) for r, v in view.inspector_auto_enable.items()},
        "macie": view.macie_auto_enable,
        "detective": view.detective_auto_enable,
    }
    for service, by_region in readings.items():
        if service not in wanted:
            continue
        yield from _no_admin(ctx, service)
        admin = view.admins.get(PRINCIPALS[service])
        if admin is None or by_region is None:
            continue
        for region in _regions(ctx):
            if by_region.get(region) is False:
                yield Issue(admin, f"{TITLES[service]} does not auto-enable member accounts in {region}", admin,
                            region)


@check(id="LZ-SVC-008", title="Findings reach people: EventBridge rules publish to an encrypted topic with "
       "subscribers", severity=Severity.MEDIUM, practice=Practice.SECURITY_SERVICES,
       rationale="Findings that nobody is told about are found by the attacker's next step; an EventBridge rule "
       "in the Security account sends Security Hub and GuardDuty findings to a KMS-encrypted SNS topic that "
       "someone subscribes to.",
       remediation="security_services.notifications.email / https; stage `security_services` creates the topic, "
       "its subscriptions and the rules.",
       nist=("DE.AE", "RS.CO"),
       applies=lambda ctx: ctx.has_organization and bool(
           {"guardduty", "securityhub"} & set(ctx.settings.enabled_security_services)),
       needs=(*_ADMIN_READS, "sns:*", "events:*"))
def findings_route(ctx: AuditContext) -> Iterator[Issue]:
    view = ctx.found.security_services
    admin = view.admins.get(SECURITYHUB) or view.admins.get(GUARDDUTY)
    if admin is None or view.topics is None or view.rules is None:
        return
    home = ctx.found.options.home_region
    topics = {t.arn: t for t in view.topics}
    sources = [("aws.securityhub", "securityhub"), ("aws.guardduty", "guardduty")]
    told: set[str] = set()
    for source, service in sources:
        if service not in ctx.settings.enabled_security_services:
            continue
        routed = [t for rule in view.rules if rule.enabled and rule.region == home and pattern_matches(rule.pattern,
                                                                                                        source)
                  for t in rule.targets if t in topics]
        if not routed:
            yield Issue(admin, f"no enabled EventBridge rule in {home} sends {TITLES[service]} findings to an SNS "
                        "topic", admin, home)
            continue
        for arn in dict.fromkeys(routed):
            if arn in told:
                continue
            told.add(arn)
            topic = topics[arn]
            if not topic.kms_key:
                yield Issue(arn, f"the findings topic {arn.rsplit(':', 1)[-1]!r} is not KMS-encrypted", admin, home)
            if topic.subscriptions == 0:
                yield Issue(arn, f"the findings topic {arn.rsplit(':', 1)[-1]!r} has no subscriptions: nobody "
                            "receives the findings", admin, home)


CONFIG_READS = ("config:describe_configuration_recorders", "config:describe_configuration_recorder_status",
                "config:describe_delivery_channels", "sts:assume_role")


def _config_recorders_read(ctx: AuditContext) -> bool:
    return "config" in ctx.settings.enabled_security_services and any(
        view.visible and view.config_recorders for view in ctx.found.account_views.values())


@check(id="LZ-SVC-009", title="AWS Config records in every account and governed region",
       severity=Severity.HIGH, practice=Practice.SECURITY_SERVICES,
       rationale="An aggregator aggregates only what recorders record: each account needs a running recorder of "
       "all supported resource types in every governed region (the global IAM types in one of them, the home "
       "region) with a delivery channel, or its configuration history, and the Security Hub controls that "
       "evaluate it, are missing.",
       remediation="security_services.config.enabled: true (the default); each account's baseline stack (stage "
       "`baseline`) creates the recorder, the delivery channel to the Config bucket stage `logging` makes in the "
       "log-archive account, and starts it; protect-security-services keeps anyone else from stopping it. "
       "Elsewhere: `aws configservice put-configuration-recorder`, `put-delivery-channel` and "
       "`start-configuration-recorder` in each account and region.",
       cis=Cis(v3="3.3", v5="3.3", v7="4.3"), nist=("ID.AM", "DE.CM"), applies=_config_recorders_read,
       needs=CONFIG_READS)
def config_recording_everywhere(ctx: AuditContext) -> Iterator[Issue]:
    home = ctx.found.options.home_region
    for account_id in sorted(ctx.found.account_views):
        view = ctx.found.account_views[account_id]
        if not view.visible:
            continue
        for region in _regions(ctx):
            seen = view.config_recorders.get(region)
            if seen is None:
                continue  # not read (listed as not visible)
            where = f"{account_id} ({region})"
            if seen.name is None:
                yield Issue(f"{account_id}/{region}", f"AWS Config has no configuration recorder in {where}",
                            account_id, region)
                continue
            problems = [what for what, bad in (
                ("is not recording", not seen.recording),
                ("does not record all supported resource types", not seen.all_supported),
                ("has no delivery channel", seen.delivery_bucket is None)) if bad]
            if problems:
                yield Issue(f"{account_id}/{region}", f"AWS Config's recorder {seen.name!r} in {where} "
                            f"{' and '.join(problems)}", account_id, region)
        read = [view.config_recorders[r] for r in _regions(ctx) if r in view.config_recorders]
        if len(read) == len(_regions(ctx)) and not any(s.include_global for s in read if s.name is not None):
            yield Issue(account_id, f"AWS Config records the global resource types (IAM) in no region of "
                        f"{account_id} (the home region {home} should)", account_id, home)
