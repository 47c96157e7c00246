"""``security_services``: which security services the Security account turns on across the organization.

Each service has an entry with ``enabled`` and its own options. Stage ``security_services`` (scope security) turns
the chosen services on from the Security account, as delegated administrator, in every governed region, with
auto-enable for every member account present and future; stage ``security`` designates the Security account as
each chosen service's administrator first. GuardDuty, Security Hub, Config and Access Analyzer are on by default;
Inspector, Macie and Detective are off: they are priced per resource scanned or per volume of data analysed.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import Field, PrivateAttr, SerializerFunctionWrapHandler, field_validator, model_serializer

from landingzone.config.base import _Model, check_email


class _Service(_Model):
    """A service's settings. ``enabled`` left out of the file follows the delegation (see
    :meth:`SecurityServicesConfig.follow_delegation`); a value it takes that way is never written back."""

    _followed: bool = PrivateAttr(default=False)

    @model_serializer(mode="wrap")
    def _without_followed(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self._followed and isinstance(data, dict):
            data.pop("enabled", None)
        return data


class FindingSeverity(StrEnum):
    """Severity labels of Security Hub (ASFF) findings; GuardDuty's numeric severities map onto them."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def at_or_above(self) -> list[str]:
        """This label and every label above it."""
        order = list(FindingSeverity)
        return [s.value for s in order[order.index(self):]]

    @property
    def guardduty_minimum(self) -> float:
        """GuardDuty's numeric severity where this label starts (GuardDuty: low 1-3.9, medium 4-6.9, high 7-8.9,
        critical 9-10)."""
        return {"LOW": 1.0, "MEDIUM": 4.0, "HIGH": 7.0, "CRITICAL": 9.0}[self.value]


class GuardDutyProtectionPlan(StrEnum):
    """GuardDuty protection plans, as the organization features GuardDuty names them."""

    S3_DATA_EVENTS = "S3_DATA_EVENTS"
    EKS_AUDIT_LOGS = "EKS_AUDIT_LOGS"
    EBS_MALWARE_PROTECTION = "EBS_MALWARE_PROTECTION"
    RDS_LOGIN_EVENTS = "RDS_LOGIN_EVENTS"
    RUNTIME_MONITORING = "RUNTIME_MONITORING"
    LAMBDA_NETWORK_LOGS = "LAMBDA_NETWORK_LOGS"


RUNTIME_AGENT_MANAGEMENT = ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")
"""Runtime monitoring's additional configurations: GuardDuty manages its security agent on EKS, Fargate and EC2."""


class GuardDutySettings(_Service):
    """Amazon GuardDuty: threat detection from CloudTrail, VPC flow logs and DNS logs."""

    enabled: bool = True
    """(Default: on while organization.security_services delegates it.) Turn GuardDuty on: a detector in the Security
    account in every governed region, and an organization configuration that enables it for ALL member accounts,
    present and future."""
    protection_plans: list[GuardDutyProtectionPlan] = Field(default_factory=lambda: [
        GuardDutyProtectionPlan.S3_DATA_EVENTS, GuardDutyProtectionPlan.EKS_AUDIT_LOGS,
        GuardDutyProtectionPlan.EBS_MALWARE_PROTECTION, GuardDutyProtectionPlan.RDS_LOGIN_EVENTS,
        GuardDutyProtectionPlan.LAMBDA_NETWORK_LOGS])
    """Protection plans turned on for every account (organization features, auto-enabled for ALL): S3_DATA_EVENTS,
    EKS_AUDIT_LOGS, EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, RUNTIME_MONITORING, LAMBDA_NETWORK_LOGS. Runtime
    monitoring is off by default: it installs GuardDuty's agent on EKS, ECS Fargate and EC2 and is priced per vCPU."""
    finding_publishing_frequency: str = "FIFTEEN_MINUTES"
    """How often updated findings are published: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS."""

    @field_validator("finding_publishing_frequency")
    @classmethod
    def _frequency(cls, value: str) -> str:
        if value not in ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"):
            raise ValueError(f"{value!r} is not FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS")
        return value

    @field_validator("protection_plans")
    @classmethod
    def _unique(cls, value: list[GuardDutyProtectionPlan]) -> list[GuardDutyProtectionPlan]:
        return list(dict.fromkeys(value))


class SecurityHubStandard(StrEnum):
    """Security Hub CSPM standards a configuration policy can enable."""

    FOUNDATIONAL_BEST_PRACTICES = "aws-foundational-security-best-practices/v/1.0.0"
    CIS_5_0 = "cis-aws-foundations-benchmark/v/5.0.0"
    CIS_3_0 = "cis-aws-foundations-benchmark/v/3.0.0"
    NIST_800_53 = "nist-800-53/v/5.0.0"
    PCI_DSS_4 = "pci-dss/v/4.0.1"

    def arn(self, partition: str, region: str) -> str:
        return f"arn:{partition}:securityhub:{region}::standards/{self.value}"


