"""What the security services look like from their administrator accounts: read with boto3 into plain data.

:func:`read_security_services` is called by :func:`landingzone.discovery.discover` with a reader for each
service's delegated administrator account (through the access role). As everywhere in discovery, a refused read
(or one the endpoint does not offer) is recorded as NotVisible by the reader and leaves the field ``None``, so the
audit can tell "off" from "not seen".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Reader(Protocol):
    """The part of discovery's per-account reader used here."""

    account_id: str

    def call(self, service: str, operation: str, region: str | None = None,
             **kwargs: Any) -> dict[str, Any] | None: ...

    def pages(self, service: str, operation: str, key: str, region: str | None = None,
              **kwargs: Any) -> list[Any] | None: ...


GUARDDUTY = "guardduty.amazonaws.com"
SECURITYHUB = "securityhub.amazonaws.com"
CONFIG = "config.amazonaws.com"
ACCESS_ANALYZER = "access-analyzer.amazonaws.com"
INSPECTOR = "inspector2.amazonaws.com"
MACIE = "macie.amazonaws.com"
DETECTIVE = "detective.amazonaws.com"


@dataclass(frozen=True)
class GuardDutyRegion:
    region: str
    detector_id: str | None
    """The administrator's detector; None when it has none (or detectors were not readable)."""
    detector_enabled: bool
    auto_enable: str | None
    """The organization configuration's AutoEnableOrganizationMembers (ALL, NEW, NONE); None when not read."""
    features: Mapping[str, str] = field(default_factory=dict)
    """Organization features -> their AutoEnable (ALL, NEW, NONE)."""
    members: Mapping[str, str] | None = None
    """Member account -> relationship status; None when not read (only read when auto-enable is not ALL)."""


@dataclass(frozen=True)
class SecurityHubView:
    region: str
    """The home region (central configuration is made there)."""
    configuration_type: str | None
    """CENTRAL or LOCAL; None when not read."""
    auto_enable: bool | None
    aggregator_regions: tuple[str, ...] | None
    """Regions the finding aggregator covers (the home region plus the linked ones; "*" for all regions); None
    when not read, () when there is no aggregator."""
    policies: Mapping[str, tuple[bool, tuple[str, ...]]] | None = None
    """Configuration policy id -> (service enabled, enabled standard ARNs); None when not read."""
    root_policy: str | None = None
    """The policy associated with the organization root, when read."""
    associations_read: bool = False
    members: Mapping[str, str] | None = None
    """Member account -> member status (read only without central configuration or auto-enable)."""


@dataclass(frozen=True)
class AggregatorInfo:
    name: str
    arn: str
    organization: bool
    all_regions: bool
    regions: tuple[str, ...]


@dataclass(frozen=True)
class AnalyzerInfo:
    region: str
    name: str
    type: str
    status: str


@dataclass(frozen=True)
class TopicInfo:
    arn: str
    kms_key: str | None
    policy: str | None
    subscriptions: int


@dataclass(frozen=True)
class RuleInfo:
    region: str
    name: str
    pattern: str
    enabled: bool
    targets: tuple[str, ...]


@dataclass
class SecurityServicesView:
    """The security services as their administrators see them. Fields are None when the service has no
    administrator or its reads were refused (the NotVisible list says which)."""

    admins: dict[str, str] = field(default_factory=dict)
    """Service principal -> administrator account read from."""
    guardduty: dict[str, GuardDutyRegion] | None = None
    securityhub: SecurityHubView | None = None
    config_aggregators: list[AggregatorInfo] | None = None
    analyzers: dict[str, list[AnalyzerInfo]] | None = None
    """Region -> the administrator's analyzers there (None for a region whose read was refused)."""
    inspector_auto_enable: dict[str, dict[str, bool] | None] | None = None
    macie_auto_enable: dict[str, bool | None] | None = None
    detective_auto_enable: dict[str, bool | None] | None = None
    topics: list[TopicInfo] | None = None
    rules: list[RuleInfo] | None = None
    """EventBridge rules of the findings account in the governed regions."""


