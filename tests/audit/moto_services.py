"""GuardDuty's organization configuration for the in-process moto server (moto 5.2 lacks it).

moto implements GuardDuty detectors and administrator designations but not DescribeOrganizationConfiguration /
UpdateOrganizationConfiguration, which is exactly what tells "auto-enabled for ALL members" from "delegated and
nothing more". The audit tests and the provision-then-audit engine test run moto in this process
(ThreadedMotoServer), so :func:`install` adds the two operations to moto's GuardDuty here, storing the configuration
on moto's detector object: the audit then reads it over HTTP with boto3 as it would on AWS, and a test changes it
over HTTP as a user would (`aws guardduty update-organization-configuration`). Call it before the server answers
its first GuardDuty request (moto builds each service's routes once).
"""

from __future__ import annotations

import json
from typing import Any

ADMIN_PATH = "{0}/detector/(?P<detector_id>[^/]+)/admin$"


def install() -> None:
    """Idempotent."""
    from moto.guardduty import urls
    from moto.guardduty.responses import GuardDutyResponse

    if ADMIN_PATH in urls.url_paths:
        return

    def detector(self: Any) -> Any:
        return self.guardduty_backend.get_detector(self.path.split("/")[-2])

    def describe_organization_configuration(self: Any) -> str:
        found = detector(self)
        stored = getattr(found, "organization_configuration", None) or {}
        auto = stored.get("autoEnableOrganizationMembers", "NONE")
        return json.dumps({"autoEnable": auto != "NONE", "autoEnableOrganizationMembers": auto,
                           "memberAccountLimitReached": False, "features": stored.get("features", [])})

    def update_organization_configuration(self: Any) -> str:
        found = detector(self)
        stored = dict(getattr(found, "organization_configuration", None) or {})
        members = self._get_param("autoEnableOrganizationMembers")
        if members is None and self._get_param("autoEnable") is not None:
            members = "NEW" if self._get_param("autoEnable") else "NONE"
        if members is not None:
            stored["autoEnableOrganizationMembers"] = members
        features = {f["name"]: f for f in stored.get("features", [])}
        for feature in self._get_param("features") or []:
            features[feature["name"]] = feature
        stored["features"] = list(features.values())
        found.organization_configuration = stored
        return "{}"

    GuardDutyResponse.describe_organization_configuration = describe_organization_configuration  # type: ignore
    GuardDutyResponse.update_organization_configuration = update_organization_configuration  # type: ignore
    urls.url_paths[ADMIN_PATH] = GuardDutyResponse.dispatch


# ---- the security services of a well-built organization --------------------------------------------------------

SERVICE_BREAKS = frozenset({"guardduty-auto-enable-off", "guardduty-plan-off", "securityhub-not-auto-enabled",
                            "no-config-aggregator", "no-findings-route"})
PLANS = ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS")


def build_security_services(org: Any, *, security: str, guardduty_admin: str, regions: tuple[str, ...],
                            broken: frozenset[str], register_delegated_admin: Any) -> None:
    """GuardDuty, Security Hub, Config and the findings route as stage security_services builds them (through
    boto3 over HTTP), minus what ``broken`` names. Security Hub is auto-enabled here (moto has no configuration
    policies to read back, so central configuration would leave nothing for the audit to check)."""
    orgs = org.client("organizations")
    for principal in ("securityhub.amazonaws.com", "config.amazonaws.com"):
        orgs.enable_aws_service_access(ServicePrincipal=principal)
        register_delegated_admin(security, principal)
    home = regions[0]
    for region in regions:
        org.client("guardduty", region=region).enable_organization_admin_account(AdminAccountId=guardduty_admin)
        guardduty = org.client("guardduty", guardduty_admin, region)
        detector = guardduty.create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")["DetectorId"]
        plans = [p for p in PLANS if not ("guardduty-plan-off" in broken and p == "RDS_LOGIN_EVENTS")]
        guardduty.update_organization_configuration(
            DetectorId=detector,
            AutoEnableOrganizationMembers="NONE" if "guardduty-auto-enable-off" in broken else "ALL",
            Features=[{"Name": p, "AutoEnable": "ALL"} for p in plans])
    org.client("securityhub", region=home).enable_organization_admin_account(AdminAccountId=security)
    hub = org.client("securityhub", security, home)
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.update_organization_configuration(AutoEnable="securityhub-not-auto-enabled" not in broken,
                                          AutoEnableStandards="DEFAULT")
    if "no-config-aggregator" not in broken:
        role = f"arn:aws:iam::{security}:role/config-aggregator"
        org.client("config", security, home).put_configuration_aggregator(
            ConfigurationAggregatorName="organization",
            OrganizationAggregationSource={"RoleArn": role, "AwsRegions": list(regions), "AllAwsRegions": False})
    if "no-findings-route" in broken:
        return
    key = org.client("kms", security, home).create_key(Description="findings topic")["KeyMetadata"]["Arn"]
    sns = org.client("sns", security, home)
    topic = sns.create_topic(Name="security-findings", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security-alerts@example.com")
    events = org.client("events", security, home)
    for name, source in (("securityhub-findings", "aws.securityhub"), ("guardduty-findings", "aws.guardduty")):
        events.put_rule(Name=name, EventPattern=json.dumps({"source": [source]}), State="ENABLED")
        events.put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic}])