class SecurityHubSettings(_Service):
    """AWS Security Hub CSPM: posture checks against standards, and one place for every service's findings."""

    enabled: bool = True
    """(Default: on while organization.security_services delegates it.) Turn Security Hub CSPM on with central
    configuration from the home region: a finding aggregator over the governed regions, and a configuration policy
    associated with the organization root (so every account, present and future, is enabled with the chosen
    standards)."""
    standards: list[SecurityHubStandard] = Field(default_factory=lambda: [
        SecurityHubStandard.FOUNDATIONAL_BEST_PRACTICES, SecurityHubStandard.CIS_5_0])
    """Standards the configuration policy enables: AWS Foundational Security Best Practices and CIS AWS Foundations
    v5.0.0 (the newest CIS version Security Hub CSPM offers) by default."""

    @field_validator("standards")
    @classmethod
    def _standards(cls, value: list[SecurityHubStandard]) -> list[SecurityHubStandard]:
        if not value:
            raise ValueError("a configuration policy needs at least one standard (e.g. "
                             f"{SecurityHubStandard.FOUNDATIONAL_BEST_PRACTICES.value!r})")
        return list(dict.fromkeys(value))


DELIVERY_FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
"""AWS Config's snapshot delivery frequencies (MaximumExecutionFrequency)."""


class ConfigSettings(_Service):
    """AWS Config: the configuration history of every resource, which Security Hub's controls evaluate."""

    enabled: bool = True
    """(Default: on while organization.security_services delegates it.) Turn AWS Config on in every account and
    governed region: stage logging creates a Config bucket in the log-archive account (versioned, TLS only,
    public access blocked, writable by AWS Config for this organization's accounts only); each account's baseline
    stack creates Config's service-linked role (adopting it where it exists) and, in every governed region, a
    recorder of all supported resource types (global ones, IAM's, in the home region only), a delivery channel to
    that bucket and the recorder started; stage security_services adds an organization aggregator in the Security
    account. Off: no bucket, no recorders, no aggregator. AWS Config is priced per configuration item recorded."""
    aggregator_name: str = "organization"
    """Name of the organization aggregator in the Security account."""
    delivery_frequency: str = "TwentyFour_Hours"
    """How often AWS Config delivers a configuration snapshot to the Config bucket: One_Hour, Three_Hours,
    Six_Hours, Twelve_Hours or TwentyFour_Hours (changes are delivered as they are recorded either way)."""

    @field_validator("delivery_frequency")
    @classmethod
    def _delivery_frequency(cls, value: str) -> str:
        if value not in DELIVERY_FREQUENCIES:
            raise ValueError(f"{value!r} is not one of {', '.join(DELIVERY_FREQUENCIES)}")
        return value

    @field_validator("aggregator_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.match(r"^[\w-]{1,256}$", value):
            raise ValueError(f"{value!r} is not a valid aggregator name (letters, digits, _ and -)")
        return value


class AccessAnalyzerSettings(_Service):
    """IAM Access Analyzer: which resources are shared outside the organization, and which access is unused."""

    enabled: bool = True
    """(Default: on while organization.security_services delegates it.) Turn on an organization analyzer (external
    access) in the Security account, in every governed region: analyzers see the resources of their own region."""
    unused_access: bool = False
    """Also create an organization unused-access analyzer in the home region (IAM roles, users, keys and
    permissions not used for unused_access_days). Priced per IAM role and user analysed each month."""
    unused_access_days: int = Field(default=90, ge=1, le=365)
    """Days without use after which access counts as unused."""


class InspectorResourceType(StrEnum):
    EC2 = "EC2"
    ECR = "ECR"
    LAMBDA = "LAMBDA"
    LAMBDA_CODE = "LAMBDA_CODE"


class InspectorSettings(_Service):
    """Amazon Inspector: vulnerability scanning of EC2 instances, container images and Lambda functions."""

    enabled: bool = False
    """Off by default: priced per instance, image and function scanned. When on: the Security account is
    Inspector's delegated administrator, scanning is enabled for it and auto-enabled for every member account."""
    resource_types: list[InspectorResourceType] = Field(default_factory=lambda: [
        InspectorResourceType.EC2, InspectorResourceType.ECR, InspectorResourceType.LAMBDA])
    """What Inspector scans: EC2, ECR, LAMBDA (packages) and LAMBDA_CODE (code scanning)."""

    @field_validator("resource_types")
    @classmethod
    def _types(cls, value: list[InspectorResourceType]) -> list[InspectorResourceType]:
        if not value:
            raise ValueError("name at least one resource type (EC2, ECR, LAMBDA, LAMBDA_CODE)")
        return list(dict.fromkeys(value))


class MacieSettings(_Service):
    """Amazon Macie: sensitive data discovery in S3."""

    enabled: bool = False
    """Off by default: priced per bucket monitored and per gigabyte inspected. When on: Macie enabled in the
    Security account and auto-enabled for every member account, in every governed region."""


class DetectiveSettings(_Service):
    """Amazon Detective: investigation graphs over CloudTrail, VPC flow logs and GuardDuty findings."""

    enabled: bool = False
    """Off by default: priced per gigabyte of data ingested. When on: a behavior graph in the Security account in
    every governed region, with every member account auto-enabled."""


_HTTPS_RE = re.compile(r"^https://[^\s/]+(/\S*)?$")


class FindingNotifications(_Model):
    """Where findings reach people: an SNS topic in the Security account, fed by EventBridge."""

    email: list[str] = Field(default_factory=list, max_length=50)
    """E-mail addresses subscribed to the findings topic (each must confirm the subscription AWS sends)."""
    https: list[str] = Field(default_factory=list, max_length=50)
    """HTTPS endpoints subscribed to the findings topic (a chat webhook, an incident tool)."""
    minimum_severity: FindingSeverity = FindingSeverity.HIGH
    """Security Hub findings at or above this severity are sent (LOW, MEDIUM, HIGH, CRITICAL); GuardDuty findings
    from the same level on its numeric scale (HIGH: 7 and above)."""

    @field_validator("email")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(check_email(address) for address in value))

    @field_validator("https")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if len(url) > 2048 or not _HTTPS_RE.match(url):
                raise ValueError(f"{url[:80]!r} is not an https:// URL (SNS sends findings over TLS only)")
        return list(dict.fromkeys(value))