def _guardduty(r: Reader, regions: tuple[str, ...], members: list[str]) -> dict[str, GuardDutyRegion] | None:
    out: dict[str, GuardDutyRegion] = {}
    for region in regions:
        ids = r.pages("guardduty", "list_detectors", "DetectorIds", region)
        if ids is None:
            return None
        if not ids:
            out[region] = GuardDutyRegion(region, None, False, None)
            continue
        detector = ids[0]
        got = r.call("guardduty", "get_detector", region, DetectorId=detector) or {}
        org = r.call("guardduty", "describe_organization_configuration", region, DetectorId=detector)
        auto = None if org is None else str(org.get("AutoEnableOrganizationMembers")
                                            or ("NEW" if org.get("AutoEnable") else "NONE"))
        features = {f["Name"]: f.get("AutoEnable", "NONE") for f in (org or {}).get("Features", [])}
        listed: dict[str, str] | None = None
        if auto != "ALL" and members:
            found = r.pages("guardduty", "list_members", "Members", region, DetectorId=detector,
                            OnlyAssociated="false")
            listed = None if found is None else {m["AccountId"]: m.get("RelationshipStatus", "") for m in found}
        out[region] = GuardDutyRegion(region, detector, got.get("Status") == "ENABLED", auto, features, listed)
    return out


def _securityhub(r: Reader, home: str) -> SecurityHubView:
    org = r.call("securityhub", "describe_organization_configuration", home)
    kind = None if org is None else (org.get("OrganizationConfiguration") or {}).get("ConfigurationType", "LOCAL")
    aggregators = r.pages("securityhub", "list_finding_aggregators", "FindingAggregators", home)
    covered: tuple[str, ...] | None = None
    if aggregators is not None:
        covered = ()
        for item in aggregators:
            got = r.call("securityhub", "get_finding_aggregator", home,
                         FindingAggregatorArn=item["FindingAggregatorArn"]) or {}
            mode = got.get("RegionLinkingMode", "")
            linked = tuple(got.get("Regions") or ())
            covered = ("*",) if mode.startswith("ALL_REGIONS") else (got.get("FindingAggregationRegion", home),
                                                                      *linked)
    policies: dict[str, tuple[bool, tuple[str, ...]]] | None = None
    root_policy: str | None = None
    associations_read = False
    if kind == "CENTRAL":
        listed = r.pages("securityhub", "list_configuration_policies", "ConfigurationPolicySummaries", home)
        if listed is not None:
            policies = {}
            for summary in listed:
                got = r.call("securityhub", "get_configuration_policy", home, Identifier=summary["Id"]) or {}
                hub_policy = (got.get("ConfigurationPolicy") or {}).get("SecurityHub") or {}
                policies[summary["Id"]] = (bool(hub_policy.get("ServiceEnabled")),
                                           tuple(hub_policy.get("EnabledStandardIdentifiers") or ()))
        associations = r.pages("securityhub", "list_configuration_policy_associations",
                               "ConfigurationPolicyAssociationSummaries", home,
                               Filters={"AssociationType": "APPLIED"})
        if associations is not None:
            associations_read = True
            for item in associations:
                if item.get("TargetType") == "ROOT":
                    root_policy = item.get("ConfigurationPolicyId")
    members: dict[str, str] | None = None
    if org is not None and kind != "CENTRAL" and not org.get("AutoEnable"):
        found = r.pages("securityhub", "list_members", "Members", home, OnlyAssociated=False)
        members = None if found is None else {m["AccountId"]: m.get("MemberStatus", "") for m in found}
    return SecurityHubView(home, kind,
                           None if org is None else bool(org.get("AutoEnable")), covered, policies, root_policy,
                           associations_read, members)


def _aggregators(r: Reader, home: str) -> list[AggregatorInfo] | None:
    found = r.pages("config", "describe_configuration_aggregators", "ConfigurationAggregators", home)
    if found is None:
        return None
    out = []
    for agg in found:
        org = agg.get("OrganizationAggregationSource")
        accounts = agg.get("AccountAggregationSources") or [{}]
        source = org or accounts[0]
        out.append(AggregatorInfo(agg["ConfigurationAggregatorName"], agg.get("ConfigurationAggregatorArn", ""),
                                  org is not None, bool(source.get("AllAwsRegions")),
                                  tuple(source.get("AwsRegions") or ())))
    return out


