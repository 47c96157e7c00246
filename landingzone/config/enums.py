"""The configuration's vocabularies: account kinds, security services, query layers, protocols."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    """What an account is for. Kinds decide placement defaults and which stages touch the account."""

    SECURITY = "security"
    LOG_ARCHIVE = "log-archive"
    PRODUCTION = "production"
    DEVELOPMENT = "development"
    SANDBOX = "sandbox"
    SHARED_SERVICES = "shared-services"
    WORKLOAD = "workload"


WORKLOAD_ACCOUNT_KINDS = frozenset(
    {AccountKind.PRODUCTION, AccountKind.DEVELOPMENT, AccountKind.SANDBOX, AccountKind.WORKLOAD,
     AccountKind.SHARED_SERVICES}
)
"""Account kinds that run workloads (network settings are for these). Not discovery's resource kinds."""


class SecurityService(StrEnum):
    """Organization-integrated security services the Security account administers as delegated admin."""

    CLOUDTRAIL = "cloudtrail"
    GUARDDUTY = "guardduty"
    SECURITYHUB = "securityhub"
    CONFIG = "config"
    ACCESS_ANALYZER = "access-analyzer"
    MACIE = "macie"
    INSPECTOR = "inspector"
    DETECTIVE = "detective"

    @property
    def service_principal(self) -> str:
        return SERVICE_PRINCIPALS[self]


SERVICE_PRINCIPALS: dict[SecurityService, str] = {
    SecurityService.CLOUDTRAIL: "cloudtrail.amazonaws.com",
    SecurityService.GUARDDUTY: "guardduty.amazonaws.com",
    SecurityService.SECURITYHUB: "securityhub.amazonaws.com",
    SecurityService.CONFIG: "config.amazonaws.com",
    SecurityService.ACCESS_ANALYZER: "access-analyzer.amazonaws.com",
    SecurityService.MACIE: "macie.amazonaws.com",
    SecurityService.INSPECTOR: "inspector2.amazonaws.com",
    SecurityService.DETECTIVE: "detective.amazonaws.com",
}


class QueryLayer(StrEnum):
    """How the organization trail is queried beyond CloudTrail's 90-day event history."""

    ATHENA = "athena"
    LAKE = "lake"
    NONE = "none"


class Protocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"