class SecurityServicesConfig(_Model):
    """Security services turned on across the organization from the Security account (stage security_services)."""

    guardduty: GuardDutySettings = Field(default_factory=GuardDutySettings)
    """Amazon GuardDuty (on by default)."""
    securityhub: SecurityHubSettings = Field(default_factory=SecurityHubSettings)
    """AWS Security Hub CSPM (on by default)."""
    config: ConfigSettings = Field(default_factory=ConfigSettings)
    """AWS Config (on by default)."""
    access_analyzer: AccessAnalyzerSettings = Field(default_factory=AccessAnalyzerSettings)
    """IAM Access Analyzer (on by default)."""
    inspector: InspectorSettings = Field(default_factory=InspectorSettings)
    """Amazon Inspector (off by default: priced per resource scanned)."""
    macie: MacieSettings = Field(default_factory=MacieSettings)
    """Amazon Macie (off by default: priced per bucket and gigabyte inspected)."""
    detective: DetectiveSettings = Field(default_factory=DetectiveSettings)
    """Amazon Detective (off by default: priced per gigabyte ingested)."""
    notifications: FindingNotifications = Field(default_factory=FindingNotifications)
    """Where findings are sent."""

    @model_serializer(mode="wrap")
    def _without_empty_services(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (k in SERVICE_FIELDS and v == {})}
        return data

    def follow_delegation(self, delegated: set[str]) -> None:
        """Turn off each service whose ``enabled`` was left at its default but that ``delegated``
        (organization.security_services values) does not list: a configuration that narrows the delegations
        keeps meaning what it meant before this section existed."""
        for name, service in SERVICE_FIELDS.items():
            settings = getattr(self, name)
            if "enabled" not in settings.model_fields_set and settings.enabled and service not in delegated:
                settings.enabled = False
                settings._followed = True

    def enabled_services(self) -> list[str]:
        """The SecurityService values (organization.security_services spelling) of the services turned on."""
        return [service for service, settings in self.entries() if settings.enabled]

    def entries(self) -> list[tuple[str, Any]]:
        """(SecurityService value, settings) for every service, in the order of the fields."""
        return [(SERVICE_FIELDS[name], getattr(self, name)) for name in SERVICE_FIELDS]


SERVICE_FIELDS: dict[str, str] = {
    "guardduty": "guardduty", "securityhub": "securityhub", "config": "config",
    "access_analyzer": "access-analyzer", "inspector": "inspector", "macie": "macie", "detective": "detective",
}
"""security_services field name -> SecurityService value (organization.security_services spelling)."""

COST_NOTE = ("Inspector, Macie and Detective are off by default: they are priced per resource scanned or per "
             "gigabyte analysed, so turn them on knowing the bill grows with the organization.")
"""Said by the wizard and the docs."""