def _analyzers(r: Reader, regions: tuple[str, ...]) -> dict[str, list[AnalyzerInfo]] | None:
    out: dict[str, list[AnalyzerInfo]] = {}
    for region in regions:
        found = r.pages("accessanalyzer", "list_analyzers", "analyzers", region)
        if found is None:
            return None
        out[region] = [AnalyzerInfo(region, a["name"], a.get("type", ""), a.get("status", "")) for a in found]
    return out


def _per_region(regions: tuple[str, ...], read: Callable[[str], Any]) -> dict[str, Any]:
    return {region: read(region) for region in regions}


def _route(r: Reader, regions: tuple[str, ...], home: str) -> tuple[list[TopicInfo] | None, list[RuleInfo] | None]:
    topics: list[TopicInfo] | None = None
    listed = r.pages("sns", "list_topics", "Topics", home)
    if listed is not None:
        topics = []
        for item in listed:
            attributes = (r.call("sns", "get_topic_attributes", home, TopicArn=item["TopicArn"]) or {}).get(
                "Attributes", {})
            subs = r.pages("sns", "list_subscriptions_by_topic", "Subscriptions", home, TopicArn=item["TopicArn"])
            topics.append(TopicInfo(item["TopicArn"], attributes.get("KmsMasterKeyId") or None,
                                    attributes.get("Policy"), len(subs or [])))
    rules: list[RuleInfo] | None = []
    for region in regions:
        found = r.pages("events", "list_rules", "Rules", region)
        if found is None:
            rules = None
            break
        assert rules is not None
        for rule in found:
            if not rule.get("EventPattern"):
                continue
            targets = r.pages("events", "list_targets_by_rule", "Targets", region, Rule=rule["Name"]) or []
            rules.append(RuleInfo(region, rule["Name"], rule["EventPattern"], rule.get("State") == "ENABLED",
                                  tuple(t["Arn"] for t in targets)))
    return topics, rules


def read_security_services(readers: Mapping[str, Reader], *, home: str, regions: tuple[str, ...],
                           members: list[str]) -> SecurityServicesView:
    """Read each service from its administrator (``readers``: service principal -> reader of its delegated
    administrator account); the findings route from the GuardDuty or Security Hub administrator."""
    view = SecurityServicesView(admins={p: r.account_id for p, r in readers.items()})
    regions = tuple(dict.fromkeys((home, *regions)))
    if GUARDDUTY in readers:
        view.guardduty = _guardduty(readers[GUARDDUTY], regions, members)
    if SECURITYHUB in readers:
        view.securityhub = _securityhub(readers[SECURITYHUB], home)
    if CONFIG in readers:
        view.config_aggregators = _aggregators(readers[CONFIG], home)
    if ACCESS_ANALYZER in readers:
        view.analyzers = _analyzers(readers[ACCESS_ANALYZER], regions)
    if INSPECTOR in readers:
        r = readers[INSPECTOR]
        view.inspector_auto_enable = _per_region(regions, lambda region: (
            r.call("inspector2", "describe_organization_configuration", region) or {}).get("autoEnable"))
    if MACIE in readers:
        m = readers[MACIE]

        def macie(region: str) -> bool | None:
            got = m.call("macie2", "describe_organization_configuration", region)
            return None if got is None else bool(got.get("autoEnable"))

        view.macie_auto_enable = _per_region(regions, macie)
    if DETECTIVE in readers:
        d = readers[DETECTIVE]

        def detective(region: str) -> bool | None:
            graphs = d.pages("detective", "list_graphs", "GraphList", region)
            if not graphs:
                return None if graphs is None else False
            got = d.call("detective", "describe_organization_configuration", region, GraphArn=graphs[0]["Arn"])
            return None if got is None else bool(got.get("AutoEnable"))

        view.detective_auto_enable = _per_region(regions, detective)
    route = readers.get(SECURITYHUB) or readers.get(GUARDDUTY)
    if route is not None:
        view.topics, view.rules = _route(route, regions, home)
    return view


def pattern_matches(pattern: str, source: str) -> bool:
    """Whether an EventBridge pattern selects events of ``source`` (e.g. aws.guardduty)."""
    try:
        doc = json.loads(pattern)
    except ValueError:
        return False
    sources = doc.get("source") if isinstance(doc, dict) else None
    return isinstance(sources, list) and source in sources
